// Verifying mahasil seals in the browser, byte-compatible with the Rust crate
// `mahasil-seal` (the shared vectors in `testdata/seal-vectors/` keep the two in step).
//
// A seal is an untagged COSE_Sign1 (ES256) over a CWT claims set; the trust list (signed
// by the authority root key), the revocation list and status statements are COSE_Sign1
// documents of their own content type. `verifySeal` runs the checks in the same order as
// Rust `mahasil_seal::seal::verify`, and the first that fails decides the outcome:
// decode (`malformed`) → kid listed (`unknown-key`) → signature (`invalid-signature`) →
// issuer, number prefix, usage and validity (`key-not-valid-for-this-use`) → signed
// before a compromise (`revoked`) → challan not cancelled (`revoked`) → `valid`.
// Time is never read from the clock: every time compared is a signed one.

import { decode, encode, compareBytes, CborError } from './cbor.js';

/** The six outcomes; nothing outside this list is ever returned. */
export const OUTCOMES = Object.freeze(['valid', 'invalid-signature', 'unknown-key', 'key-not-valid-for-this-use', 'revoked', 'malformed']);

/** Longest token accepted, in characters (Rust `token::MAX_TOKEN_CHARS`). */
export const MAX_TOKEN_CHARS = 1024;
/** Longest scanned text looked at, in bytes of UTF-8 (Rust `token::MAX_QR_TEXT_CHARS`). */
export const MAX_QR_TEXT_CHARS = 2048;
/** Largest documents accepted, in bytes (Rust `envelope::MAX_*_BYTES`). */
export const MAX_SEAL_BYTES = (MAX_TOKEN_CHARS * 5) / 8;
export const MAX_TRUST_LIST_BYTES = 4 << 20;
export const MAX_REVOCATION_LIST_BYTES = 16 << 20;
export const MAX_STATUS_BYTES = 1 << 10;
/** Most keys in a trust list and entries in a revocation list. */
export const MAX_TRUSTED_KEYS = 100_000;
export const MAX_REVOCATION_ENTRIES = 2_000_000;
/** Most heads one seal names; longest short text (officer, vehicle id, reference). */
export const MAX_HEADS = 8;
export const MAX_SHORT_TEXT_CHARS = 64;
/** Largest amount in paisa (Rust `mahasil_domain::money::MAX_AMOUNT_PAISA`). */
export const MAX_AMOUNT_PAISA = 1_000_000_000_000;

const KID_BYTES = 8;
const PUBLIC_KEY_BYTES = 65;
const SIGNATURE_BYTES = 64;
const REVOCATION_ENTRY_BYTES = 8;
const ES256 = -7;
const MAX_U32 = 0xffffffff;
const VERIFY_PATH = '/V/';

/** Content types of the protected header; a seal has none. */
const CONTENT = Object.freeze({
  seal: { type: null, maxBytes: MAX_SEAL_BYTES },
  trustList: { type: 'application/vnd.mahasil.trust-list+cbor', maxBytes: MAX_TRUST_LIST_BYTES },
  revocationList: { type: 'application/vnd.mahasil.revocation-list+cbor', maxBytes: MAX_REVOCATION_LIST_BYTES },
  status: { type: 'application/vnd.mahasil.status+cbor', maxBytes: MAX_STATUS_BYTES },
});

const USAGES = Object.freeze({ 1: 'challan', 2: 'receipt', 3: 'status' });
const KEY_STATUSES = Object.freeze({ 1: 'active', 2: 'retired', 3: 'compromised' });
const DOCUMENT_TYPES = Object.freeze({ 1: 'challan', 2: 'receipt' });
const CHANNELS = Object.freeze(['bank', 'gateway', 'counter']);
const CHALLAN_STATUSES = Object.freeze(['issued', 'contested', 'paid', 'cancelled', 'waived']);

/** A check that failed, named by its outcome (one of `OUTCOMES` other than `valid`). */
export class SealError extends Error {
  constructor(outcome, reason) {
    super(`${outcome}: ${reason}`);
    this.name = 'SealError';
    this.outcome = outcome;
    this.reason = reason;
  }
}

