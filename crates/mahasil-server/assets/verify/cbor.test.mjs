// The strict CBOR decoder on its own: one encoding per value, and named limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CborError, MAX_DEPTH, MAX_ITEMS, Tagged, decode, encode } from './cbor.js';

const bytes = (...b) => Uint8Array.from(b);
const refuses = (input, why) => assert.throws(() => decode(input), CborError, why);

test('reads the subset the documents use', () => {
  assert.equal(decode(bytes(0x17)), 23);
  assert.equal(decode(bytes(0x18, 0x18)), 24);
  assert.equal(decode(bytes(0x19, 0x01, 0x00)), 256);
  assert.equal(decode(bytes(0x1a, 0x00, 0x01, 0x00, 0x00)), 65536);
  assert.equal(decode(bytes(0x1b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), Number.MAX_SAFE_INTEGER);
  assert.equal(decode(bytes(0x26)), -7);
  assert.equal(decode(bytes(0x3a, 0x00, 0x01, 0x00, 0x00)), -65537);
  assert.deepEqual(decode(bytes(0x43, 1, 2, 3)), bytes(1, 2, 3));
  assert.equal(decode(bytes(0x62, 0xc3, 0xa9)), 'é');
  assert.deepEqual(decode(bytes(0x82, 0x01, 0x60)), [1, '']);
  assert.deepEqual(decode(bytes(0xa2, 0x01, 0x26, 0x3a, 0x00, 0x01, 0x00, 0x00, 0xa0)), new Map([[1, -7], [-65537, new Map()]]));
});

test('refuses every integer or length that is not in its shortest form', () => {
  refuses(bytes(0x18, 0x17), '23 in one extra byte');
  refuses(bytes(0x19, 0x00, 0xff), '255 in two bytes');
  refuses(bytes(0x1a, 0x00, 0x00, 0xff, 0xff), '65535 in four bytes');
  refuses(bytes(0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), '2^32-1 in eight bytes');
  refuses(bytes(0x38, 0x00), '-1 in one extra byte');
  refuses(bytes(0x58, 0x01, 0xaa), 'a one-byte string with a one-byte length');
  refuses(bytes(0x98, 0x01, 0x01), 'a one-item array with a one-byte length');
});

test('refuses indefinite lengths, floats, simple values and reserved heads', () => {
  refuses(bytes(0x9f, 0x01, 0xff), 'indefinite array');
  refuses(bytes(0xbf, 0x01, 0x01, 0xff), 'indefinite map');
  refuses(bytes(0x5f, 0x41, 0x01, 0xff), 'indefinite byte string');
  refuses(bytes(0xf9, 0x3c, 0x00), 'half float');
  refuses(bytes(0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0), 'double');
  for (const simple of [0xf4, 0xf5, 0xf6, 0xf7]) refuses(bytes(simple), `simple ${simple}`);
  refuses(bytes(0x1c), 'reserved additional information');
});

test('refuses unordered, duplicated and non-integer map keys', () => {
  refuses(bytes(0xa2, 0x02, 0x00, 0x01, 0x00), 'descending keys');
  refuses(bytes(0xa2, 0x01, 0x00, 0x01, 0x00), 'duplicate key');
  refuses(bytes(0xa2, 0x20, 0x00, 0x01, 0x00), 'a negative key before a positive one');
  refuses(bytes(0xa1, 0x61, 0x61, 0x00), 'text key');
  assert.deepEqual(decode(bytes(0xa2, 0x17, 0x00, 0x18, 0x18, 0x00)), new Map([[23, 0], [24, 0]]), 'encoded-byte order');
});

test('refuses trailing bytes, truncation and invalid UTF-8', () => {
  refuses(bytes(0x01, 0x02), 'trailing byte');
  refuses(bytes(), 'nothing');
  refuses(bytes(0x82, 0x01), 'truncated array');
  refuses(bytes(0x43, 0x01), 'truncated byte string');
  refuses(bytes(0x19, 0x01), 'truncated integer');
  refuses(bytes(0x62, 0xc3, 0x28), 'invalid UTF-8');
  refuses(bytes(0x63, 0xed, 0xa0, 0x80), 'a surrogate in UTF-8');
  assert.equal(decode(bytes(0x63, 0xef, 0xbb, 0xbf)), '\ufeff', 'a byte order mark is kept as signed');
});

test('refuses integers beyond 2^53 and tags unless tag 18 is asked for', () => {
  refuses(bytes(0x1b, 0x00, 0x20, 0, 0, 0, 0, 0, 0), '2^53');
  refuses(bytes(0x3b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), '-2^53');
  refuses(bytes(0xd2, 0x80), 'tag 18 by default');
  assert.deepEqual(decode(bytes(0xd2, 0x80), { allowTag18: true }), new Tagged(18, []));
  assert.throws(() => decode(bytes(0xc1, 0x00), { allowTag18: true }), CborError, 'other tags');
});

test('nesting and item counts are limited', () => {
  const nested = (depth) => Uint8Array.from([...Array(depth).fill(0x81), 0x00]);
  assert.doesNotThrow(() => decode(nested(MAX_DEPTH)));
  refuses(nested(MAX_DEPTH + 1), 'too deep');
  const count = MAX_ITEMS + 1;
  const head = bytes(0x9a, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff);
  refuses(Uint8Array.from([...head, ...new Uint8Array(count)]), 'too many items');
  refuses(bytes(0x99, 0x03, 0xe8), 'a count the bytes cannot hold is refused before reading');
});

test('encode writes the one deterministic form that decode reads back', () => {
  const value = new Map([[-65537, ['DA-ENC-01']], [7, bytes(1, 2)], [1, -7], [24, 'é'], [6, 2 ** 40]]);
  const encoded = encode(value);
  assert.deepEqual(decode(encoded), new Map([[1, -7], [6, 2 ** 40], [7, bytes(1, 2)], [24, 'é'], [-65537, ['DA-ENC-01']]]));
  assert.deepEqual(encode(decode(encoded)), encoded);
  assert.throws(() => encode(1.5), CborError);
  assert.throws(() => encode(null), CborError);
});
