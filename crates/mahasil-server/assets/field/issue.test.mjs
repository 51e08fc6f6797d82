// Offline issuance end to end without a browser: numbers, frozen amounts, the seal, the
// op payload, its signed bytes, hash and chain, and the other bytes the device signs
// (enrolment proof, request headers), each checked against an independent computation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { loadTrustList, parseQr, verifySeal } from '../verify/seal.js';
import { fromB64u, hexToBytes, utf8 } from './encoding.js';
import { FieldErrors } from './field-error.js';
import { enrolProof, enrolProofText, generateDeviceKey, describePublicKey, signedRequestHeaders, verifyBytes } from './device-keys.js';
import { ISSUE_KIND, issuableDistricts, issuableHeads, issueOffline, opHash, opSignedBytes, signOp } from './issue.js';
import { entryFor, readSealVectors, trustBundle } from './field-support.mjs';

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

const fixed = (version, effectiveFrom, amount, after) => ({
  head: 'DA-ENC-01',
  version,
  amount: { type: 'fixed', amount_paisa: amount },
  due_days: 14,
  after_due: { type: 'fixed', amount_paisa: after },
  effective_from: effectiveFrom,
});

/** Reference data in the shape of a pull's `reference` (Rust `mahasil_sync::challan::Reference`). */
const reference = {
  districts: [
    { slug: 'peshawar', name_en: 'Peshawar', name_ur: 'پشاور' },
    { slug: 'mardan', name_en: 'Mardan', name_ur: 'مردان' },
  ],
  heads: [
    {
      code: 'DA-ENC-01',
      kind: 'fine',
      department: 'district-administration',
      title_en: 'Encroachment on a public road',
      title_ur: 'سرکاری سڑک پر تجاوز',
      active: true,
      schedules: [fixed(1, '2025-01-01', 500_000, 600_000), fixed(2, '2026-12-01', 700_000, 800_000)],
    },
    {
      code: 'PC-OVR-01',
      kind: 'fine',
      department: 'price-control',
      title_en: 'Overcharging',
      title_ur: 'زائد قیمت وصول کرنا',
      active: true,
      schedules: [
        {
          head: 'PC-OVR-01',
          version: 1,
          amount: { type: 'range', min_paisa: 100_000, max_paisa: 5_000_000 },
          due_days: 30,
          after_due: { type: 'surcharge_basis_points', basis_points: 1_000 },
          effective_from: '2025-01-01',
        },
      ],
    },
    { code: 'DA-OLD-01', kind: 'fine', department: 'district-administration', title_en: 'Old', title_ur: 'پرانا', active: false, schedules: [{ ...fixed(1, '2025-01-01', 1, 1), head: 'DA-OLD-01' }] },
  ],
};
const scope = [
  { district: 'peshawar', department: 'district-administration' },
  { district: 'peshawar', department: 'price-control' },
];

const form = (over = {}) => ({
  head_code: 'DA-ENC-01',
  district: 'peshawar',
  amount: '',
  offender: { name: 'Gul Khan', cnic: '1730112345671', mobile: '0300-1234567', email: '', vehicle_no: 'pes 123', business_name: '', address: 'Mohalla Jangi' },
  location: { lat: '34.0151', lon: '71.5249', text: 'Qissa Khwani Bazaar' },
  ...over,
});

const vectors = await readSealVectors();
const pair = await generateDeviceKey();
const { publicKeyHex, kidHex } = await describePublicKey(pair.publicKey);
const enrolledAt = Date.parse('2026-11-27T09:00:00Z') / 1000;
const trust = await loadTrustList(await trustBundle(vectors, 2, enrolledAt, [await entryFor(pair.publicKey, { issuer: '500001', validFrom: enrolledAt })]));

