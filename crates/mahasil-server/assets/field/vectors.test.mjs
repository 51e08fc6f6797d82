// Every case of the shared sync vectors (testdata/sync-vectors/vectors.json, written by
// the Rust crate mahasil-sync): the phone must compute the same schedule version,
// amounts, due date, normalised offender, seal claims, CWT payload and protected header,
// payload text, op signed bytes and op hash, byte for byte; and each side's signatures
// must verify on the other. Skipped until the file exists.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { decode } from '../verify/cbor.js';
import { bytesToHex, kidOf, loadTrustList, verifySeal } from '../verify/seal.js';
import { fromB64u, hexToBytes, utf8 } from './encoding.js';
import { daysSinceEpoch, freeze, pakistanDate, scheduleInForce } from './fees.js';
import { parseCnic, parseMobile, parseParties, parseVehicleNo, subjectId } from './identity.js';
import { challanNoDigits } from './numbering.js';
import { requestSigningText, signedRequestHeaders, verifyBytes } from './device-keys.js';
import { ISSUE_KIND, challanPayload, issueOffline, opHash, opSignedBytes } from './issue.js';
import { claimsPayload, sealProtectedHeader } from './seal-sign.js';
import { importPkcs8, importSec1, readSealVectors, readSyncVectors, trustBundle } from './field-support.mjs';

const sync = await readSyncVectors();
const skip = sync === null && 'testdata/sync-vectors/vectors.json is not there yet';
const seconds = (iso) => Date.parse(iso) / 1000;

/** The reference data a pull would carry for the vectors' schedules, in one scope. */
function referenceOf(schedules) {
  const codes = [...new Set(schedules.map((s) => s.head))];
  return {
    districts: [{ slug: 'peshawar', name_en: 'Peshawar', name_ur: 'پشاور' }],
    heads: codes.map((code) => ({ code, kind: 'fine', department: 'district-administration', title_en: code, title_ur: code, active: true, schedules: schedules.filter((s) => s.head === code) })),
  };
}

test('every case: amounts, offender, claims and CWT bytes as Rust computes them', { skip }, () => {
  assert.ok(sync.cases.length >= 4);
  for (const c of sync.cases) {
    const { input, expect } = c;
    const issueDate = pakistanDate(seconds(input.issued_at));
    const schedule = scheduleInForce(sync.schedules.filter((s) => s.head === input.head_code), issueDate);
    assert.equal(schedule.version, expect.schedule_version, c.name);
    const amounts = freeze(input.head_code, schedule, input.requested_amount_paisa, issueDate);
    assert.deepEqual(amounts, { amount_paisa: expect.amount_paisa, amount_after_due_paisa: expect.amount_after_due_paisa, due_date: expect.due_date }, c.name);

    const parties = parseParties(input.offender, input.location);
    assert.deepEqual(parties.offender, expect.offender, c.name);
    const challanNo = challanNoDigits(input.issuer_no, c.chain_before.last_counter + 1);
    assert.equal(challanNo, expect.challan_no, c.name);

    const claims = {
      type: 'challan',
      iss: String(input.issuer_no),
      iat: seconds(input.issued_at),
      cti: challanNo,
      heads: [input.head_code],
      amount_paisa: amounts.amount_paisa,
      amount_after_due_paisa: amounts.amount_after_due_paisa,
      due_date_days: daysSinceEpoch(amounts.due_date),
      officer: input.officer,
      district: input.district,
      subject_id: subjectId(parties.offender) ?? undefined,
    };
    assert.deepEqual(JSON.parse(JSON.stringify(claims)), expect.claims, c.name);
    assert.equal(bytesToHex(claimsPayload(claims)), expect.cwt_payload_hex, c.name);
    assert.equal(bytesToHex(sealProtectedHeader(hexToBytes(sync.device_key.kid))), expect.protected_hex, c.name);

    // With the seal Rust signed, the payload text, signed bytes and hash are Rust's to the byte.
    const seal = fromB64u(expect.seal_b64u_signed_by_rust);
    const payload = challanPayload({
      id: input.id,
      challanNo,
      head: { code: input.head_code },
      schedule,
      amounts,
      district: input.district,
      officer: input.officer,
      parties,
      issuedAtS: seconds(input.issued_at),
      prevHash: c.chain_before.head,
      seal,
    });
    assert.equal(payload, expect.payload_text, c.name);
    const signed = opSignedBytes(input.op_id, ISSUE_KIND, payload);
    assert.equal(new TextDecoder().decode(signed), expect.op_signed_bytes, c.name);
  }
});

