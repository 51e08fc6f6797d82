// The signed values of seals and status statements, read with the rules of
// `mahasil-domain` and Rust `mahasil_seal::cwt`: a value is accepted only in the exact
// form the Rust side writes, so both sides reach the same `malformed` decisions.
//
// Seal payload (CWT, RFC 8392): `{1: iss, 6: iat, 7: cti (bytes: the 15 ASCII digits),
// -65537: {1: type, 2: [heads], 3: amount_paisa, 4: amount_after_due_paisa, 5: due date
// days, 6: officer, 7: district, 8: subject id, 9: challan_no paid, 10: channel,
// 11: payment reference}}`. Status statement: `{1: challan_no, 2: status, 3: receipt_no,
// 4: as_of}`.

import { Fields, array, bytes, decodeCbor, isInt, malformed, optionalValue, text, uint } from './cose.js';

/** Most heads one seal names; longest short text (officer, vehicle id, reference). */
export const MAX_HEADS = 8;
export const MAX_SHORT_TEXT_CHARS = 64;
/** Largest amount in paisa (Rust `mahasil_domain::money::MAX_AMOUNT_PAISA`). */
export const MAX_AMOUNT_PAISA = 1_000_000_000_000;
const MAX_U32 = 0xffffffff;
const PRIVATE_CLAIM = -65537;

const DOCUMENT_TYPES = Object.freeze({ 1: 'challan', 2: 'receipt' });
const CHANNELS = Object.freeze(['bank', 'gateway', 'counter']);
const CHALLAN_STATUSES = Object.freeze(['issued', 'contested', 'paid', 'cancelled', 'waived']);

/**
 * Unicode White_Space, which Rust's `str::trim` removes. JavaScript's trim differs
 * (U+FEFF, U+0085), so the Rust set is spelt out for both sides to read the same text.
 */
export const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

// ---------------------------------------------------------------------------------------
// Domain values, with the rules of `mahasil-domain` (a seal must hold them exactly)

// The Damm quasigroup (as in `mahasil_domain::challan_no`).
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** Six digits, not starting with 0. */
export function issuerNo(value) {
  if (typeof value !== 'string' || !/^[1-9][0-9]{5}$/.test(value)) throw malformed('iss is not a six-digit issuer number');
  return value;
}

/**
 * The Damm interim digit of a string of decimal digits (`damm_digit` in Rust): appended to
 * digits it is their check digit, and over digits ending in their check digit it is 0.
 */
export function dammDigit(digits) {
  return [...digits].reduce((interim, d) => DAMM[interim][d.charCodeAt(0) - 48], 0);
}

/** 15 digits: an issuer, a counter from 1, and a Damm check digit. */
export function challanNo(value, reason) {
  if (typeof value !== 'string' || !/^[1-9][0-9]{14}$/.test(value)) throw malformed(reason);
  if (dammDigit(value) !== 0 || value.slice(6, 14) === '00000000') throw malformed(reason);
  return value;
}

/** Exactly as `HeadCode::parse` writes it: upper-case letters, digits, inner dashes, ≤ 24. */
function headCode(value) {
  if (typeof value !== 'string' || !/^[A-Z0-9](?:[A-Z0-9-]{0,22}[A-Z0-9])?$/.test(value)) throw malformed('a head code is invalid');
  return value;
}

/** A slug: lower-case letters, digits and single inner dashes, ≤ 64. */
function slug(value) {
  if (typeof value !== 'string' || value.length > 64 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value)) throw malformed('district is not a slug');
  return value;
}

const EDGE_SPACE = new RegExp(`^[${WHITE_SPACE}]|[${WHITE_SPACE}]$`, 'u');

/** Printable text of 1 to 64 characters with no space at either end (`ShortText`). */
function shortText(value) {
  if (typeof value !== 'string') throw malformed('a text claim is not text');
  const chars = [...value].length;
  if (chars === 0 || chars > MAX_SHORT_TEXT_CHARS || /\p{Cc}/u.test(value) || EDGE_SPACE.test(value)) {
    throw malformed('a text claim is invalid');
  }
  return value;
}