/** A signed list older than, or not following on from, the one already held. */
export class VersionError extends Error {
  constructor(reason, held, offered) {
    super(`${reason} (held ${held}, offered ${offered})`);
    this.name = 'VersionError';
    this.held = held;
    this.offered = offered;
  }
}

const malformed = (reason) => new SealError('malformed', reason);

// ---------------------------------------------------------------------------------------
// Tokens and QR text

// Rust's `str::trim` removes Unicode White_Space, which differs from JavaScript's trim
// (U+FEFF, U+0085); mirror Rust so both sides read the same token.
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, 'gu');
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const utf8 = new TextEncoder();

/** ASCII-only upper case: keeps every index where it was, as Rust's does. */
const asciiUpper = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/**
 * The COSE bytes in a scanned or typed QR text: a URL ending `/V/<TOKEN>` (any case,
 * http or https, any host and path prefix) or a bare token.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function parseQr(text) {
  if (typeof text !== 'string') throw malformed('not text');
  if (text.length > MAX_QR_TEXT_CHARS || utf8.encode(text).length > MAX_QR_TEXT_CHARS) throw malformed('too long');
  const trimmed = text.replace(TRIM, '');
  const scheme = asciiUpper(trimmed.slice(0, 8));
  if (scheme.startsWith('HTTPS://') || scheme.startsWith('HTTP://')) {
    const at = asciiUpper(trimmed).lastIndexOf(VERIFY_PATH);
    if (at < 0) throw malformed('no /V/ in the URL');
    return parseToken(trimmed.slice(at + VERIFY_PATH.length));
  }
  return parseToken(trimmed);
}

/** The bytes of a bare Base32 token (any case, no padding, zero trailing bits). */
export function parseToken(token) {
  if (utf8.encode(token).length > MAX_TOKEN_CHARS) throw malformed('token is too long');
  if (token.length === 0) throw malformed('token is empty');
  return base32Decode(asciiUpper(token));
}

function base32Decode(text) {
  // Valid unpadded lengths leave 0, 2, 4, 5 or 7 characters in the last group of 8.
  if (![0, 2, 4, 5, 7].includes(text.length % 8)) throw malformed('token is not Base32');
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of text) {
    const digit = BASE32_ALPHABET.indexOf(ch);
    if (digit < 0 || ch.length !== 1) throw malformed('token is not Base32');
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one token.
  if ((value & ((1 << bits) - 1)) !== 0) throw malformed('token is not Base32');
  return out;
}

// ---------------------------------------------------------------------------------------
// Small encodings

export function hexToBytes(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw malformed('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64ToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw malformed('document is not standard Base64');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** kid = the first 8 bytes of SHA-256 of the 65-byte SEC1 public key. */
export async function kidOf(sec1) {
  return (await sha256(sec1)).slice(0, KID_BYTES);
}

/** Revocation entry = the first 8 bytes of SHA-256 of the 15 ASCII digits. */
export async function revocationEntry(challanNo) {
  return (await sha256(utf8.encode(challanNo))).slice(0, REVOCATION_ENTRY_BYTES);
}

// ---------------------------------------------------------------------------------------
// The COSE_Sign1 envelope

/** Decodes an envelope of `content`, refusing every encoding but the one Rust writes. */
function openEnvelope(bytes, content) {
  if (!(bytes instanceof Uint8Array)) throw malformed('not bytes');
  if (bytes.length > content.maxBytes) throw malformed('too large');
  const cose = decodeCbor(bytes, 'not an untagged COSE_Sign1');
  if (!Array.isArray(cose) || cose.length !== 4) throw malformed('not an untagged COSE_Sign1');
  const [protectedBytes, unprotected, payload, signature] = cose;
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw malformed('not an untagged COSE_Sign1');
  }
  if (!(unprotected instanceof Map) || unprotected.size !== 0) throw malformed('unprotected header is not empty');
  if (signature.length !== SIGNATURE_BYTES) throw malformed('signature is not 64 bytes');
  const kid = protectedKid(protectedBytes, content);
  return { kid, kidHex: bytesToHex(kid), protectedBytes, payload, signature };
}

/** The kid of a protected header that is exactly `{1: -7, (3: type,) 4: kid}`. */
function protectedKid(protectedBytes, content) {
  const header = decodeCbor(protectedBytes, 'protected header is not CBOR');
  if (!(header instanceof Map)) throw malformed('protected header is not a map');
  const fields = new Fields(header, 'protected header is not exactly the expected one');
  if (fields.required(1, 'algorithm is missing') !== ES256) throw malformed('algorithm is not ES256');
  if (content.type !== null && fields.required(3, 'content type is missing') !== content.type) {
    throw malformed('protected header is not exactly the expected one');
  }
  const kid = fields.required(4, 'no kid in the protected header');
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) throw malformed('a kid has 8 bytes');
  fields.finish();
  return kid;
}

