// The device protocol end to end under Node: enrolment, signed pulls and pushes against a
// loopback stand-in for the server (fake-server-support.mjs) that checks signatures,
// nonces, clocks and seals; and what the outbox does with every kind of answer: accepted,
// duplicate, rejected, none (cut connection, 503, ops left unanswered).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FieldApi, ServerClock } from './api.js';
import { enrolDevice, checkCertificate, CertificateError } from './enrolment.js';
import { issueAndStore, CannotIssue } from './offline-issuer.js';
import { LocalLocks, SyncEngine, backoffDelayMs, planPush, preparePull, BACKOFF_CAP_MS, SYNC_INTERVAL_MS, RestartPull } from './sync.js';
import { MemoryStore } from './memory-store-support.mjs';
import { startFakeServer } from './fake-server-support.mjs';
import { readSealVectors, trustBundle } from './field-support.mjs';
import { revocationAnswer, trustListBundle } from '../verify/vector-support.mjs';
import { generateDeviceKey, describePublicKey } from './device-keys.js';

const vectors = await readSealVectors();

const form = (n, over = {}) => ({
  head_code: 'DA-ENC-01',
  district: 'peshawar',
  amount: '',
  offender: { name: `Offender ${n}`, cnic: '17301-1234567-1', mobile: '03001234567', vehicle_no: `PES-${100 + n}` },
  location: { lat: '34.0151', lon: '71.5249', text: 'Khyber Bazaar' },
  ...over,
});

/** A phone: its store, API client (with its own clock estimate), sync engine and issuing. */
async function phone(server, { localSkewS = 0 } = {}) {
  const store = new MemoryStore();
  const reachability = [];
  const clock = new ServerClock(0, () => Date.now() + localSkewS * 1000);
  const api = new FieldApi({ fetch, clock, origin: server.origin, onOutcome: (ok) => reachability.push(ok) });
  const locks = new LocalLocks();
  const engine = new SyncEngine({ store, api, locks });
  const login = await api.login('officer.peshawar', 'demo-password');
  const device = await enrolDevice({ api, store, token: login.token, username: login.username, label: 'Test phone' });
  const issue = (f) => issueAndStore(f, { store, locks, nowMs: () => clock.nowMs(), baseUrl: server.origin });
  return { store, api, clock, engine, device, issue, reachability, locks };
}

test('enrolment stores a non-extractable key and a certificate naming it', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const { store, device } = await phone(server);
  assert.equal(device.issuer_no, 500001);
  assert.equal(device.keyPair.privateKey.extractable, false);
  const held = await store.snapshot();
  assert.equal(held.trust.version, 2);
  assert.equal(held.trust.root_kid, vectors.keys.root.kid_hex);
  assert.deepEqual(held.chain, { counter: 0, head_hash: null, last_issued_s: 0 });
  assert.equal(await store.getMeta('pending-key'), undefined);
  // A second phone gets the next issuer number.
  assert.equal((await phone(server)).device.issuer_no, 500002);
});

test('a key the server already knows is replaced by a fresh one, once', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const first = await phone(server);
  const store = new MemoryStore();
  await store.setMeta('pending-key', first.device.keyPair); // as if the first answer had been lost
  const api = new FieldApi({ fetch, origin: server.origin });
  const login = await api.login('officer.peshawar', 'demo-password');
  const device = await enrolDevice({ api, store, token: login.token, username: 'officer.peshawar', label: 'again' });
  assert.notEqual(device.kid, first.device.kid);
  assert.equal(device.issuer_no, 500002);
});

test('a certificate that does not vouch for the key is refused', async () => {
  const pair = await generateDeviceKey();
  const { publicKeyHex, kidHex } = await describePublicKey(pair.publicKey);
  const answer = { device_id: 'd', issuer_no: 500001, kid: kidHex, certificate: { trust_list: trustListBundle(vectors) } };
  await assert.rejects(checkCertificate(answer, publicKeyHex, kidHex), CertificateError);
  await assert.rejects(checkCertificate({ ...answer, kid: '00'.repeat(8) }, publicKeyHex, kidHex), CertificateError);
  const entry = { kid_hex: kidHex, public_sec1_hex: publicKeyHex, issuer: '500009', usage: 'challan', valid_from: 1, valid_until: null, status: 'active', compromised_at: null };
  const otherIssuer = { ...answer, certificate: { trust_list: await trustBundle(vectors, 2, 1, [entry]) } };
  await assert.rejects(checkCertificate(otherIssuer, publicKeyHex, kidHex), /another issuer number/);
  const receiptKey = { ...answer, issuer_no: 500009, certificate: { trust_list: await trustBundle(vectors, 2, 1, [{ ...entry, usage: 'receipt' }]) } };
  await assert.rejects(checkCertificate(receiptKey, publicKeyHex, kidHex), /seal challans/);
  assert.equal((await checkCertificate({ ...answer, issuer_no: 500009, certificate: otherIssuer.certificate }, publicKeyHex, kidHex)).version, 2);
});

