// Fee schedules: the version in force on a Pakistan date, and the amounts and due date
// frozen, with the cases of Rust `mahasil_domain::head` and `money` tests and more.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FieldError } from './field-error.js';
import { addDays, daysSinceEpoch, formatPaisa, freeze, pakistanDate, parseRupees, plusBasisPoints, scheduleInForce } from './fees.js';

const at = (iso) => Date.parse(iso) / 1000;

/** DA-ENC-01 of the demo catalogue: PKR 5,000 within 14 days, PKR 6,000 after (Rust `FeeSchedule` JSON). */
const encroachment = {
  head: 'DA-ENC-01',
  version: 1,
  amount: { type: 'fixed', amount_paisa: 500_000 },
  due_days: 14,
  after_due: { type: 'fixed', amount_paisa: 600_000 },
  effective_from: '2025-01-01',
};

/** PC-OVR-01: PKR 1,000 to 50,000 within 30 days, 10% surcharge after. */
const overcharging = {
  head: 'PC-OVR-01',
  version: 1,
  amount: { type: 'range', min_paisa: 100_000, max_paisa: 5_000_000 },
  due_days: 30,
  after_due: { type: 'surcharge_basis_points', basis_points: 1_000 },
  effective_from: '2025-01-01',
};

const refused = (code) => (e) => e instanceof FieldError && e.code === code && e.field === 'amount_paisa';

test('a fixed schedule freezes its amounts; a different typed amount is refused', () => {
  assert.deepEqual(freeze('DA-ENC-01', encroachment, null, '2026-11-27'), { amount_paisa: 500_000, amount_after_due_paisa: 600_000, due_date: '2026-12-11' });
  assert.equal(freeze('DA-ENC-01', encroachment, 500_000, '2026-11-27').amount_paisa, 500_000);
  assert.throws(() => freeze('DA-ENC-01', encroachment, 400_000, '2026-11-27'), refused('amount_not_allowed'));
});

test('a range needs an amount within its bounds, inclusive', () => {
  const d = '2026-11-27';
  assert.throws(() => freeze('PC-OVR-01', overcharging, null, d), refused('amount_required'));
  assert.throws(() => freeze('PC-OVR-01', overcharging, 99_999, d), refused('amount_out_of_range'));
  assert.throws(() => freeze('PC-OVR-01', overcharging, 5_000_001, d), refused('amount_out_of_range'));
  assert.throws(() => freeze('PC-OVR-01', overcharging, 0, d), refused('amount_positive'));
  assert.throws(() => freeze('PC-OVR-01', overcharging, 1.5, d), refused('amount_positive'));
  assert.deepEqual(freeze('PC-OVR-01', overcharging, 100_000, d), { amount_paisa: 100_000, amount_after_due_paisa: 110_000, due_date: '2026-12-27' });
  assert.equal(freeze('PC-OVR-01', overcharging, 5_000_000, d).amount_paisa, 5_000_000);
  const err = (() => {
    try {
      freeze('PC-OVR-01', overcharging, 99_999, d);
    } catch (e) {
      return e;
    }
  })();
  assert.deepEqual(err.params, { head: 'PC-OVR-01', min: 100_000, max: 5_000_000 });
});

test('a surcharge rounds up to the paisa, exactly even past 2^53', () => {
  assert.equal(plusBasisPoints(1001, 1000), 1102); // 100.1 → 101
  assert.equal(plusBasisPoints(100_000, 2000), 120_000);
  assert.equal(plusBasisPoints(1, 1), 2); // 0.0001 paisa still rounds up
  assert.equal(plusBasisPoints(10_000, 0), 10_000);
  assert.equal(plusBasisPoints(999_999_999, 1), 1_000_099_999); // 99,999.9999 → 100,000
  // Past the largest amount is refused, also where amount × basis points passes 2^53.
  assert.throws(() => plusBasisPoints(500_000_000_001, 10_000), (e) => e.code === 'amount_too_large');
  assert.throws(() => plusBasisPoints(999_999_999_999, 10_000), (e) => e.code === 'amount_too_large');
  assert.equal(plusBasisPoints(500_000_000_000, 10_000), 1_000_000_000_000);
  const surcharged = { ...overcharging, amount: { ...overcharging.amount, min_paisa: 1 }, after_due: { type: 'surcharge_basis_points', basis_points: 1_250 } };
  assert.equal(freeze('PC-OVR-01', surcharged, 333, '2026-01-01').amount_after_due_paisa, 375); // 41.625 → 42
  const same = { ...overcharging, after_due: { type: 'same' } };
  assert.equal(freeze('PC-OVR-01', same, 123_456, '2026-01-01').amount_after_due_paisa, 123_456);
});