/** The bytes an ES256 signature covers: `["Signature1", protected, h'', payload]`. */
function sigStructure(opened) {
  return encode(['Signature1', opened.protectedBytes, new Uint8Array(0), opened.payload]);
}

async function signedBy(opened, cryptoKey) {
  if (cryptoKey === null) return false;
  try {
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, cryptoKey, opened.signature, sigStructure(opened));
  } catch {
    return false;
  }
}

function decodeCbor(bytes, reason) {
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof CborError) throw malformed(`${reason} (${e.reason})`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Typed reading of integer-keyed maps

/**
 * The fields of a map, taken out one by one; any left at `finish` is an unknown field,
 * which makes the document malformed: a verifier must be able to show every signed value.
 */
class Fields {
  constructor(value, unknownReason) {
    if (!(value instanceof Map)) throw malformed(unknownReason);
    this.fields = new Map(value);
    this.unknownReason = unknownReason;
  }

  optional(key) {
    const value = this.fields.get(key);
    this.fields.delete(key);
    return value;
  }

  required(key, missingReason) {
    if (!this.fields.has(key)) throw malformed(missingReason);
    return this.optional(key);
  }

  finish() {
    if (this.fields.size !== 0) throw malformed(this.unknownReason);
  }
}

const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

function uint(value, reason) {
  if (!isInt(value) || value < 0) throw malformed(reason);
  return value;
}

function text(value, reason) {
  if (typeof value !== 'string') throw malformed(reason);
  return value;
}

function bytes(value, reason) {
  if (!(value instanceof Uint8Array)) throw malformed(reason);
  return value;
}

function array(value, reason) {
  if (!Array.isArray(value)) throw malformed(reason);
  return value;
}

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
function issuerNo(value) {
  if (typeof value !== 'string' || !/^[1-9][0-9]{5}$/.test(value)) throw malformed('iss is not a six-digit issuer number');
  return value;
}

/** 15 digits: an issuer, a counter from 1, and a Damm check digit. */
function challanNo(value, reason) {
  if (typeof value !== 'string' || !/^[1-9][0-9]{14}$/.test(value)) throw malformed(reason);
  const check = [...value].reduce((interim, d) => DAMM[interim][d.charCodeAt(0) - 48], 0);
  if (check !== 0 || value.slice(6, 14) === '00000000') throw malformed(reason);
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

const PRIVATE_CLAIM = -65537;

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

const optionalValue = (value, parse) => (value === undefined ? undefined : parse(value));

// ---------------------------------------------------------------------------------------
// The trust list

/** The keys the authority vouches for, looked up by kid (lower-case hex). */
export class TrustList {
  constructor(version, issuedAt, rootKid, keys) {
    this.version = version;
    this.issuedAt = issuedAt;
    this.rootKid = rootKid;
    this.keys = keys;
    this.byKid = new Map(keys.map((k) => [k.kid, k]));
    this.cryptoKeys = new Map();
  }

  key(kidHex) {
    return this.byKid.get(kidHex);
  }

  /** The key's WebCrypto form, imported once; null if it is no P-256 point. */
  cryptoKey(kidHex) {
    if (!this.cryptoKeys.has(kidHex)) {
      const key = this.byKid.get(kidHex);
      this.cryptoKeys.set(kidHex, importPublicKey(key.publicKey));
    }
    return this.cryptoKeys.get(kidHex);
  }

  /** The listed key that signed `opened`, allowed to sign for `usage` at `signedAt`. */
  async signer(opened, usage, signedAt) {
    const key = this.key(opened.kidHex);
    if (key === undefined) throw new SealError('unknown-key', 'the signing key is unknown');
    if (!(await signedBy(opened, await this.cryptoKey(opened.kidHex)))) throw new SealError('invalid-signature', 'the signature is invalid');
    checkKey(key, usage, signedAt);
    return key;
  }
}

/** Usage and validity first (`key-not-valid-for-this-use`), then compromise (`revoked`). */
function checkKey(key, usage, signedAt) {
  if (usage !== key.usage) throw new SealError('key-not-valid-for-this-use', 'the key is for another use');
  if (signedAt < key.validFrom) throw new SealError('key-not-valid-for-this-use', 'signed before the key was valid');
  if (key.validUntil !== null && signedAt > key.validUntil) {
    throw new SealError('key-not-valid-for-this-use', "signed after the key's validity ended");
  }
  if (key.status === 'compromised' && signedAt >= key.compromisedAt) throw new SealError('revoked', 'signed after the key was compromised');
}

async function importPublicKey(sec1) {
  try {
    return await crypto.subtle.importKey('raw', sec1, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  } catch {
    return null; // Rust's ring refuses such a key at each verification: invalid-signature.
  }
}

/**
 * The trust list of a `GET /api/v1/trust-list` bundle `{version, authority_kid,
 * authority_public_key, document}`, verified against the root key it names. With
 * `options.held`, a list older than the one held is refused (no rollback to a list that
 * still trusts a compromised key); `options.rootKid` pins the root key's kid (hex).
 */
export async function loadTrustList(bundle, options = {}) {
  if (bundle === null || typeof bundle !== 'object') throw malformed('the trust list bundle is not an object');
  const rootSec1 = publicKeyBytes(hexToBytes(bundle.authority_public_key));
  const rootKid = bytesToHex(await kidOf(rootSec1));
  if (bundle.authority_kid !== rootKid) throw malformed("authority_kid is not the authority public key's kid");
  if (options.rootKid !== undefined && options.rootKid !== rootKid) throw new SealError('unknown-key', 'not the pinned authority key');
  const opened = openEnvelope(base64ToBytes(bundle.document), CONTENT.trustList);
  const decoded = await decodeTrustList(opened.payload);
  if (opened.kidHex !== rootKid) throw new SealError('unknown-key', 'the trust list is not signed by the authority key');
  if (!(await signedBy(opened, await importPublicKey(rootSec1)))) throw new SealError('invalid-signature', 'the trust list signature is invalid');
  if (bundle.version !== decoded.version) throw malformed('the bundle version is not the signed version');
  const held = options.held;
  if (held && decoded.version < held.version) throw new VersionError('the trust list is older than the one held', held.version, decoded.version);
  return new TrustList(decoded.version, decoded.issuedAt, rootKid, decoded.keys);
}

function publicKeyBytes(sec1) {
  if (sec1.length !== PUBLIC_KEY_BYTES || sec1[0] !== 0x04) throw malformed('a public key is 65 bytes of uncompressed SEC1');
  return sec1;
}

async function decodeTrustList(payload) {
  const fields = new Fields(decodeCbor(payload, 'trust list is not CBOR'), 'unknown key in the trust list');
  const version = uint(fields.required(1, 'trust list version is missing'), 'version is not an integer');
  const issuedAt = uint(fields.required(2, 'trust list time is missing'), 'trust list time is not an integer');
  const entries = array(fields.required(3, 'trust list keys are missing'), 'trust list keys are not an array');
  fields.finish();
  if (version === 0) throw malformed('the trust list breaks a rule');
  if (entries.length > MAX_TRUSTED_KEYS) throw malformed('too many keys');
  const keys = [];
  for (const entry of entries) {
    const key = await decodeTrustedKey(entry);
    // Keys come in strictly ascending kid order: one encoding, no kid twice.
    if (keys.length > 0 && compareBytes(hexToBytes(keys[keys.length - 1].kid), hexToBytes(key.kid)) >= 0) {
      throw malformed('trust list is not deterministically encoded');
    }
    keys.push(key);
  }
  return { version, issuedAt, keys };
}

async function decodeTrustedKey(value) {
  const fields = new Fields(value, 'unknown key in a trust list entry');
  const kid = bytes(fields.required(1, 'kid is missing'), 'kid is not bytes');
  if (kid.length !== KID_BYTES) throw malformed('a kid has 8 bytes');
  const publicKey = publicKeyBytes(bytes(fields.required(2, 'public key is missing'), 'public key is not bytes'));
  if (bytesToHex(await kidOf(publicKey)) !== bytesToHex(kid)) throw malformed("kid is not the public key's");
  const issuer = issuerNo(text(fields.required(3, 'issuer is missing'), 'issuer is not text'));
  const usage = USAGES[fields.required(4, 'usage is missing')];
  if (usage === undefined) throw malformed('unknown usage');
  const validFrom = uint(fields.required(5, 'valid_from is missing'), 'valid_from is not an integer');
  const until = fields.optional(6);
  const validUntil = until === undefined ? null : uint(until, 'valid_until is not an integer');
  const status = KEY_STATUSES[fields.required(7, 'status is missing')];
  if (status === undefined) throw malformed('unknown key status');
  const compromisedAt = status === 'compromised' ? uint(fields.required(8, 'compromised_at is missing'), 'compromised_at is not an integer') : null;
  fields.finish();
  if ((status === 'retired' && validUntil === null) || (validUntil !== null && validUntil < validFrom)) {
    throw malformed('the trust list breaks a rule');
  }
  return { kid: bytesToHex(kid), publicKey, issuer, usage, validFrom, validUntil, status, compromisedAt };
}

// ---------------------------------------------------------------------------------------
// Revocation lists

/**
 * The cancelled challans a verifier knows of, built from a full list and the deltas that
 * follow it. Entries are kept as sorted 64-bit numbers: two million fit in 16 MiB.
 */
export class RevocationSet {
  /** @param {TrustList} trustList the list whose `status` keys sign revocation lists */
  constructor(trustList) {
    this.trustList = trustList;
    this.version = 0;
    this.entries = new BigUint64Array(0);
  }

  get size() {
    return this.entries.length;
  }

  /** Whether the challan with these 15 digits is cancelled. */
  async contains(challanNo) {
    const entry = entryNumber(await revocationEntry(challanNo), 0);
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid] < entry) low = mid + 1;
      else high = mid;
    }
    return low < this.entries.length && this.entries[low] === entry;
  }
}