test('pull stores reference data, trust list and cursor; an unchanged pull keeps them', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await assert.rejects(p.issue(form(1)), (e) => e instanceof CannotIssue && e.code === 'no_reference');
  assert.equal((await p.engine.sync()).ok, true);
  let held = await p.store.snapshot();
  assert.equal(held.sync.cursor, '1.2');
  assert.deepEqual(held.reference.heads.map((h) => h.code), ['DA-ENC-01', 'PC-OVR-01']);
  assert.equal(held.officer.username, 'officer.peshawar');
  assert.equal(held.sync.max_age_hours, 72);
  assert.ok(held.sync.pulled_at_ms > 0 && held.sync.last_sync_ms > 0);
  assert.ok(server.state.requests.includes('GET /api/v1/sync/pull'));

  server.state.maxAgeHours = 24;
  assert.equal((await p.engine.sync()).ok, true);
  held = await p.store.snapshot();
  assert.equal(held.reference.heads.length, 2, 'reference: null keeps what is held');
  assert.equal(held.sync.max_age_hours, 24);

  // A new trust list (another phone enrolled) is verified and taken.
  await phone(server);
  await p.engine.sync();
  assert.equal((await p.store.snapshot()).trust.version, 3);
});

test('offline challans are pushed once, chained, and marked received', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  const issued = [];
  for (let n = 1; n <= 3; n++) issued.push(await p.issue(form(n)));
  assert.deepEqual(issued.map((c) => c.challan_no.slice(0, 14)), ['50000100000001', '50000100000002', '50000100000003']);
  assert.equal(await p.store.outboxCount(), 3);

  const outcome = await p.engine.sync();
  assert.deepEqual([outcome.ok, outcome.pushed, outcome.rejected], [true, 3, 0]);
  assert.equal(await p.store.outboxCount(), 0);
  for (const c of issued) assert.equal((await p.store.challan(c.id)).sync, 'synced');
  // The server holds them with the chain intact: each prev_hash is the op hash before it.
  const stored = issued.map((c) => server.state.challans.get(c.challan_no));
  assert.equal(stored[0].prev_hash, null);
  assert.equal(stored[1].prev_hash, issued[0].op_hash);
  assert.equal(stored[2].prev_hash, issued[1].op_hash);
  assert.equal((await p.store.snapshot()).sync.last_counter_received, 3);
  // Nothing left: the next sync pushes nothing.
  const pushes = server.state.requests.filter((r) => r === 'POST /api/v1/sync/push').length;
  await p.engine.sync();
  assert.equal(server.state.requests.filter((r) => r === 'POST /api/v1/sync/push').length, pushes);
});

test('a cut connection or a 503 keeps every op; the next sync sends them again', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  await p.issue(form(1));
  await p.issue(form(2));

  server.faults.push('cut');
  let outcome = await p.engine.sync();
  assert.equal(outcome.ok, false);
  assert.equal(outcome.error.code, 'network');
  assert.equal(p.engine.status.failures, 1);
  assert.equal(p.reachability.at(-1), false);
  assert.equal(await p.store.outboxCount(), 2);

  server.faults.push(undefined, '503'); // the pull passes, the push meets a 503
  outcome = await p.engine.sync();
  assert.equal(outcome.error.status, 503);
  assert.equal(p.engine.status.failures, 2);
  assert.equal(await p.store.outboxCount(), 2);

  outcome = await p.engine.sync();
  assert.equal(outcome.ok, true);
  assert.equal(p.engine.status.failures, 0);
  assert.equal(p.reachability.at(-1), true);
  assert.equal(await p.store.outboxCount(), 0);
  assert.equal(server.state.challans.size, 2);
});

