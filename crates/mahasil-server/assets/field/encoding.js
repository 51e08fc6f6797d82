// The small encodings of the device protocol (docs/SYNC.md "Encodings"): base64url without
// padding, RFC 4648 Base32 (seal tokens), UTF-8, and UUIDv7 ids made on the device.
//
// Randomness and time are passed in where a result must be reproducible in tests.

export { bytesToHex, hexToBytes } from '../verify/cose.js';

const utf8Encoder = new TextEncoder();
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The UTF-8 bytes of `text`. */
export const utf8 = (text) => utf8Encoder.encode(text);

/** RFC 4648 base64url of `bytes`, no padding. */
export function b64u(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of unpadded base64url `text`; throws on anything else. */
export function fromB64u(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** RFC 4648 Base32 of `bytes`, upper case, no padding (the seal token). */
export function base32(bytes) {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(value >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** `count` random bytes from the platform's CSPRNG. */
export function randomBytes(count) {
  return crypto.getRandomValues(new Uint8Array(count));
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then version, variant and random bits.
 * Ids made before sending keep retries idempotent; the time prefix keeps them in order.
 * @param {number} nowMs Unix time in milliseconds
 * @param {Uint8Array} random at least 10 random bytes
 */
export function uuidv7(nowMs, random = randomBytes(10)) {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) throw new Error('time out of range for a UUIDv7');
  const bytes = new Uint8Array(16);
  let ms = nowMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 3339 UTC with `Z`, whole seconds: how the protocol writes every time. */
export function rfc3339(seconds) {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