const entryNumber = (bytes, at) => new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, false);

/**
 * Verifies the revocation list of a `GET /api/v1/revocations?since=N` answer
 * `{version, since_version, document}` against `set.trustList` and applies it as Rust
 * `RevocationSet::apply` does: a full list newer than the set replaces it, a delta must
 * start at the set's version, the version held is no change (false), anything older or
 * after a gap is refused with a `VersionError`. Returns whether the set changed.
 */
export async function applyRevocations(set, json) {
  if (json === null || typeof json !== 'object') throw malformed('the revocation answer is not an object');
  const opened = openEnvelope(base64ToBytes(json.document), CONTENT.revocationList);
  const list = decodeRevocationList(opened.payload);
  await set.trustList.signer(opened, 'status', list.issuedAt);
  if (json.version !== list.version || json.since_version !== list.since) {
    throw malformed('the answer versions are not the signed versions');
  }
  if (list.version < set.version) throw new VersionError('the revocation list is older than the one held', set.version, list.version);
  if (list.version === set.version) return false;
  if (list.since === 0) {
    set.entries = list.entries;
  } else if (list.since === set.version) {
    set.entries = mergeSorted(set.entries, list.entries);
  } else {
    throw new VersionError('the delta does not start at the version held', set.version, list.since);
  }
  set.version = list.version;
  return true;
}

