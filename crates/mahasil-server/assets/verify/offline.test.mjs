// How the offline page prints signed values, checked on the vectors' claims.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { OUTCOMES } from './seal.js';
import { OUTCOME_TEXT, claimRows, formatChallanNo, formatDays, formatKarachiTime, formatPaisa, liveStatusText, tokenFromPath } from './offline.js';
import { readVectors } from './vector-support.mjs';

const vectors = await readVectors();
const claimsOf = (name) => vectors.cases.cases.find((c) => c.name === name).claims;

test('numbers, amounts, dates and times print as on paper', () => {
  assert.equal(formatChallanNo('100001000000011'), '100001-00000001-1');
  assert.equal(formatPaisa(500000), 'PKR 5,000.00');
  assert.equal(formatPaisa(125050), 'PKR 1,250.50');
  assert.equal(formatPaisa(99), 'PKR 0.99');
  assert.equal(formatPaisa(1_000_000_000_000), 'PKR 10,000,000,000.00');
  assert.equal(formatDays(0), '1970-01-01');
  assert.equal(formatDays(20478), '2026-01-25');
  // 2026-01-11T00:00:00Z is five in the morning in Peshawar.
  assert.equal(formatKarachiTime(1768089600), '2026-01-11 05:00 PKT');
  assert.equal(formatKarachiTime(1768089600 + 19 * 3600), '2026-01-12 00:00 PKT', 'the date turns at PKT midnight');
});

test('a challan shows every signed value', () => {
  const rows = claimRows(claimsOf('valid-challan'), '7f149ad1f29d63ce');
  const value = Object.fromEntries(rows.map((r) => [r.id, r.value]));
  assert.deepEqual(value, {
    type: 'Challan / چالان',
    cti: '100001-00000001-1',
    amount_paisa: 'PKR 5,000.00',
    amount_after_due_paisa: 'PKR 6,000.00',
    due_date_days: '2026-01-25',
    heads: 'DA-ENC-01',
    district: 'dera-ismail-khan',
    officer: 'officer.peshawar',
    subject_id: 'ABC-1234',
    iss: '100001',
    iat: '2026-01-11 05:00 PKT',
    kid: '7f149ad1f29d63ce',
  });
  for (const r of rows) assert.ok(r.en && r.ur, `${r.id} has both languages`);
});

test('a receipt shows the challan it pays and how', () => {
  const value = Object.fromEntries(claimRows(claimsOf('valid-receipt'), null).map((r) => [r.id, r.value]));
  assert.equal(value.cti, '100001-00000002-2');
  assert.equal(value.challan_no, '100001-00000001-1');
  assert.equal(value.amount_paisa, 'PKR 5,000.00');
  assert.equal(value.channel, 'Bank / بینک');
  assert.equal(value.payment_reference, 'HBL-482913');
  assert.equal(value.due_date_days, undefined);
  assert.equal(value.kid, undefined);
});

test('every outcome has a banner in English and Urdu', () => {
  for (const outcome of [...OUTCOMES, 'unchecked', 'no-token']) {
    const text = OUTCOME_TEXT[outcome];
    assert.ok(text.en && text.ur && text.detailEn && text.detailUr, outcome);
  }
  assert.equal(OUTCOME_TEXT.valid.ur, 'اصلی مہر');
  assert.equal(OUTCOME_TEXT.revoked.en, 'Cancelled');
  assert.equal(OUTCOME_TEXT['invalid-signature'].ur, 'جعلی یا تبدیل شدہ');
});

test('the token comes from the /V/ path; /V/offline has none', () => {
  assert.equal(tokenFromPath('/V/QE'), 'QE');
  assert.equal(tokenFromPath('/V/offline'), null);
  assert.equal(tokenFromPath('/V/'), null);
  assert.equal(tokenFromPath('/field'), null);
});

test('the live-status notice names the revocation list version, or its absence', () => {
  assert.match(liveStatusText(2).en, /version 2\)/);
  assert.match(liveStatusText(2).ur, /ورژن 2/);
  assert.match(liveStatusText(null).en, /no cancellation list/);
});
