// The field app end to end in headless Chromium against the real server
// (`mahasil serve --demo`, the binary named by MAHASIL_BIN): sign in, enrol, go offline
// (the server is stopped), issue 20 challans, reload the page while offline, issue 5
// more, come back online (the server started again on the same address and data), sync.
// The server must then hold exactly those 25 challans of the device, each with a seal
// that verifies, and the app must show none pending.
//
// Run by crates/mahasil/tests/field_browser.rs (which builds the binary and requires a
// browser in CI); by hand: MAHASIL_BIN=target/release/mahasil node --test <this file>.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTrustList, parseQr, verifySeal } from '../verify/seal.js';
import { chromiumPath, launchBrowser } from '../verify/browser-support.mjs';
import { fill } from './field-support.mjs';

const chromium = chromiumPath();
const BIN = process.env.MAHASIL_BIN ?? null;
const WAIT_MS = 90_000;
const OFFLINE_FIRST = 20;
const OFFLINE_AFTER_RELOAD = 5;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** `mahasil serve --demo` on `port` with its data in `dir`; resolves once ready. */
async function startServer(port, dir) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.MAHASIL_DATABASE_URL;
  const child = spawn(BIN, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--data', dir], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (b) => { log = (log + b.toString()).slice(-20_000); });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) return { child, log: () => log };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

async function api(origin, method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function login(origin, username) {
  const r = await api(origin, 'POST', '/api/v1/auth/login', null, { username, password: 'demo-password' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

const offender = (n) => ({
  'f-name': `Gul Khan ${n}`,
  'f-cnic': `17301${String(1_000_000 + n).padStart(7, '0')}1`,
  'f-mobile': `0300-${String(1_000_000 + n).padStart(7, '0')}`,
  'f-vehicle': `pes ${100 + n}`,
  'f-lat': '34.0151',
  'f-lon': '71.5249',
  'f-place': 'Qissa Khwani Bazaar',
});

test('offline in the field: 25 challans issued with the server down reach it exactly once, each verifiable', {
  skip: (chromium === null && 'no Chromium installed') || (BIN === null && 'MAHASIL_BIN is not set'),
  timeout: 600_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mahasil-field-e2e-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let server = await startServer(port, dir);
  const browser = await launchBrowser(chromium);
  const { page } = browser;
  const waitFor = (expression) => page.waitFor(expression, WAIT_MS);
  const shown = (id) => `!document.getElementById('${id}').hidden`;
  const issued = [];
  const issueOne = async (n) => {
    if (await page.evaluate(shown('issued'))) {
      await page.evaluate("document.getElementById('issue-another').click()");
      await waitFor(shown('view-issue'));
    }
    await page.evaluate(fill({ 'f-district': 'peshawar' }));
    await page.evaluate(fill({ 'f-head': 'DA-ENC-01', ...offender(n) }));
    const before = await page.evaluate("document.getElementById('issued').dataset.challanNo ?? ''");
    await page.evaluate("document.getElementById('issue-submit').click()");
    const no = await waitFor(`!document.getElementById('issued').hidden && document.getElementById('issued').dataset.challanNo !== ${JSON.stringify(before)} && document.getElementById('issued').dataset.challanNo`);
    issued.push(no);
    return no;
  };
  try {
    // Online: sign in, enrol, first sync.
    await page.navigate(`${origin}/field`);
    await waitFor(shown('view-signin'));
    await page.evaluate(fill({ 'signin-username': 'officer.peshawar', 'signin-password': 'demo-password' }));
    await page.evaluate("document.getElementById('signin-submit').click()");
    await waitFor(shown('view-enrol'));
    await page.evaluate("document.getElementById('enrol-submit').click()");
    await waitFor(shown('view-issue'));
    await waitFor("document.getElementById('f-head').options.length > 1 && document.getElementById('last-sync').dataset.at !== ''");
    await waitFor("navigator.serviceWorker.getRegistration('/field/').then((r) => Boolean(r && r.active))");

    // Offline: the server is gone.
    await stopServer(server);
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor("document.getElementById('net-status').dataset.state === 'offline'");
    for (let n = 1; n <= OFFLINE_FIRST; n += 1) await issueOne(n);
    await waitFor(`document.getElementById('pending-count').dataset.count === '${OFFLINE_FIRST}'`);

    // Reload with no network: the worker serves the app, the outbox is still there.
    await page.navigate(`${origin}/field/`);
    await waitFor(`${shown('view-issue')} && document.getElementById('f-district').options.length > 1`);
    await waitFor(`document.getElementById('pending-count').dataset.count === '${OFFLINE_FIRST}'`);
    for (let n = OFFLINE_FIRST + 1; n <= OFFLINE_FIRST + OFFLINE_AFTER_RELOAD; n += 1) await issueOne(n);
    const total = OFFLINE_FIRST + OFFLINE_AFTER_RELOAD;
    await waitFor(`document.getElementById('pending-count').dataset.count === '${total}'`);
    assert.equal(new Set(issued).size, total, 'every challan has its own number');

    // Back online: same address, same data. Sync on demand until nothing is pending.
    server = await startServer(port, dir);
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor("document.getElementById('pending-count').dataset.count === '0' && document.getElementById('net-status').dataset.state === 'online'");
    assert.equal(await page.evaluate("document.getElementById('rejected-list').children.length"), 0, 'nothing was rejected');

    // The server holds exactly these 25 of the device, each sealed by it and verifiable.
    const admin = await login(origin, 'admin');
    const devices = await api(origin, 'GET', '/api/v1/devices', admin);
    assert.equal(devices.status, 200);
    assert.equal(devices.body.length, 1);
    const [device] = devices.body;
    assert.equal(device.challans_received, total);
    assert.equal(device.missing_counters, 0);
    assert.equal(device.cloned, false);
    const trust = await loadTrustList((await api(origin, 'GET', '/api/v1/trust-list')).body);
    const officer = await login(origin, 'officer.peshawar');
    for (const no of issued) {
      assert.equal(no.slice(0, 6), String(device.issuer_no));
      const found = await api(origin, 'GET', `/api/v1/challans/${no}`, officer);
      assert.equal(found.status, 200, `${no}: ${JSON.stringify(found.body)}`);
      assert.equal(found.body.status, 'issued');
      const check = await verifySeal(parseQr(found.body.seal_url), trust, null);
      assert.equal(check.outcome, 'valid', `${no}: ${check.reason}`);
      assert.equal(check.claims.cti, no);
    }
    // Syncing again changes nothing.
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor("document.getElementById('pending-count').dataset.count === '0'");
    assert.equal((await api(origin, 'GET', '/api/v1/devices', admin)).body[0].challans_received, total);
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  }
});
