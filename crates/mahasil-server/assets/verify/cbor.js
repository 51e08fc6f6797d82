// Strict reading and deterministic writing of the CBOR subset inside mahasil's signed
// documents (seals, trust lists, revocation lists, status statements).
//
// Only the one deterministic encoding of RFC 8949 §4.2.1 is read: shortest integers and
// lengths, definite lengths, map keys in ascending order of their encoded bytes, no
// duplicate keys, nothing after the item. The Rust side (`mahasil-seal`) reaches the same
// decisions by re-encoding what it read and comparing bytes; refusing early here gives the
// same `malformed` outcome. Values outside the formats (floats, true/false/null, text map
// keys, tags other than an allowed 18, integers beyond 2^53) are refused too: no document
// of ours holds them, so each would be malformed on the Rust side as well.
//
// Values: integers are Numbers, byte strings Uint8Array, text strings strings, arrays
// Arrays, maps `Map`s with integer keys, tag 18 a `Tagged`.

/** Deepest nesting read; our documents nest at most four levels. */
export const MAX_DEPTH = 16;
/** Most items in one array or map: a trust list holds at most 100,000 keys. */
export const MAX_ITEMS = 100_000;
/** Largest input read: a revocation list of two million entries is 16 MiB. */
export const MAX_INPUT_BYTES = 16 << 20;
/** The COSE_Sign1 tag (RFC 9052), the only tag this decoder can be asked to accept. */
export const COSE_SIGN1_TAG = 18;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;

/** Why bytes are not the deterministic CBOR this decoder accepts. */
export class CborError extends Error {
  constructor(reason) {
    super(`CBOR: ${reason}`);
    this.name = 'CborError';
    this.reason = reason;
  }
}

/** A tagged value; only tag 18 is ever read, and only when asked for. */
export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

// fatal: invalid UTF-8 is refused, not replaced; ignoreBOM: a leading U+FEFF is kept as
// signed rather than silently dropped.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * The one value that `bytes` encode deterministically.
 * @param {Uint8Array} bytes
 * @param {{allowTag18?: boolean}} [options]
 */
export function decode(bytes, options = {}) {
  if (!(bytes instanceof Uint8Array)) throw new CborError('input is not bytes');
  if (bytes.length > MAX_INPUT_BYTES) throw new CborError('input is too large');
  const reader = new Reader(bytes, options.allowTag18 === true);
  const value = reader.item(0);
  if (reader.pos !== bytes.length) throw new CborError('bytes after the item');
  return value;
}

class Reader {
  constructor(bytes, allowTag18) {
    this.bytes = bytes;
    this.pos = 0;
    this.allowTag18 = allowTag18;
  }

  item(depth) {
    if (depth > MAX_DEPTH) throw new CborError('nested too deep');
    const { major, argument } = this.head();
    switch (major) {
      case MAJOR_UNSIGNED:
        return argument;
      case MAJOR_NEGATIVE:
        // -1 - argument must stay a safe integer too.
        if (argument >= Number.MAX_SAFE_INTEGER) throw new CborError('integer out of range');
        return -1 - argument;
      case MAJOR_BYTES:
        return this.take(argument).slice();
      case MAJOR_TEXT:
        return this.text(argument);
      case MAJOR_ARRAY:
        return this.array(argument, depth);
      case MAJOR_MAP:
        return this.map(argument, depth);
      case MAJOR_TAG:
        return this.tagged(argument, depth);
      default:
        throw new CborError('floats and simple values are not allowed');
    }
  }

