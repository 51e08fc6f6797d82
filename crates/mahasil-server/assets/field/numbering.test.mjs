// Challan numbers: issuer + counter + Damm digit, as Rust `ChallanNo::digits` writes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_COUNTER, challanNoDigits, checkDigitOk, formatChallanNo, issuerDigits, nextCounter } from './numbering.js';
import { readSealVectors } from './field-support.mjs';

test('numbers match the numbers Rust wrote into the seal vectors', async () => {
  const vectors = await readSealVectors();
  const numbers = vectors.cases.cases.filter((c) => c.claims).flatMap((c) => [c.claims.cti, c.claims.challan_no].filter(Boolean));
  assert.ok(numbers.length >= 10);
  for (const n of numbers) {
    const counter = Number(n.slice(6, 14));
    assert.equal(challanNoDigits(Number(n.slice(0, 6)), counter), n, n);
  }
});

test('the Damm digit of known numbers, and the printed form', () => {
  // Check digits worked out by hand with Damm's table.
  assert.equal(challanNoDigits(500001, 1), '500001000000012');
  assert.equal(challanNoDigits(500001, 17), '500001000000175');
  assert.equal(challanNoDigits(999999, MAX_COUNTER), '999999999999999');
  assert.equal(formatChallanNo('500001000000175'), '500001-00000017-5');
  assert.equal(issuerDigits('500001'), '500001');
  for (const bad of [0, 99_999, 1_000_000, 1.5, 'abc']) assert.throws(() => issuerDigits(bad));
  for (const bad of [0, -1, MAX_COUNTER + 1, 2.5]) assert.throws(() => challanNoDigits(500001, bad));
  assert.throws(() => formatChallanNo('12345'));
});

test('every single-digit error and every adjacent swap is caught', () => {
  for (const counter of [1, 17, 4242, 99_999_999]) {
    const digits = challanNoDigits(500123, counter);
    assert.ok(checkDigitOk(digits));
    assert.ok(checkDigitOk(formatChallanNo(digits)));
    for (let i = 0; i < 15; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        const typo = digits.slice(0, i) + d + digits.slice(i + 1);
        assert.equal(checkDigitOk(typo), false, typo);
      }
      if (i < 14 && digits[i] !== digits[i + 1]) {
        const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
        assert.equal(checkDigitOk(swapped), false, swapped);
      }
    }
  }
});

test('the next counter is one past the higher of the local and the server counter', () => {
  assert.equal(nextCounter(0, 0), 1);
  assert.equal(nextCounter(undefined, undefined), 1);
  assert.equal(nextCounter(16, 17), 18);
  assert.equal(nextCounter(20, 17), 21);
  assert.throws(() => nextCounter(MAX_COUNTER, 0), /every number/);
});
