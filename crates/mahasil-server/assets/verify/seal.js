// Verifying mahasil seals in the browser, byte-compatible with the Rust crate
// `mahasil-seal` (the shared vectors in `testdata/seal-vectors/` keep the two in step).
// This module is the public face: tokens, seals and status statements here; the envelope
// in cose.js, the signed values in claims.js, the trust and revocation lists in lists.js.
//
// `verifySeal` runs the checks in the same order as Rust `mahasil_seal::seal::verify`,
// and the first that fails decides the outcome: decode (`malformed`) → kid listed
// (`unknown-key`) → signature (`invalid-signature`) → issuer, number prefix, usage and
// validity (`key-not-valid-for-this-use`) → signed before a compromise (`revoked`) →
// challan not cancelled (`revoked`) → `valid`. Time is never read from the clock: every
// time compared is a signed one.

import { CONTENT, OUTCOMES, SealError, malformed, openEnvelope, signedBy } from './cose.js';
import { WHITE_SPACE, decodeClaims, decodeStatement } from './claims.js';
import { checkKey } from './lists.js';

export { OUTCOMES, SealError, VersionError, bytesToHex, hexToBytes, kidOf } from './cose.js';
export { decodeClaims } from './claims.js';
export { TrustList, RevocationSet, applyRevocations, loadTrustList, revocationEntry } from './lists.js';

/** Longest token accepted, in characters (Rust `token::MAX_TOKEN_CHARS`). */
export const MAX_TOKEN_CHARS = 1024;
/** Longest scanned text looked at, in bytes of UTF-8 (Rust `token::MAX_QR_TEXT_CHARS`). */
export const MAX_QR_TEXT_CHARS = 2048;
const VERIFY_PATH = '/V/';

// ---------------------------------------------------------------------------------------
// Tokens and QR text

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
    result.outcome = failedOutcome(e);
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
    result.outcome = failedOutcome(e);
    result.reason = e instanceof Error ? e.message : String(e);
  }
  return result;
}

/** The outcome an error stands for; anything that names none (a bug, a missing trust
 * list) is still never valid. */
function failedOutcome(error) {
  return error instanceof SealError && OUTCOMES.includes(error.outcome) && error.outcome !== 'valid' ? error.outcome : 'malformed';
}