  /** The major type and argument of the next head, refusing non-shortest forms. */
  head() {
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) throw new CborError('floats and simple values are not allowed');
    if (info < 24) return { major, argument: info };
    if (info === 31) throw new CborError('indefinite lengths are not allowed');
    if (info > 27) throw new CborError('reserved additional information');
    const size = 1 << (info - 24); // 1, 2, 4 or 8 bytes
    const argument = this.uint(size);
    // Shortest form: each width is used only for values the narrower one cannot hold.
    const least = size === 1 ? 24 : 2 ** (4 * size);
    if (argument < least) throw new CborError('integer or length is not in its shortest form');
    return { major, argument };
  }

  uint(size) {
    const view = this.take(size);
    let n = 0;
    for (const b of view) n = n * 256 + b;
    if (!Number.isSafeInteger(n)) throw new CborError('integer out of range');
    return n;
  }

  byte() {
    if (this.pos >= this.bytes.length) throw new CborError('truncated');
    return this.bytes[this.pos++];
  }

  take(length) {
    if (length > this.bytes.length - this.pos) throw new CborError('truncated');
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  text(length) {
    try {
      return utf8Decoder.decode(this.take(length));
    } catch (e) {
      if (e instanceof CborError) throw e;
      throw new CborError('text is not UTF-8');
    }
  }

  /** Refuses counts the remaining bytes cannot hold, before allocating anything. */
  count(items, bytesPerItem) {
    if (items > MAX_ITEMS) throw new CborError('too many items');
    if (items * bytesPerItem > this.bytes.length - this.pos) throw new CborError('truncated');
  }

  array(length, depth) {
    this.count(length, 1);
    const out = new Array(length);
    for (let i = 0; i < length; i++) out[i] = this.item(depth + 1);
    return out;
  }

  map(length, depth) {
    this.count(length, 2);
    const out = new Map();
    let previousKey = null;
    for (let i = 0; i < length; i++) {
      const start = this.pos;
      const { major, argument } = this.head();
      if (major !== MAJOR_UNSIGNED && major !== MAJOR_NEGATIVE) throw new CborError('map keys must be integers');
      if (major === MAJOR_NEGATIVE && argument >= Number.MAX_SAFE_INTEGER) throw new CborError('integer out of range');
      const key = major === MAJOR_UNSIGNED ? argument : -1 - argument;
      const keyBytes = this.bytes.subarray(start, this.pos);
      // Ascending encoded bytes also rules out duplicates (equal keys compare equal).
      if (previousKey !== null && compareBytes(previousKey, keyBytes) >= 0) {
        throw new CborError('map keys are duplicated or not in ascending order');
      }
      previousKey = keyBytes;
      out.set(key, this.item(depth + 1));
    }
    return out;
  }

  tagged(tag, depth) {
    if (!this.allowTag18 || tag !== COSE_SIGN1_TAG) throw new CborError('tags are not allowed');
    return new Tagged(tag, this.item(depth + 1));
  }
}

/** Lexicographic order of two byte strings, as RFC 8949 §4.2.1 sorts map keys. */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * The deterministic encoding of `value` (the same value model `decode` returns). Used to
 * build the bytes a signature covers and, in tests, documents to tamper with.
 */
export function encode(value) {
  const parts = [];
  write(value, parts, 0);
  return concatBytes(parts);
}

function write(value, parts, depth) {
  if (depth > MAX_DEPTH) throw new CborError('nested too deep');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborError('only safe integers can be encoded');
    parts.push(value >= 0 ? headBytes(MAJOR_UNSIGNED, value) : headBytes(MAJOR_NEGATIVE, -1 - value));
  } else if (value instanceof Uint8Array) {
    parts.push(headBytes(MAJOR_BYTES, value.length), value);
  } else if (typeof value === 'string') {
    const utf8 = utf8Encoder.encode(value);
    parts.push(headBytes(MAJOR_TEXT, utf8.length), utf8);
  } else if (Array.isArray(value)) {
    parts.push(headBytes(MAJOR_ARRAY, value.length));
    for (const item of value) write(item, parts, depth + 1);
  } else if (value instanceof Map) {
    writeMap(value, parts, depth);
  } else if (value instanceof Tagged) {
    parts.push(headBytes(MAJOR_TAG, value.tag));
    write(value.value, parts, depth + 1);
  } else {
    throw new CborError('value cannot be encoded');
  }
}

function writeMap(map, parts, depth) {
  const entries = [...map].map(([key, item]) => {
    if (!Number.isSafeInteger(key)) throw new CborError('map keys must be integers');
    return { keyBytes: encode(key), item };
  });
  entries.sort((a, b) => compareBytes(a.keyBytes, b.keyBytes));
  parts.push(headBytes(MAJOR_MAP, entries.length));
  for (const { keyBytes, item } of entries) {
    parts.push(keyBytes);
    write(item, parts, depth + 1);
  }
}

/** The shortest head for `major` and `argument`. */
function headBytes(major, argument) {
  const top = major << 5;
  if (argument < 24) return Uint8Array.of(top | argument);
  if (argument < 0x100) return Uint8Array.of(top | 24, argument);
  if (argument < 0x10000) return Uint8Array.of(top | 25, argument >> 8, argument & 0xff);
  const size = argument < 0x100000000 ? 4 : 8;
  const out = new Uint8Array(1 + size);
  out[0] = top | (size === 4 ? 26 : 27);
  let n = argument;
  for (let i = size; i >= 1; i--) {
    out[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

/** One byte string of `parts` in order. */
export function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