test('ops left unanswered stay; sent again they come back duplicate and leave', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  const issued = [await p.issue(form(1)), await p.issue(form(2)), await p.issue(form(3))];
  server.faults.push(undefined, { unanswered: 1 }); // stored by the server, but the last answer is lost
  const outcome = await p.engine.sync();
  assert.equal(outcome.ok, true);
  assert.equal(outcome.pushed, 2);
  assert.deepEqual((await p.store.outboxBatch(10)).map((e) => e.challan_no), [issued[2].challan_no]);
  assert.equal((await p.store.challan(issued[2].id)).sync, 'pending');
  assert.equal((await p.engine.sync()).pushed, 1);
  assert.equal(await p.store.outboxCount(), 0);
  assert.equal((await p.store.challan(issued[2].id)).sync, 'synced');
  assert.equal(server.state.challans.size, 3);
});

test('rejected ops leave the outbox for the rejected list, are never sent again, and block nothing', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  const bad = await p.issue(form(1));
  server.faults.push(undefined, { reject: 'the officer may not issue this head here' });
  const outcome = await p.engine.sync();
  assert.deepEqual([outcome.ok, outcome.pushed, outcome.rejected], [true, 1, 1]);
  assert.equal(await p.store.outboxCount(), 0);
  const rejected = await p.store.rejectedOps();
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].challan_no, bad.challan_no);
  assert.equal(rejected[0].reason, 'the officer may not issue this head here');
  assert.equal((await p.store.challan(bad.id)).sync, 'rejected');
  // The next challan goes through; the rejected one is not sent again.
  const good = await p.issue(form(2));
  await p.engine.sync();
  assert.equal((await p.store.challan(good.id)).sync, 'synced');
  assert.ok(!server.state.challans.has(bad.challan_no));
});

test('a phone whose clock is an hour off is refused once, learns the server clock, and syncs', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server, { localSkewS: -3600 }); // enrolment taught it the offset already
  assert.ok(Math.abs(p.clock.offsetS - 3600) <= 1, `offset ${p.clock.offsetS}`);
  p.clock.offsetS = 0; // forget it: as if the phone restarted with no estimate stored
  const before = server.state.requests.length;
  assert.equal((await p.engine.sync()).ok, true);
  assert.deepEqual(server.state.requests.slice(before, before + 2), ['GET /api/v1/sync/pull', 'GET /api/v1/sync/pull']);
  assert.ok(Math.abs(p.clock.offsetS - 3600) <= 1);
  // Challans are stamped with the estimate of the server's clock, so its seal is within the key's validity.
  const c = await p.issue(form(1));
  assert.ok(Math.abs(Date.parse(c.issued_at) - Date.now()) < 5_000);
  assert.equal((await p.engine.sync()).pushed, 1);
});

test('a revoked device stops syncing and issuing', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  await p.issue(form(1));
  server.state.devices.get(p.device.device_id).status = 'revoked';
  const outcome = await p.engine.sync();
  assert.equal(outcome.error.code, 'device_revoked');
  assert.equal(p.engine.status.revoked, true);
  assert.equal(await p.store.outboxCount(), 1, 'its challans stay for the admin to see');
  await assert.rejects(p.issue(form(2)), (e) => e instanceof CannotIssue && e.code === 'device_revoked');
});

test('one sync at a time: a second sync while one runs is skipped', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  const other = new SyncEngine({ store: p.store, api: p.api, locks: p.locks }); // another tab, same lock
  const [a, b] = await Promise.all([p.engine.sync(), other.sync()]);
  assert.deepEqual([a.ok, b.skipped], [true, true]);
  assert.equal(server.state.requests.filter((r) => r === 'GET /api/v1/sync/pull').length, 1);
});

test('two tabs issuing at once never share a number', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  await p.engine.sync();
  const made = await Promise.all([1, 2, 3, 4].map((n) => p.issue(form(n))));
  assert.deepEqual(made.map((c) => c.counter).sort(), [1, 2, 3, 4]);
  await p.engine.sync();
  assert.equal(server.state.challans.size, 4);
});