let randomCalls = 0;
const ctx = (over = {}) => ({
  reference,
  scope,
  officer: 'officer.peshawar',
  device: { issuer_no: 500001, kid: kidHex },
  chain: { counter: 16, head_hash: 'ab'.repeat(32), last_issued_s: 0 },
  serverCounter: 12,
  nowMs: Date.parse('2026-11-27T10:00:00.250Z'),
  privateKey: pair.privateKey,
  baseUrl: 'https://mahasil.kp.gov.pk',
  random: () => Uint8Array.from({ length: 10 }, (_, i) => (i + randomCalls++) % 256),
  ...over,
});

test('op signed bytes and hash are the text docs/SYNC.md names, hashed with SHA-256', async () => {
  const payload = '{"id":"x","name":"گل خان"}';
  const bytes = opSignedBytes('0190f3a2-0000-7000-8000-000000000001', ISSUE_KIND, payload);
  const expected = Buffer.from(`mahasil-op\n0190f3a2-0000-7000-8000-000000000001\nchallan.issue\n${payload}`, 'utf8');
  assert.deepEqual(Buffer.from(bytes), expected);
  assert.equal(await opHash(bytes), sha256Hex(expected));
  const { op, hash } = await signOp(pair.privateKey, '0190f3a2-0000-7000-8000-000000000001', ISSUE_KIND, payload);
  assert.deepEqual(Object.keys(op), ['op_id', 'kind', 'payload', 'sig']);
  assert.equal(hash, sha256Hex(expected));
  assert.match(op.sig, /^[A-Za-z0-9_-]{86}$/);
  assert.ok(await verifyBytes(pair.publicKey, fromB64u(op.sig), bytes));
  assert.equal(await verifyBytes(pair.publicKey, fromB64u(op.sig), utf8(`mahasil-op\nother\nchallan.issue\n${payload}`)), false);
});

