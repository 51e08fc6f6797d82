// Offender and location rules, with the cases of Rust `mahasil_domain::identity` tests and
// the edges where JavaScript and Rust read text differently.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FieldError, FieldErrors } from './field-error.js';
import { parseCnic, parseCoordinate, parseEmail, parseMobile, parseParties, parseText, parseVehicleNo, subjectId, trim } from './identity.js';

const refusedAs = (field, code) => (e) => e instanceof FieldError && e.field === field && (code === undefined || e.code === code);

test('CNIC: 13 digits, bare or with the two dashes or spaces, stored with dashes', () => {
  assert.equal(parseCnic('17301-1234567-1'), '17301-1234567-1');
  assert.equal(parseCnic('1730112345671'), '17301-1234567-1');
  assert.equal(parseCnic(' 17301 1234567 1 '), '17301-1234567-1');
  assert.equal(parseCnic('17301-1234567 1'), '17301-1234567-1');
  assert.equal(parseCnic('\u00a017301-1234567-1\u3000'), '17301-1234567-1'); // Unicode white space trimmed as Rust trims
  for (const bad of ['', '1730-11234567-1', '17301-1234567', '17301-1234567-12', '17301-1234567--', '17301--234567-1', '17301-12345A7-1', '１7301-1234567-1', '17301_1234567_1']) {
    assert.throws(() => parseCnic(bad), refusedAs('offender.cnic', 'cnic_format'), bad);
  }
  assert.throws(() => parseCnic('0730112345671'), refusedAs('offender.cnic', 'cnic_zero'));
  // Normalising twice changes nothing.
  for (const d of ['1234567890123', '9999999999999']) assert.equal(parseCnic(parseCnic(d)), parseCnic(d));
});

test('mobile: every way people write it becomes +923XXXXXXXXX', () => {
  for (const ok of ['03001234567', '0300-1234567', '+92 300 1234567', '923001234567', '00923001234567', '+923001234567', '(0300) 1234567', ' 0300-123-4567 ']) {
    assert.equal(parseMobile(ok), '+923001234567', ok);
  }
  for (const bad of ['', '0300123456', '04235761234', '+912001234567', '+9230012345678', '0300-12345x7', '3001234567', '92300123456', '+92 400 1234567']) {
    assert.throws(() => parseMobile(bad), refusedAs('offender.mobile', 'mobile_format'), bad);
  }
  assert.equal(parseMobile(parseMobile('0345-7654321')), '+923457654321');
});

test('email: shape only', () => {
  assert.equal(parseEmail(' a@b.pk '), 'a@b.pk');
  for (const bad of ['', 'a', 'a@', '@b.pk', 'a@b', 'a b@c.pk', 'a@.pk', 'a@b.', 'a@b@c.pk', 'a\u0085b@c.pk', `a@${'b'.repeat(250)}.pk`]) {
    assert.throws(() => parseEmail(bad), refusedAs('offender.email', 'email_format'), JSON.stringify(bad));
  }
});

test('vehicle numbers: upper case, single dashes, digits required', () => {
  assert.equal(parseVehicleNo('les 10 1234'), 'LES-10-1234');
  assert.equal(parseVehicleNo('ABC--123'), 'ABC-123');
  assert.equal(parseVehicleNo('  abc - 123 '), 'ABC-123');
  assert.equal(parseVehicleNo('PSH-1234567890123'.slice(0, 16)), 'PSH-123456789012');
  assert.throws(() => parseVehicleNo('ABC'), refusedAs('offender.vehicle_no', 'vehicle_digits'));
  for (const bad of ['', '  ', 'AB$123', 'ABC-1234567890123', 'پشاور-123']) {
    assert.throws(() => parseVehicleNo(bad), refusedAs('offender.vehicle_no', 'vehicle_format'), bad);
  }
});

test('free text: trimmed, bounded in characters, no control characters but line breaks', () => {
  assert.equal(parseText('offender.name', '  محمد علی '), 'محمد علی');
  assert.equal(parseText('offender.address', 'House 1\nStreet 2'), 'House 1\nStreet 2');
  assert.throws(() => parseText('offender.name', '  '), refusedAs('offender.name', 'required'));
  assert.throws(() => parseText('offender.name', 'x'.repeat(201)), refusedAs('offender.name', 'too_long'));
  assert.equal(parseText('offender.name', '😀'.repeat(200)).length, 400); // characters, not UTF-16 units
  assert.throws(() => parseText('offender.name', 'tab\there'), refusedAs('offender.name', 'control_chars'));
  assert.throws(() => parseText('offender.name', 'a\u0085b'), refusedAs('offender.name', 'control_chars'));
  assert.throws(() => parseText('offender.name', 'lone \ud800 surrogate'), refusedAs('offender.name', 'control_chars'));
  assert.equal(trim('\ufeffx'), '\ufeffx'); // U+FEFF is no white space in Rust
});

test('coordinates: numbers within range, typed or measured', () => {
  assert.equal(parseCoordinate('location.lat', '34.0151', 90), 34.0151);
  assert.equal(parseCoordinate('location.lat', '34,0151', 90), 34.0151);
  assert.equal(parseCoordinate('location.lon', 71.5, 180), 71.5);
  assert.equal(parseCoordinate('location.lat', '-90', 90), -90);
  for (const bad of ['90.0001', 'abc', '0x10', '1e2', 'Infinity']) assert.throws(() => parseCoordinate('location.lat', bad, 90), refusedAs('location.lat', 'coordinate_range'), bad);
  assert.throws(() => parseCoordinate('location.lat', '', 90), refusedAs('location.lat', 'required'));
  assert.throws(() => parseCoordinate('location.lon', Number.NaN, 180), refusedAs('location.lon', 'coordinate_range'));
});

test('a whole form: normalised, or every wrong field named at once', () => {
  const parsed = parseParties(
    { name: ' Khan ', cnic: '1730112345671', mobile: '0300-1234567', email: '', vehicle_no: 'les 10 1234', business_name: ' ', address: '' },
    { lat: '34.01', lon: '71.58', text: 'Khyber Bazaar' },
  );
  assert.deepEqual(parsed, {
    offender: { name: 'Khan', cnic: '17301-1234567-1', mobile: '+923001234567', email: null, vehicle_no: 'LES-10-1234', business_name: null, address: null },
    location: { lat: 34.01, lon: 71.58, text: 'Khyber Bazaar' },
  });
  const asked = parseParties({ name: 'Khan', cnic: '1730112345671', mobile: '0300-1234567', language: ' ur ' }, { lat: '34', lon: '71', text: 'Bazaar' });
  assert.equal(asked.offender.language, 'ur');
  assert.throws(
    () => parseParties({ name: '', cnic: '123', mobile: '0300', email: 'x', language: 'fr' }, { lat: '91', lon: '0', text: '' }),
    (e) =>
      e instanceof FieldErrors &&
      e.errors.map((x) => x.field).join() === 'offender.name,offender.cnic,offender.mobile,offender.email,offender.language,location.lat,location.text',
  );
});

test('the seal subject: the vehicle, else a business name of at most 16 characters', () => {
  assert.equal(subjectId({ vehicle_no: 'ABC-123', business_name: 'Shop' }), 'ABC-123');
  assert.equal(subjectId({ vehicle_no: null, business_name: 'Khan Traders' }), 'Khan Traders');
  assert.equal(subjectId({ vehicle_no: null, business_name: 'ک'.repeat(16) }), 'ک'.repeat(16));
  assert.equal(subjectId({ vehicle_no: null, business_name: 'Khan General Store' }), null);
  assert.equal(subjectId({ vehicle_no: null, business_name: null }), null);
});