test('due dates cross month, year and leap-day ends', () => {
  const due = (days, date) => freeze('X', { ...encroachment, due_days: days }, null, date).due_date;
  assert.equal(due(14, '2026-12-20'), '2027-01-03');
  assert.equal(due(1, '2026-12-31'), '2027-01-01');
  assert.equal(due(30, '2026-01-31'), '2026-03-02');
  assert.equal(due(1, '2028-02-28'), '2028-02-29');
  assert.equal(due(1, '2100-02-28'), '2100-03-01'); // not a leap year
  assert.equal(due(366, '2027-03-01'), '2028-03-01');
  assert.equal(addDays('2026-11-27', 14), '2026-12-11');
  assert.equal(daysSinceEpoch('1970-01-02'), 1);
  assert.equal(daysSinceEpoch('2026-01-25'), 20478); // the valid-challan vector's due date
  assert.throws(() => daysSinceEpoch('2026-02-30'));
});

test('Pakistan dates turn at 19:00 UTC', () => {
  assert.equal(pakistanDate(at('2026-03-01T18:59:59Z')), '2026-03-01');
  assert.equal(pakistanDate(at('2026-03-01T19:00:00Z')), '2026-03-02');
  assert.equal(pakistanDate(at('2026-12-31T19:30:00Z')), '2027-01-01');
});

test('the schedule in force is the latest effective on the Pakistan issue date', () => {
  const v2 = { ...encroachment, version: 2, effective_from: '2026-07-01', amount: { type: 'fixed', amount_paisa: 700_000 }, after_due: { type: 'fixed', amount_paisa: 800_000 } };
  const all = [encroachment, v2];
  assert.equal(scheduleInForce(all, '2024-12-31'), null);
  assert.equal(scheduleInForce(all, '2026-06-30').version, 1);
  assert.equal(scheduleInForce(all, '2026-07-01').version, 2);
  assert.equal(scheduleInForce([v2, encroachment], '2026-07-02').version, 2); // order does not matter
  // 2026-06-30T19:30Z is already 1 July in Pakistan: version 2, due 14 days after 1 July.
  const issued = pakistanDate(at('2026-06-30T19:30:00Z'));
  const schedule = scheduleInForce(all, issued);
  assert.equal(schedule.version, 2);
  assert.deepEqual(freeze('DA-ENC-01', schedule, null, issued), { amount_paisa: 700_000, amount_after_due_paisa: 800_000, due_date: '2026-07-15' });
  // Half an hour earlier it is still 30 June there.
  assert.equal(scheduleInForce(all, pakistanDate(at('2026-06-30T18:59:59Z'))).version, 1);
  // Two versions from the same day: the higher version.
  const v3 = { ...v2, version: 3 };
  assert.equal(scheduleInForce([v3, v2, encroachment], '2026-08-01').version, 3);
});

test('rupees typed become paisa; money prints as Rust prints it', () => {
  assert.equal(parseRupees('amount_paisa', '5000'), 500_000);
  assert.equal(parseRupees('amount_paisa', ' 5,000 '), 500_000);
  assert.equal(parseRupees('amount_paisa', '1250.5'), 125_050);
  assert.equal(parseRupees('amount_paisa', '1250.50'), 125_050);
  assert.equal(parseRupees('amount_paisa', '0.99'), 99);
  assert.equal(parseRupees('amount_paisa', ''), null);
  for (const bad of ['1.234', '-5', 'abc', '1e3', '0', '0.00', '12345678901']) assert.throws(() => parseRupees('amount_paisa', bad), FieldError, bad);
  assert.equal(formatPaisa(500_000), 'PKR 5,000');
  assert.equal(formatPaisa(125_050), 'PKR 1,250.50');
  assert.equal(formatPaisa(99), 'PKR 0.99');
  assert.equal(formatPaisa(12_345_678_900), 'PKR 123,456,789');
});