test('an offline challan: number, amounts, seal, payload and op agree with each other', async () => {
  const { challan, op, hash, chain } = await issueOffline(form(), ctx());
  assert.equal(challan.challan_no, '500001000000175'); // counter 17: one past the local 16
  assert.equal(challan.counter, 17);
  assert.deepEqual(chain, { counter: 17, head_hash: hash, last_issued_s: Date.parse('2026-11-27T10:00:00Z') / 1000 });

  const payload = JSON.parse(op.payload);
  assert.deepEqual(Object.keys(payload), ['id', 'challan_no', 'head_code', 'schedule_version', 'amount_paisa', 'amount_after_due_paisa', 'due_date', 'district', 'officer', 'offender', 'location', 'issued_at', 'prev_hash', 'seal']);
  assert.deepEqual({ ...payload, id: undefined, seal: undefined }, {
    id: undefined,
    challan_no: '500001000000175',
    head_code: 'DA-ENC-01',
    schedule_version: 1,
    amount_paisa: 500_000,
    amount_after_due_paisa: 600_000,
    due_date: '2026-12-11',
    district: 'peshawar',
    officer: 'officer.peshawar',
    offender: { name: 'Gul Khan', cnic: '17301-1234567-1', mobile: '+923001234567', email: null, vehicle_no: 'PES-123', business_name: null, address: 'Mohalla Jangi' },
    location: { lat: 34.0151, lon: 71.5249, text: 'Qissa Khwani Bazaar' },
    issued_at: '2026-11-27T10:00:00Z',
    prev_hash: 'ab'.repeat(32),
    seal: undefined,
  });
  assert.match(payload.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(op.op_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  assert.notEqual(op.op_id, payload.id);
  assert.equal(payload.id, challan.id);

  // The op: signed by the device key over exactly the bytes sent; the hash is theirs.
  const bytes = Buffer.from(`mahasil-op\n${op.op_id}\nchallan.issue\n${op.payload}`, 'utf8');
  assert.ok(await verifyBytes(pair.publicKey, fromB64u(op.sig), bytes));
  assert.equal(hash, sha256Hex(bytes));

  // The seal: valid for the device's trust list entry, with claims exactly the payload's.
  const seal = fromB64u(payload.seal);
  assert.deepEqual(parseQr(challan.qr_url), seal);
  assert.ok(challan.qr_url.startsWith('HTTPS://MAHASIL.KP.GOV.PK/V/'));
  assert.equal(challan.qr_url, challan.qr_url.toUpperCase());
  const verified = await verifySeal(seal, trust, null);
  assert.equal(verified.outcome, 'valid', verified.reason);
  assert.deepEqual(verified.claims, {
    type: 'challan',
    iss: '500001',
    iat: Date.parse(payload.issued_at) / 1000,
    cti: payload.challan_no,
    heads: ['DA-ENC-01'],
    amount_paisa: 500_000,
    amount_after_due_paisa: 600_000,
    due_date_days: Date.parse('2026-12-11') / 86_400_000,
    officer: 'officer.peshawar',
    district: 'peshawar',
    subject_id: 'PES-123',
  });
});

test('successive challans chain: each prev_hash is the hash of the op before', async () => {
  let c = ctx({ chain: { counter: 0, head_hash: null, last_issued_s: 0 }, serverCounter: 0 });
  const hashes = [];
  for (let i = 0; i < 3; i++) {
    const issued = await issueOffline(form(), c);
    const payload = JSON.parse(issued.op.payload);
    assert.equal(payload.prev_hash, i === 0 ? null : hashes[i - 1]);
    assert.equal(issued.challan.counter, i + 1);
    hashes.push(issued.hash);
    c = { ...c, chain: issued.chain };
  }
  assert.equal(new Set(hashes).size, 3);
});

test('a device whose clock went back dates the challan at its predecessor, and uses the server counter when higher', async () => {
  const last = Date.parse('2026-11-27T10:05:00Z') / 1000;
  const { op, challan } = await issueOffline(form(), ctx({ chain: { counter: 3, head_hash: null, last_issued_s: last }, serverCounter: 40 }));
  assert.equal(JSON.parse(op.payload).issued_at, '2026-11-27T10:05:00Z');
  assert.equal(challan.counter, 41);
});

test('the schedule in force is chosen by the Pakistan date of issue', async () => {
  // 30 Nov 19:30 UTC is already 1 Dec in Pakistan: version 2 (PKR 7,000, due 15 Dec).
  const late = await issueOffline(form(), ctx({ nowMs: Date.parse('2026-11-30T19:30:00Z') }));
  const payload = JSON.parse(late.op.payload);
  assert.deepEqual([payload.schedule_version, payload.amount_paisa, payload.amount_after_due_paisa, payload.due_date], [2, 700_000, 800_000, '2026-12-15']);
  const early = JSON.parse((await issueOffline(form(), ctx({ nowMs: Date.parse('2026-11-30T18:59:59Z') }))).op.payload);
  assert.deepEqual([early.schedule_version, early.due_date], [1, '2026-12-14']);
});

test('a range head takes the typed amount; business names stand in for a missing vehicle', async () => {
  const offender = { ...form().offender, vehicle_no: '', business_name: 'Khan Traders' };
  const { op } = await issueOffline(form({ head_code: 'PC-OVR-01', amount: '2,500.50', offender }), ctx());
  const payload = JSON.parse(op.payload);
  assert.deepEqual([payload.amount_paisa, payload.amount_after_due_paisa, payload.due_date], [250_050, 275_055, '2026-12-27']);
  const verified = await verifySeal(fromB64u(payload.seal), trust, null);
  assert.equal(verified.claims.subject_id, 'Khan Traders');
});

test('a wrong form names every wrong field and makes nothing', async () => {
  const wrong = async (f, fields) => {
    await assert.rejects(issueOffline(f, ctx()), (e) => e instanceof FieldErrors && e.errors.map((x) => `${x.field}:${x.code}`).join() === fields);
  };
  await wrong(form({ head_code: 'PC-OVR-01' }), 'amount_paisa:amount_required');
  await wrong(form({ head_code: 'PC-OVR-01', amount: '999.99' }), 'amount_paisa:amount_out_of_range');
  await wrong(form({ head_code: 'DA-OLD-01' }), 'head_code:head_unknown');
  await wrong(form({ district: 'mardan' }), 'district:district_unknown');
  await wrong(form({ district: 'islamabad' }), 'district:district_unknown');
  await wrong(form({ offender: { ...form().offender, cnic: '12', mobile: '' }, location: { lat: '', lon: '200', text: 'x' } }), 'offender.cnic:cnic_format,offender.mobile:mobile_format,location.lat:required,location.lon:coordinate_range');
  await assert.rejects(issueOffline(form(), ctx({ nowMs: Date.parse('2024-06-01T00:00:00Z') })), (e) => e.errors?.[0]?.code === 'no_schedule');
});

test('what the officer may choose: districts and active heads of the scope', () => {
  assert.deepEqual(issuableDistricts(reference, scope).map((d) => d.slug), ['peshawar']);
  assert.deepEqual(issuableHeads(reference, scope, 'peshawar').map((h) => h.code), ['DA-ENC-01', 'PC-OVR-01']);
  assert.deepEqual(issuableHeads(reference, [{ district: 'peshawar', department: 'price-control' }], 'peshawar').map((h) => h.code), ['PC-OVR-01']);
  assert.deepEqual(issuableDistricts(reference, [{ district: null, department: 'price-control' }]).map((d) => d.slug), ['peshawar', 'mardan']);
});

test('the enrolment proof and signed request headers sign exactly the texts of docs/SYNC.md', async () => {
  assert.match(publicKeyHex, /^04[0-9a-f]{128}$/);
  assert.equal(kidHex, sha256Hex(hexToBytes(publicKeyHex)).slice(0, 16));
  const proof = await enrolProof(pair.privateKey, 'officer.peshawar', publicKeyHex);
  assert.equal(enrolProofText('officer.peshawar', publicKeyHex), `mahasil-enrol\nofficer.peshawar\n${publicKeyHex}`);
  assert.ok(await verifyBytes(pair.publicKey, fromB64u(proof), utf8(`mahasil-enrol\nofficer.peshawar\n${publicKeyHex}`)));

  const body = '{"issuer_no":500001,"ops":[]}';
  const headers = await signedRequestHeaders({ deviceId: 'd-1', privateKey: pair.privateKey, method: 'POST', pathAndQuery: '/api/v1/sync/push', body, timestampS: 1_795_000_000 });
  assert.equal(headers['X-Mahasil-Device'], 'd-1');
  assert.equal(headers['X-Mahasil-Timestamp'], '1795000000');
  assert.match(headers['X-Mahasil-Nonce'], /^[A-Za-z0-9_-]{22}$/);
  const text = `POST\n/api/v1/sync/push\n1795000000\n${headers['X-Mahasil-Nonce']}\n${body}`;
  assert.ok(await verifyBytes(pair.publicKey, fromB64u(headers['X-Mahasil-Signature']), utf8(text)));
  const again = await signedRequestHeaders({ deviceId: 'd-1', privateKey: pair.privateKey, method: 'POST', pathAndQuery: '/api/v1/sync/push', body, timestampS: 1_795_000_000 });
  assert.notEqual(again['X-Mahasil-Nonce'], headers['X-Mahasil-Nonce']);
});

test("the offender's language travels in the payload only when it was asked", async () => {
  const asked = await issueOffline(form({ offender: { ...form().offender, language: 'en' } }), ctx());
  assert.equal(JSON.parse(asked.op.payload).offender.language, 'en');
  const unasked = await issueOffline(form({ offender: { ...form().offender, language: '' } }), ctx());
  assert.equal('language' in JSON.parse(unasked.op.payload).offender, false, 'left out, as the server writes it');
  await assert.rejects(
    issueOffline(form({ offender: { ...form().offender, language: 'pashto' } }), ctx()),
    (e) => e instanceof FieldErrors && e.errors.some((x) => x.field === 'offender.language'),
  );
});