function decodeRevocationList(payload) {
  const fields = new Fields(decodeCbor(payload, 'revocation list is not CBOR'), 'unknown key in the revocation list');
  const version = uint(fields.required(1, 'version is missing'), 'version is not an integer');
  const since = uint(fields.required(2, 'since version is missing'), 'version is not an integer');
  const issuedAt = uint(fields.required(3, 'issued_at is missing'), 'issued_at is not an integer');
  const raw = bytes(fields.required(4, 'entries are missing'), 'entries are not a byte string');
  fields.finish();
  if (raw.length % REVOCATION_ENTRY_BYTES !== 0) throw malformed('entries are not a whole number of 8-byte entries');
  const entries = new BigUint64Array(raw.length / REVOCATION_ENTRY_BYTES);
  for (let i = 0; i < entries.length; i++) {
    entries[i] = entryNumber(raw, i * REVOCATION_ENTRY_BYTES);
    if (i > 0 && entries[i - 1] >= entries[i]) throw malformed('entries are not in ascending order without repeats');
  }
  if (since >= version || entries.length > MAX_REVOCATION_ENTRIES) throw malformed('the revocation list breaks a rule');
  return { version, since, issuedAt, entries };
}

/** The union of two ascending arrays, ascending, without repeats. */
function mergeSorted(a, b) {
  const out = new BigUint64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.slice(0, n);
}

