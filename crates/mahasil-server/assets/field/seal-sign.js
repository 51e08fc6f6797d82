// Making seals on the phone (DESIGN.md "Seals"): the CWT claims payload and the COSE_Sign1
// envelope, byte for byte as Rust `mahasil_seal::cwt::encode` and `mahasil_seal::envelope`
// write them, signed with the device's WebCrypto key, and the `/V/<TOKEN>` URL for the QR
// code. The verifier modules (`../verify/`) read what this writes; tests hold the two to
// the shared vectors.
//
// Payload: `{1: iss, 6: iat, 7: cti (bytes: the 15 ASCII digits), -65537: {1: type,
// 2: [heads], 3: amount_paisa, 4: amount_after_due_paisa, 5: due date days, 6: officer,
// 7: district, 8: subject id, 9: challan_no paid, 10: channel, 11: payment reference}}`;
// protected header `{1: -7, 4: kid}`; unprotected header empty; payload attached.

import { encode } from '../verify/cbor.js';
import { decodeClaims } from '../verify/claims.js';
import { SealError } from '../verify/cose.js';
import { base32, utf8 } from './encoding.js';

const ES256 = -7;
const PRIVATE_CLAIM = -65537;
const DOCUMENT_TYPE_CODES = Object.freeze({ challan: 1, receipt: 2 });
const VERIFY_PATH = '/V/';

/**
 * The deterministic CWT payload of `claims`, given in the JSON shape of Rust `Serialize
 * for Claims` (the `claims` of the seal vectors): `type, iss, iat, cti, heads,
 * amount_paisa, [amount_after_due_paisa, due_date_days], [officer], district,
 * [subject_id], [challan_no, channel, payment_reference]`. Throws a SealError when the
 * claims break a rule the verifier would refuse them for: a seal this writes always reads.
 * @returns {Uint8Array}
 */
export function claimsPayload(claims) {
  const type = DOCUMENT_TYPE_CODES[claims.type];
  if (type === undefined) throw new SealError('malformed', 'unknown document type');
  const inner = new Map([
    [1, type],
    [2, [...claims.heads]],
    [3, claims.amount_paisa],
    [7, claims.district],
  ]);
  if (claims.subject_id !== undefined && claims.subject_id !== null) inner.set(8, claims.subject_id);
  if (claims.officer !== undefined && claims.officer !== null) inner.set(6, claims.officer);
  if (claims.type === 'challan') {
    inner.set(4, claims.amount_after_due_paisa);
    inner.set(5, claims.due_date_days);
  } else {
    inner.set(9, claims.challan_no);
    inner.set(10, claims.channel);
    inner.set(11, claims.payment_reference);
  }
  const payload = encode(
    new Map([
      [1, claims.iss],
      [6, claims.iat],
      [7, utf8(claims.cti)],
      [PRIVATE_CLAIM, inner],
    ]),
  );
  // Read back with the verifier's rules: what it refuses (a bad slug, a long subject id,
  // a wrong check digit) is refused here, before anything is signed.
  if (canonicalJson(decodeClaims(payload)) !== canonicalJson(withoutAbsent(claims))) {
    throw new SealError('malformed', 'claims do not survive encoding');
  }
  return payload;
}

/** The serialized protected header of a seal signed by `kid` (8 bytes): `{1: -7, 4: kid}`. */
export function sealProtectedHeader(kid) {
  if (!(kid instanceof Uint8Array) || kid.length !== 8) throw new Error('a kid has 8 bytes');
  return encode(new Map([[1, ES256], [4, kid]]));
}

/** The bytes an ES256 signature covers: `["Signature1", protected, h'', payload]`. */
export function sigStructure(protectedBytes, payload) {
  return encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/**
 * The seal of `claims` signed with `privateKey` (a WebCrypto ECDSA P-256 key, usually
 * non-extractable) whose kid is `kid`: the bytes of an untagged COSE_Sign1.
 * @returns {Promise<Uint8Array>}
 */
export async function signSeal(claims, privateKey, kid) {
  const protectedBytes = sealProtectedHeader(kid);
  const payload = claimsPayload(claims);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, sigStructure(protectedBytes, payload)));
  return encode([protectedBytes, new Map(), payload, signature]);
}

/** The Base32 token of a seal (upper case, no padding). */
export const sealToken = (cose) => base32(cose);

/**
 * The QR content for a seal: `<baseUrl>/V/<TOKEN>`, all upper case, so the QR code uses
 * alphanumeric mode (Rust `mahasil_seal::qr_url`).
 */
export function qrUrl(baseUrl, cose) {
  return `${baseUrl.replace(/\/+$/, '')}${VERIFY_PATH}${sealToken(cose)}`.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

function withoutAbsent(claims) {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined && v !== null));
}

/** JSON with object keys sorted, so two claim objects compare by value. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
