// The COSE_Sign1 envelope (RFC 9052, ES256, untagged) around every signed mahasil
// document, the errors verification speaks in, and typed reading of integer-keyed CBOR
// maps. Byte layouts follow Rust `mahasil_seal::envelope` and `mahasil_seal::cbor`.
//
// The protected header is exactly `{1: -7, 4: kid}` for seals and `{1: -7, 3: content
// type, 4: kid}` for the other documents, so a signature on one kind of document never
// passes for another; the unprotected header is empty and the payload attached.

import { decode, encode, CborError } from './cbor.js';

/** The six outcomes; nothing outside this list is ever returned. */
export const OUTCOMES = Object.freeze(['valid', 'invalid-signature', 'unknown-key', 'key-not-valid-for-this-use', 'revoked', 'malformed']);

/** Largest documents accepted, in bytes (Rust `envelope::MAX_*_BYTES`); a seal is what
 * 1024 Base32 characters hold. */
export const MAX_SEAL_BYTES = (1024 * 5) / 8;
export const MAX_TRUST_LIST_BYTES = 4 << 20;
export const MAX_REVOCATION_LIST_BYTES = 16 << 20;
export const MAX_STATUS_BYTES = 1 << 10;

export const KID_BYTES = 8;
const PUBLIC_KEY_BYTES = 65;
const SIGNATURE_BYTES = 64;
const ES256 = -7;

/** Content types of the protected header; a seal has none. */
export const CONTENT = Object.freeze({
  seal: { type: null, maxBytes: MAX_SEAL_BYTES },
  trustList: { type: 'application/vnd.mahasil.trust-list+cbor', maxBytes: MAX_TRUST_LIST_BYTES },
  revocationList: { type: 'application/vnd.mahasil.revocation-list+cbor', maxBytes: MAX_REVOCATION_LIST_BYTES },
  status: { type: 'application/vnd.mahasil.status+cbor', maxBytes: MAX_STATUS_BYTES },
});

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

export const malformed = (reason) => new SealError('malformed', reason);

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

export function base64ToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw malformed('document is not standard Base64');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** kid = the first 8 bytes of SHA-256 of the 65-byte SEC1 public key. */
export async function kidOf(sec1) {
  return (await sha256(sec1)).slice(0, KID_BYTES);
}

// ---------------------------------------------------------------------------------------
// The COSE_Sign1 envelope

/** Decodes an envelope of `content`, refusing every encoding but the one Rust writes. */
export function openEnvelope(bytes, content) {
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

export async function signedBy(opened, cryptoKey) {
  if (cryptoKey === null) return false;
  try {
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, cryptoKey, opened.signature, sigStructure(opened));
  } catch {
    return false;
  }
}

export function decodeCbor(bytes, reason) {
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof CborError) throw malformed(`${reason} (${e.reason})`);
    throw e;
  }
}

export async function importPublicKey(sec1) {
  try {
    return await crypto.subtle.importKey('raw', sec1, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  } catch {
    return null; // Rust's ring refuses such a key at each verification: invalid-signature.
  }
}

/** 65 bytes of uncompressed SEC1 (whether the point is on the curve shows at import). */
export function publicKeyBytes(sec1) {
  if (sec1.length !== PUBLIC_KEY_BYTES || sec1[0] !== 0x04) throw malformed('a public key is 65 bytes of uncompressed SEC1');
  return sec1;
}

// ---------------------------------------------------------------------------------------
// Typed reading of integer-keyed maps

/**
 * The fields of a map, taken out one by one; any left at `finish` is an unknown field,
 * which makes the document malformed: a verifier must be able to show every signed value.
 */
export class Fields {
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

export const isInt = (v) => typeof v === 'number' && Number.isSafeInteger(v);

export function uint(value, reason) {
  if (!isInt(value) || value < 0) throw malformed(reason);
  return value;
}

export function text(value, reason) {
  if (typeof value !== 'string') throw malformed(reason);
  return value;
}

export function bytes(value, reason) {
  if (!(value instanceof Uint8Array)) throw malformed(reason);
  return value;
}

export function array(value, reason) {
  if (!Array.isArray(value)) throw malformed(reason);
  return value;
}

export const optionalValue = (value, parse) => (value === undefined ? undefined : parse(value));