test('backoff doubles from 2 s to a 5 min cap, with jitter between half and all of it', () => {
  assert.equal(backoffDelayMs(0), 0);
  assert.equal(backoffDelayMs(1, () => 0), 1_000);
  assert.equal(backoffDelayMs(1, () => 1), 2_000);
  assert.equal(backoffDelayMs(3, () => 1), 8_000);
  assert.equal(backoffDelayMs(20, () => 1), BACKOFF_CAP_MS);
  assert.equal(backoffDelayMs(1000, () => 0), BACKOFF_CAP_MS / 2);
  for (let n = 1; n < 12; n++) assert.ok(backoffDelayMs(n + 1, () => 0.5) >= backoffDelayMs(n, () => 0.5));
});

test('the engine waits the interval after success and backs off after failure', async (t) => {
  const server = await startFakeServer(vectors);
  t.after(server.stop);
  const p = await phone(server);
  const delays = [];
  const timers = { setTimeout: (fn, ms) => (delays.push(ms), delays.length), clearTimeout: () => {} };
  const engine = new SyncEngine({ store: p.store, api: p.api, random: () => 1, timers });
  await engine.start();
  assert.deepEqual(delays, [SYNC_INTERVAL_MS]);
  server.faults.push('cut');
  await engine.syncAndSchedule();
  server.faults.push('cut');
  await engine.syncAndSchedule();
  assert.deepEqual(delays, [SYNC_INTERVAL_MS, 2_000, 4_000]);
  await engine.syncAndSchedule();
  assert.deepEqual(delays.at(-1), SYNC_INTERVAL_MS);
  engine.stop();
});

test('push answers: only answered op ids leave, each once', () => {
  const batch = [1, 2, 3, 4].map((seq) => ({ seq, op_id: `op-${seq}`, challan_id: `c-${seq}`, challan_no: `n-${seq}` }));
  const plan = planPush(batch, [
    { op_id: 'op-1', status: 'accepted' },
    { op_id: 'op-2', status: 'duplicate' },
    { op_id: 'op-3', status: 'rejected', reason: 'cloned' },
    { op_id: 'op-3', status: 'accepted' },
    { op_id: 'op-9', status: 'accepted' },
    { op_id: 'op-4', status: 'pending' },
  ]);
  assert.deepEqual(plan.drop, [1, 2, 3]);
  assert.deepEqual(plan.synced, [{ challan_id: 'c-1', status: 'accepted' }, { challan_id: 'c-2', status: 'duplicate' }]);
  assert.deepEqual(plan.rejected, [{ op_id: 'op-3', challan_id: 'c-3', challan_no: 'n-3', reason: 'cloned' }]);
  assert.deepEqual(planPush(batch, undefined), { drop: [], synced: [], rejected: [] });
});

test('a pull is checked whole before anything is kept: trust list root, versions, revocations', async () => {
  const held = { trust: { bundle: trustListBundle(vectors), version: 1, root_kid: vectors.keys.root.kid_hex }, revocations: null, reference: null };
  const [full, delta] = vectors.revocations.apply_in_order.map(revocationAnswer);
  const answer = { cursor: 'c1', max_age_hours: 48, device: { status: 'active', last_counter_received: 5 }, officer: { username: 'o', scope: [] }, reference: { districts: [], heads: [] }, trust_list: null, revocations: full };
  const changes = await preparePull(answer, held);
  assert.equal(changes.revocations.version, 1);
  assert.deepEqual(changes.sync, { cursor: 'c1', max_age_hours: 48, device_status: 'active', last_counter_received: 5 });
  const next = await preparePull({ ...answer, revocations: delta, reference: null }, { ...held, revocations: changes.revocations, reference: answer.reference });
  assert.equal(next.revocations.version, 2);
  assert.ok(next.revocations.entries.length > changes.revocations.entries.length);
  assert.equal(next.reference, undefined);
  // A delta after a gap: start again from nothing.
  await assert.rejects(preparePull({ ...answer, revocations: delta }, held), RestartPull);
  // No reference held and none sent: start again from nothing.
  await assert.rejects(preparePull({ ...answer, reference: null }, held), RestartPull);
  // A trust list signed by another root than the pinned one, or older than the one held.
  await assert.rejects(preparePull({ ...answer, trust_list: trustListBundle(vectors) }, { ...held, trust: { ...held.trust, root_kid: '00'.repeat(8) } }), /pinned/);
  await assert.rejects(preparePull({ ...answer, trust_list: trustListBundle(vectors) }, { ...held, trust: { ...held.trust, version: 2 } }), /older/);
  await assert.rejects(preparePull({ max_age_hours: 1 }, held), /cursor/);
});
