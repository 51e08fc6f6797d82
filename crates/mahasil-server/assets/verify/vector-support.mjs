// Test support (not served): reads the shared seal vectors, builds the JSON answers the
// server gives for them, signs documents with the vectors' test keys, and writes CBOR in
// the non-deterministic forms a strict verifier must refuse.

import { readFile } from 'node:fs/promises';
import { encode, concatBytes, Tagged } from './cbor.js';
import { hexToBytes } from './seal.js';

/** The repository's shared vectors, found from this file's place in the checkout. */
export const VECTORS_DIR = new URL('../../../../testdata/seal-vectors/', import.meta.url);

export async function readVectors() {
  const read = async (name) => JSON.parse(await readFile(new URL(name, VECTORS_DIR), 'utf8'));
  const [cases, keys, trustList, revocations, statements] = await Promise.all([
    read('cases.json'),
    read('keys.json'),
    read('trust-list.json'),
    read('revocation-lists.json'),
    read('status-statements.json'),
  ]);
  return { cases, keys, trustList, revocations, statements };
}

export const toBase64 = (bytes) => Buffer.from(bytes).toString('base64');

/** What `GET /api/v1/trust-list` answers: the signed list plus the authority's key. */
export function trustListBundle(vectors) {
  return {
    version: vectors.trustList.version,
    authority_kid: vectors.keys.root.kid_hex,
    authority_public_key: vectors.keys.root.public_sec1_hex,
    document: toBase64(hexToBytes(vectors.trustList.document.cose_hex)),
  };
}

/** What `GET /api/v1/revocations?since=N` answers for one signed list of the vectors. */
export function revocationAnswer(list) {
  return { version: list.version, since_version: list.since_version, document: toBase64(hexToBytes(list.document.cose_hex)) };
}

export function signingKey(vectors, name) {
  const key = vectors.keys.signing_keys.find((k) => k.name === name);
  if (!key) throw new Error(`no test key ${name}`);
  return key;
}

/** Signs `payload` as a COSE_Sign1 with protected header bytes `protectedBytes`. */
export async function signCose(keyVector, protectedBytes, payload) {
  const key = await crypto.subtle.importKey('pkcs8', hexToBytes(keyVector.pkcs8_hex), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const toBeSigned = encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, toBeSigned));
  return encode([protectedBytes, new Map(), payload, signature]);
}

/** A seal over `payload` signed by the named test key, with the exact seal header. */
export async function sealWith(vectors, keyName, payload) {
  const keyVector = signingKey(vectors, keyName);
  const protectedBytes = encode(new Map([[1, -7], [4, hexToBytes(keyVector.kid_hex)]]));
  return signCose(keyVector, protectedBytes, payload);
}

/**
 * CBOR written loosely, as other encoders may: `style.wideInts` writes every integer with
 * an 8-byte argument, `style.wideLengths` every length, `style.reverseMaps` writes map keys in descending order,
 * `style.indefinite` uses indefinite lengths for arrays and maps, `style.tag18` wraps the
 * top item in tag 18. Same values, other bytes.
 */
export function looseEncode(value, style) {
  const parts = [];
  writeLoose(value, parts, style);
  return concatBytes(parts);
}

function writeLoose(value, parts, style) {
  if (typeof value === 'number') {
    const major = value >= 0 ? 0 : 1;
    const argument = value >= 0 ? value : -1 - value;
    parts.push(style.wideInts ? wideHead(major, argument) : encodeHead(major, argument));
  } else if (Array.isArray(value)) {
    writeContainer(4, value.length, style, parts, () => value.forEach((v) => writeLoose(v, parts, style)));
  } else if (value instanceof Map) {
    const entries = [...value];
    if (style.reverseMaps) entries.reverse();
    writeContainer(5, entries.length, style, parts, () => {
      for (const [k, v] of entries) {
        writeLoose(k, parts, style);
        writeLoose(v, parts, style);
      }
    });
  } else if (value instanceof Tagged) {
    parts.push(encodeHead(6, value.tag));
    writeLoose(value.value, parts, style);
  } else if (style.wideLengths && (value instanceof Uint8Array || typeof value === 'string')) {
    const body = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    parts.push(wideHead(typeof value === 'string' ? 3 : 2, body.length), body);
  } else {
    parts.push(encode(value));
  }
}

function writeContainer(major, length, style, parts, writeItems) {
  const head = style.wideLengths ? wideHead(major, length) : encodeHead(major, length);
  parts.push(style.indefinite ? Uint8Array.of((major << 5) | 31) : head);
  writeItems();
  if (style.indefinite) parts.push(Uint8Array.of(0xff));
}

function encodeHead(major, argument) {
  const bytes = encode(argument);
  bytes[0] = (major << 5) | (bytes[0] & 0x1f);
  return bytes;
}

function wideHead(major, argument) {
  const out = new Uint8Array(9);
  out[0] = (major << 5) | 27;
  new DataView(out.buffer).setBigUint64(1, BigInt(argument));
  return out;
}