// ---------------------------------------------------------------------------------------
// Seals and status statements

/**
 * Verifies the seal `cose` against `trustList` and, when given, the cancelled challans in
 * `revocationSet`. Never throws; `valid` only when every check passes. `claims` are the
 * signed values whenever they decode (to be trusted only when the outcome is `valid`);
 * `kid` is the signer's kid (hex) whenever the envelope decodes.
 * @returns {Promise<{outcome: string, claims: object|null, kid: string|null, reason: string|null}>}
 */
export async function verifySeal(cose, trustList, revocationSet) {
  const result = { outcome: 'malformed', claims: null, kid: null, reason: null };
  try {
    const opened = openEnvelope(cose, CONTENT.seal);
    result.kid = opened.kidHex;
    result.claims = decodeClaims(opened.payload);
    await checkSeal(opened, result.claims, trustList, revocationSet ?? null);
    result.outcome = 'valid';
  } catch (e) {
    // Anything that is not a named outcome (a bug, a missing trust list) is still never valid.
    result.outcome = e instanceof SealError && OUTCOMES.includes(e.outcome) && e.outcome !== 'valid' ? e.outcome : 'malformed';
    result.reason = e instanceof Error ? e.message : String(e);
  }
  return result;
}

async function checkSeal(opened, claims, trustList, revocationSet) {
  const key = trustList.key(opened.kidHex);
  if (key === undefined) throw new SealError('unknown-key', 'the signing key is unknown');
  if (!(await signedBy(opened, await trustList.cryptoKey(opened.kidHex)))) throw new SealError('invalid-signature', 'the signature is invalid');
  if (key.issuer !== claims.iss) throw new SealError('key-not-valid-for-this-use', "iss is not the key's issuer number");
  if (claims.cti.slice(0, 6) !== claims.iss) throw new SealError('key-not-valid-for-this-use', 'the number does not start with iss');
  checkKey(key, claims.type, claims.iat);
  // A receipt is checked for the challan it pays.
  const challan = claims.type === 'receipt' ? claims.challan_no : claims.cti;
  if (revocationSet !== null && (await revocationSet.contains(challan))) throw new SealError('revoked', 'the challan is cancelled');
}

/**
 * Verifies a status statement (`GET /api/v1/status/{challan_no}`): signed by a `status`
 * key of `trustList` valid at its `as_of`. Never throws. `statement` is
 * `{challan_no, status, receipt_no (null when none), as_of}` whenever it decodes.
 */
export async function verifyStatement(bytes, trustList) {
  const result = { outcome: 'malformed', statement: null, kid: null, reason: null };
  try {
    const opened = openEnvelope(bytes, CONTENT.status);
    result.kid = opened.kidHex;
    result.statement = decodeStatement(opened.payload);
    await trustList.signer(opened, 'status', result.statement.as_of);
    result.outcome = 'valid';
  } catch (e) {
    result.outcome = e instanceof SealError && OUTCOMES.includes(e.outcome) && e.outcome !== 'valid' ? e.outcome : 'malformed';
    result.reason = e instanceof Error ? e.message : String(e);
  }
  return result;
}

function decodeStatement(payload) {
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
