// Test support (not served): the shared seal vectors, the sync vectors when they exist,
// test keys, and trust lists signed by the vectors' authority root key that list a device
// key, as the server publishes one at enrolment.

import { readFile } from 'node:fs/promises';

import { encode } from '../verify/cbor.js';
import { bytesToHex, hexToBytes, kidOf } from '../verify/cose.js';
import { readVectors, signCose, toBase64 } from '../verify/vector-support.mjs';
import { publicKeySec1 } from './device-keys.js';

export { readVectors as readSealVectors, toBase64 };

/** The sync vectors written by the Rust crate `mahasil-sync`; null until they exist. */
export const SYNC_VECTORS = new URL('../../../../testdata/sync-vectors/vectors.json', import.meta.url);

export async function readSyncVectors() {
  try {
    return JSON.parse(await readFile(SYNC_VECTORS, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256' };

/** A private key of the vectors (PKCS#8 hex or base64), imported non-extractable as the app's are. */
export function importPkcs8(pkcs8) {
  const bytes = /^[0-9a-f]+$/i.test(pkcs8) ? hexToBytes(pkcs8) : Uint8Array.from(Buffer.from(pkcs8, 'base64'));
  return crypto.subtle.importKey('pkcs8', bytes, P256, false, ['sign']);
}

/** A public key from its 65 SEC1 bytes, for checking signatures. */
export function importSec1(sec1Hex) {
  return crypto.subtle.importKey('raw', hexToBytes(sec1Hex), P256, true, ['verify']);
}

const USAGE_CODES = { challan: 1, receipt: 2, status: 3 };
const STATUS_CODES = { active: 1, retired: 2, compromised: 3 };
const TRUST_LIST_TYPE = 'application/vnd.mahasil.trust-list+cbor';

/** A trust list entry for a key pair made in a test (issuer and validity as given). */
export async function entryFor(publicKey, { issuer, usage = 'challan', validFrom, validUntil = null, status = 'active', compromisedAt = null }) {
  const sec1 = await publicKeySec1(publicKey);
  return { kid_hex: bytesToHex(await kidOf(sec1)), public_sec1_hex: bytesToHex(sec1), issuer, usage, valid_from: validFrom, valid_until: validUntil, status, compromised_at: compromisedAt };
}

/**
 * A `GET /api/v1/trust-list` bundle of `version`, signed by the vectors' root key,
 * listing the vectors' keys of the trust list plus `extra` entries (as `entryFor` makes).
 */
export async function trustBundle(vectors, version, issuedAt, extra = []) {
  const listed = vectors.keys.signing_keys.filter((k) => k.in_trust_list);
  const entries = [...listed, ...extra].sort((a, b) => (a.kid_hex < b.kid_hex ? -1 : 1));
  const cborEntries = entries.map((k) => {
    const m = new Map([
      [1, hexToBytes(k.kid_hex)],
      [2, hexToBytes(k.public_sec1_hex)],
      [3, k.issuer],
      [4, USAGE_CODES[k.usage]],
      [5, k.valid_from],
      [7, STATUS_CODES[k.status]],
    ]);
    if (k.valid_until !== null) m.set(6, k.valid_until);
    if (k.status === 'compromised') m.set(8, k.compromised_at);
    return m;
  });
  const payload = encode(new Map([[1, version], [2, issuedAt], [3, cborEntries]]));
  const root = vectors.keys.root;
  const header = encode(new Map([[1, -7], [3, TRUST_LIST_TYPE], [4, hexToBytes(root.kid_hex)]]));
  const cose = await signCose(root, header, payload);
  return { version, authority_kid: root.kid_hex, authority_public_key: root.public_sec1_hex, document: toBase64(cose) };
}

/** A page expression that sets the value of each `#id` and tells the page it changed. */
export function fill(values) {
  return `(() => {
    for (const [id, value] of Object.entries(${JSON.stringify(values)})) {
      const el = document.getElementById(id);
      el.value = value;
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    }
    return true;
  })()`;
}
