// The device's own P-256 key and everything it signs apart from seals (docs/SYNC.md):
// the enrolment proof, signed requests, and ops. The private key is made non-extractable:
// it can sign on this phone and nowhere else, and no script can read it out.
//
// Signatures are ECDSA P-256 with SHA-256, as the 64 bytes `r || s` WebCrypto returns,
// in base64url. They are malleable, so nothing uses their bytes as an identity.

import { bytesToHex, kidOf } from '../verify/cose.js';
import { b64u, randomBytes, utf8 } from './encoding.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' };
const ES256 = { name: 'ECDSA', hash: 'SHA-256' };
/** Random bytes in a request nonce (22 characters of base64url). */
export const NONCE_BYTES = 16;

/**
 * A new key pair whose private half cannot be exported. The CryptoKeyPair is stored in
 * IndexedDB as it is (CryptoKey objects are structured-cloneable).
 * @returns {Promise<CryptoKeyPair>}
 */
export function generateDeviceKey() {
  return crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
}

/** The 65-byte uncompressed SEC1 public key (`04 || X || Y`). */
export async function publicKeySec1(publicKey) {
  return new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
}

/** The public key as the protocol writes it (130 hex digits) and its kid (16 hex digits). */
export async function describePublicKey(publicKey) {
  const sec1 = await publicKeySec1(publicKey);
  return { publicKeyHex: bytesToHex(sec1), kidHex: bytesToHex(await kidOf(sec1)) };
}

/** The 64-byte signature of `bytes`. */
export async function signBytes(privateKey, bytes) {
  return new Uint8Array(await crypto.subtle.sign(ES256, privateKey, bytes));
}

/** Whether `signature` (base64url bytes already decoded) signs `bytes` for `publicKey`. */
export function verifyBytes(publicKey, signature, bytes) {
  return crypto.subtle.verify(ES256, publicKey, signature, bytes);
}

/** What the enrolment proof signs: the key's holder asks to be this officer's device. */
export const enrolProofText = (username, publicKeyHex) => `mahasil-enrol\n${username}\n${publicKeyHex}`;

/** The `proof` of `POST /api/v1/devices`. */
export async function enrolProof(privateKey, username, publicKeyHex) {
  return b64u(await signBytes(privateKey, utf8(enrolProofText(username, publicKeyHex))));
}

/** What a signed request's signature covers. `body` is the exact text sent ('' for GET). */
export const requestSigningText = (method, pathAndQuery, timestampS, nonce, body) =>
  `${method}\n${pathAndQuery}\n${timestampS}\n${nonce}\n${body}`;

/** A fresh nonce: 16 random bytes, base64url. */
export const newNonce = (random = randomBytes(NONCE_BYTES)) => b64u(random);

/**
 * The four headers of a signed request. `timestampS` is the server's clock as this device
 * estimates it, in whole seconds.
 */
export async function signedRequestHeaders({ deviceId, privateKey, method, pathAndQuery, body, timestampS, nonce = newNonce() }) {
  const text = requestSigningText(method, pathAndQuery, String(timestampS), nonce, body);
  return {
    'X-Mahasil-Device': deviceId,
    'X-Mahasil-Timestamp': String(timestampS),
    'X-Mahasil-Nonce': nonce,
    'X-Mahasil-Signature': b64u(await signBytes(privateKey, utf8(text))),
  };
}
