// The signed lists around seals: the trust list (every signing key, signed by the
// authority root key) and revocation lists (cancelled challans, signed by a `status` key),
// with the rules of Rust `mahasil_seal::trust_list` and `mahasil_seal::revocation`.
//
// Trust list payload: `{1: version, 2: issued_at, 3: [{1: kid, 2: SEC1 key, 3: issuer,
// 4: usage, 5: valid_from, 6: valid_until?, 7: status, 8: compromised_at?}, ...]}` in
// ascending kid order. Revocation list payload: `{1: version, 2: since (0 = full),
// 3: issued_at, 4: entries}`, entries ONE byte string of ascending 8-byte entries.

import { compareBytes } from './cbor.js';
import {
  CONTENT,
  Fields,
  KID_BYTES,
  SealError,
  VersionError,
  array,
  base64ToBytes,
  bytes,
  bytesToHex,
  decodeCbor,
  hexToBytes,
  importPublicKey,
  kidOf,
  malformed,
  openEnvelope,
  publicKeyBytes,
  sha256,
  signedBy,
  text,
  uint,
} from './cose.js';
import { issuerNo } from './claims.js';

/** Most keys in a trust list and entries in a revocation list. */
export const MAX_TRUSTED_KEYS = 100_000;
export const MAX_REVOCATION_ENTRIES = 2_000_000;
const REVOCATION_ENTRY_BYTES = 8;

const USAGES = Object.freeze({ 1: 'challan', 2: 'receipt', 3: 'status' });
const KEY_STATUSES = Object.freeze({ 1: 'active', 2: 'retired', 3: 'compromised' });
const utf8 = new TextEncoder();

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
export function checkKey(key, usage, signedAt) {
  if (usage !== key.usage) throw new SealError('key-not-valid-for-this-use', 'the key is for another use');
  if (signedAt < key.validFrom) throw new SealError('key-not-valid-for-this-use', 'signed before the key was valid');
  if (key.validUntil !== null && signedAt > key.validUntil) {
    throw new SealError('key-not-valid-for-this-use', "signed after the key's validity ended");
  }
  if (key.status === 'compromised' && signedAt >= key.compromisedAt) throw new SealError('revoked', 'signed after the key was compromised');
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

/** Revocation entry = the first 8 bytes of SHA-256 of the 15 ASCII digits. */
export async function revocationEntry(challanNo) {
  return (await sha256(utf8.encode(challanNo))).slice(0, REVOCATION_ENTRY_BYTES);
}

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

const entryNumber = (raw, at) => new DataView(raw.buffer, raw.byteOffset + at, 8).getBigUint64(0, false);

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