function paisa(value) {
  if (!isInt(value) || value < 0) throw malformed('an amount is not an integer');
  if (value < 1 || value > MAX_AMOUNT_PAISA) throw malformed('an amount is out of range');
  return value;
}

// ---------------------------------------------------------------------------------------
// Claims (the CWT payload of a seal)

/**
 * The claims of a seal payload, in the JSON shape of Rust `Serialize for Claims`:
 * `type, iss, iat, cti, heads, amount_paisa, [amount_after_due_paisa, due_date_days],
 * [officer], district, [subject_id], [challan_no, channel, payment_reference]`.
 */
export function decodeClaims(payload) {
  const set = new Fields(decodeCbor(payload, 'payload is not a CWT claims set'), 'claims other than iss, iat, cti and -65537');
  const iss = issuerNo(set.required(1, 'iss is missing'));
  const iat = uint(set.required(6, 'iat is missing'), 'iat is not whole seconds since 1970');
  const cti = bytes(set.required(7, 'cti is missing'), 'cti is not bytes');
  const number = challanNo(cti.every((b) => b < 0x80) ? String.fromCharCode(...cti) : '', 'cti is not a valid number');
  const fields = new Fields(set.required(PRIVATE_CLAIM, 'claims other than iss, iat, cti and -65537'), 'unknown key in claim -65537');
  set.finish();

  const kind = fields.required(1, 'type is missing');
  const type = isInt(kind) ? DOCUMENT_TYPES[kind] : undefined;
  if (type === undefined) throw malformed('unknown document type');
  const heads = array(fields.required(2, 'heads are missing'), 'heads are not an array').map(headCode);
  if (heads.length === 0 || heads.length > MAX_HEADS) throw malformed('a seal names no heads or too many');
  const amount = paisa(fields.required(3, 'amount is missing'));
  const district = slug(fields.required(7, 'district is missing'));
  const subjectId = optionalValue(fields.optional(8), shortText);
  const officer = optionalValue(fields.optional(6), shortText);

  const claims = { type, iss, iat, cti: number, heads, amount_paisa: amount };
  if (type === 'challan') {
    claims.amount_after_due_paisa = paisa(fields.required(4, 'amount after due is missing'));
    const due = uint(fields.required(5, 'due date is missing'), 'due date is not days');
    if (due > MAX_U32) throw malformed('due date is out of range');
    claims.due_date_days = due;
    if (officer === undefined) throw malformed('officer is missing');
  }
  if (officer !== undefined) claims.officer = officer;
  claims.district = district;
  if (subjectId !== undefined) claims.subject_id = subjectId;
  if (type === 'receipt') {
    claims.challan_no = challanNo(fields.required(9, 'challan_no is missing'), 'challan_no is not a valid number');
    const channel = text(fields.required(10, 'channel is missing'), 'channel is not text');
    if (!CHANNELS.includes(channel)) throw malformed('unknown payment channel');
    claims.channel = channel;
    claims.payment_reference = shortText(fields.required(11, 'payment reference is missing'));
  }
  fields.finish();
  return claims;
}

/** A status statement's values: `{challan_no, status, receipt_no (null when none), as_of}`. */
export function decodeStatement(payload) {
  const fields = new Fields(decodeCbor(payload, 'status statement is not CBOR'), 'unknown key in the status statement');
  const challan = challanNo(text(fields.required(1, 'challan_no is missing'), 'challan_no is not text'), 'challan_no is not a valid number');
  const status = text(fields.required(2, 'status is missing'), 'status is not text');
  if (!CHALLAN_STATUSES.includes(status)) throw malformed('unknown status');
  const receipt = optionalValue(fields.optional(3), (v) => challanNo(text(v, 'receipt_no is not text'), 'receipt_no is not a valid number'));
  const asOf = uint(fields.required(4, 'as_of is missing'), 'as_of is not an integer');
  fields.finish();
  if (receipt !== undefined && status !== 'paid') throw malformed('only a paid challan has a receipt');
  return { challan_no: challan, status, receipt_no: receipt ?? null, as_of: asOf };
}