test('every case: op hashes chain, and Rust signatures verify here', { skip }, async () => {
  const publicKey = await importSec1(sync.device_key.public_key);
  assert.equal(bytesToHex(await kidOf(hexToBytes(sync.device_key.public_key))), sync.device_key.kid);
  const enrolledAt = Math.min(...sync.cases.map((c) => seconds(c.input.issued_at))) - 60;
  const entry = { kid_hex: sync.device_key.kid, public_sec1_hex: sync.device_key.public_key, issuer: String(sync.device_key.issuer_no), usage: 'challan', valid_from: enrolledAt, valid_until: null, status: 'active', compromised_at: null };
  const trust = await loadTrustList(await trustBundle(await readSealVectors(), 2, enrolledAt, [entry]));
  let previous = null;
  for (const c of sync.cases) {
    const { expect } = c;
    const signed = utf8(expect.op_signed_bytes);
    assert.equal(await opHash(signed), expect.op_hash, c.name);
    if (previous !== null && c.chain_before.head !== null) assert.equal(c.chain_before.head, previous, `${c.name} chains to the case before`);
    previous = expect.op_hash;
    assert.ok(await verifyBytes(publicKey, fromB64u(expect.op_sig_by_rust), signed), `${c.name}: Rust's op signature`);
    const verified = await verifySeal(fromB64u(expect.seal_b64u_signed_by_rust), trust, null);
    assert.equal(verified.outcome, 'valid', `${c.name}: ${verified.reason}`);
    assert.deepEqual(verified.claims, expect.claims, c.name);
  }
});

test('every case issued here with the vectors key equals Rust but for the signatures', { skip }, async () => {
  const privateKey = await importPkcs8(sync.device_key.pkcs8_b64);
  const publicKey = await importSec1(sync.device_key.public_key);
  for (const c of sync.cases) {
    const { input, expect } = c;
    const requested = input.requested_amount_paisa;
    const form = {
      head_code: input.head_code,
      district: input.district,
      amount: requested === null ? '' : (requested / 100).toFixed(2),
      offender: input.offender,
      location: { lat: String(input.location.lat), lon: String(input.location.lon), text: input.location.text },
    };
    const issued = await issueOffline(form, {
      reference: referenceOf(sync.schedules),
      scope: [{ district: 'peshawar', department: 'district-administration' }],
      officer: input.officer,
      device: { issuer_no: input.issuer_no, kid: sync.device_key.kid },
      chain: { counter: c.chain_before.last_counter, head_hash: c.chain_before.head, last_issued_s: 0 },
      serverCounter: 0,
      nowMs: Date.parse(input.issued_at),
      privateKey,
      baseUrl: 'https://mahasil.kp.gov.pk',
      ids: { id: input.id, opId: input.op_id },
    });
    const mine = JSON.parse(issued.op.payload);
    const rust = JSON.parse(expect.payload_text);
    assert.deepEqual({ ...mine, seal: null }, { ...rust, seal: null }, c.name);
    const [protectedBytes, , payload] = decode(fromB64u(mine.seal));
    assert.equal(bytesToHex(protectedBytes), expect.protected_hex, c.name);
    assert.equal(bytesToHex(payload), expect.cwt_payload_hex, c.name);
    // The payload text differs only in the seal's signature, so the op is signed over it afresh.
    assert.ok(await verifyBytes(publicKey, fromB64u(issued.op.sig), opSignedBytes(input.op_id, ISSUE_KIND, issued.op.payload)), c.name);
    assert.equal(issued.hash, await opHash(opSignedBytes(input.op_id, ISSUE_KIND, issued.op.payload)), c.name);
  }
});

test('normalisation cases', { skip }, () => {
  const parsers = { cnic: parseCnic, mobile: parseMobile, vehicle_no: parseVehicleNo };
  for (const n of sync.normalisation) {
    const parse = parsers[n.field];
    assert.ok(parse, `a parser for ${n.field}`);
    if (n.output === null) assert.throws(() => parse(n.input), `${n.field} ${n.input}`);
    else assert.equal(parse(n.input), n.output, `${n.field} ${n.input}`);
  }
});

test('the signed request message, and a JS-signed request Rust would check', { skip }, async () => {
  const r = sync.request;
  assert.equal(requestSigningText(r.method, r.path_and_query, String(r.timestamp_s), r.nonce, r.body), r.message);
  const privateKey = await importPkcs8(sync.device_key.pkcs8_b64);
  const headers = await signedRequestHeaders({ deviceId: 'd', privateKey, method: r.method, pathAndQuery: r.path_and_query, body: r.body, timestampS: r.timestamp_s, nonce: r.nonce });
  assert.ok(await verifyBytes(await importSec1(sync.device_key.public_key), fromB64u(headers['X-Mahasil-Signature']), utf8(r.message)));
  assert.equal(fromB64u(r.nonce).length, 16);
});
