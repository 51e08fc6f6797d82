// The field app end to end in headless Chromium, against the loopback stand-in for the
// server (fake-server-support.mjs) serving the app's files at the real paths under the
// real Content-Security-Policy: sign in, enrol, sync, issue online; with the network
// down, reload from the worker's cache and issue offline; back online, sync; a rejected
// challan listed; Urdu. Skipped where no Chromium is installed (Debian package
// `chromium`, or MAHASIL_CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadTrustList, parseQr, verifySeal } from '../verify/seal.js';
import { chromiumPath, launchBrowser } from '../verify/browser-support.mjs';
import { fieldRoutes, startFakeServer } from './fake-server-support.mjs';
import { fill, readSealVectors } from './field-support.mjs';

const chromium = chromiumPath();
const WAIT_MS = 60_000;

const offender = (n) => ({
  'f-name': `Gul Khan ${n}`,
  'f-cnic': '1730112345671',
  'f-mobile': '0300-1234567',
  'f-vehicle': `pes ${100 + n}`,
  'f-lat': '34.0151',
  'f-lon': '71.5249',
  'f-place': 'Qissa Khwani Bazaar',
});

test('sign in, enrol, issue online and offline, sync, see a rejection, read it in Urdu', { skip: chromium === null && 'no Chromium installed', timeout: 240_000 }, async () => {
  const vectors = await readSealVectors();
  const server = await startFakeServer(vectors, { static: await fieldRoutes() });
  const browser = await launchBrowser(chromium);
  const { page } = browser;
  const consoleErrors = [];
  page.cdp.listeners.push((m) => {
    if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error' && !/Failed to load resource|ERR_/.test(m.params.entry.text)) consoleErrors.push(m.params.entry.text);
  });
  await page.send('Log.enable');
  const waitFor = (expression) => page.waitFor(expression, WAIT_MS);
  const shown = (id) => `!document.getElementById('${id}').hidden`;
  const issueOne = async (n) => {
    await page.evaluate(fill({ 'f-district': 'peshawar' }));
    await page.evaluate(fill({ 'f-head': 'DA-ENC-01', ...offender(n) }));
    const before = await page.evaluate("document.getElementById('issued').dataset.challanNo");
    await page.evaluate("document.getElementById('issue-submit').click()");
    return waitFor(`!document.getElementById('issued').hidden && document.getElementById('issued').dataset.challanNo !== ${JSON.stringify(before)} && document.getElementById('issued').dataset.challanNo`);
  };
  try {
    await page.navigate(`${server.origin}/field`);
    await waitFor(shown('view-signin'));
    assert.equal(await page.evaluate('location.pathname'), '/field/', 'moved inside the worker scope');

    // Sign in, enrol.
    await page.evaluate(fill({ 'signin-username': 'officer.peshawar', 'signin-password': 'demo-password' }));
    await page.evaluate("document.getElementById('signin-submit').click()");
    await waitFor(shown('view-enrol'));
    assert.equal(await page.evaluate("document.getElementById('enrol-label').value"), "officer.peshawar's phone");
    await page.evaluate("document.getElementById('enrol-submit').click()");
    await waitFor(shown('view-issue'));
    assert.equal(server.state.devices.size, 1);
    const device = [...server.state.devices.values()][0];

    // The first sync brings heads and schedules.
    await waitFor("document.getElementById('f-head').options.length > 1 || document.getElementById('f-district').options.length > 1");
    await waitFor("document.getElementById('last-sync').dataset.at !== ''");
    assert.equal(await page.evaluate("document.getElementById('net-status').dataset.state"), 'online');
    assert.equal(await page.evaluate("document.getElementById('stale-warning').hidden"), true);
    assert.match(await page.evaluate("document.getElementById('data-age').textContent"), /min old/);

    // A wrong form shows its errors and issues nothing.
    await page.evaluate(fill({ 'f-district': 'peshawar' }));
    await page.evaluate(fill({ 'f-head': 'PC-OVR-01', ...offender(0), 'f-cnic': '123', 'f-amount': '' }));
    await page.evaluate("document.getElementById('issue-submit').click()");
    await waitFor(shown('issue-error'));
    assert.equal(await page.evaluate("document.querySelector('[data-error-for=\"offender.cnic\"]').hidden"), false);
    assert.equal(await page.evaluate("document.querySelector('[data-error-for=\"amount_paisa\"]').textContent"), 'This offence needs an amount.');
    assert.equal(await page.evaluate("document.getElementById('f-cnic').getAttribute('aria-invalid')"), 'true');

    // Online: issued, shown with its QR code, pushed at once.
    const first = await issueOne(1);
    assert.equal(first, `${device.issuer_no}00000001${first[14]}`);
    const qr = await page.evaluate("(() => { const q = document.getElementById('issued-qr'); return { tag: q.tagName, content: q.dataset.content, version: Number(q.dataset.version) }; })()");
    assert.equal(qr.tag, 'svg');
    assert.ok(qr.content.startsWith(`${server.origin.toUpperCase()}/V/`));
    assert.ok(qr.version <= 13, `version ${qr.version}`);
    const trust = await loadTrustList(server.state.trustBundle);
    assert.equal((await verifySeal(parseQr(qr.content), trust, null)).outcome, 'valid');
    assert.match(await page.evaluate("document.getElementById('notice').textContent"), new RegExp(`${first.slice(0, 6)}-${first.slice(6, 14)}-${first[14]}.*سرکاری سڑک پر تجاوز.*PKR 5,000.*PKR 6,000`, 's'));
    await waitFor(`document.getElementById('pending-count').dataset.count === '0' && document.getElementById('issued-sync').dataset.sync === 'synced'`);
    assert.equal(server.state.challans.get(first).offender.cnic, '17301-1234567-1');

    // The network goes down: the page reloads from the worker's cache and issues offline.
    // (The first page was opened as /field, outside the worker's scope: not controlled,
    // but the worker is active, and the next load of /field/ is its.)
    await waitFor("navigator.serviceWorker.getRegistration('/field/').then((r) => Boolean(r && r.active))");
    server.state.down = true;
    await page.navigate(`${server.origin}/field/`);
    await waitFor(`${shown('view-issue')} && document.getElementById('f-district').options.length > 1`);
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor("document.getElementById('net-status').dataset.state === 'offline'");
    const second = await issueOne(2);
    assert.equal(second.slice(6, 14), '00000002');
    await waitFor("document.getElementById('pending-count').dataset.count === '1'");
    assert.equal(await page.evaluate("document.getElementById('issued-sync').dataset.sync"), 'pending');
    const offlineQr = await page.evaluate("document.getElementById('issued-qr').dataset.content");
    assert.equal((await verifySeal(parseQr(offlineQr), trust, null)).outcome, 'valid');

    // Back online: the outbox empties on demand, and the chain holds.
    server.state.down = false;
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor("document.getElementById('pending-count').dataset.count === '0' && document.getElementById('net-status').dataset.state === 'online'");
    assert.equal(server.state.challans.get(second).prev_hash, (await opHashOf(server, first)));

    // A rejected challan leaves the outbox for the rejected list, with the reason.
    await page.evaluate("document.getElementById('issue-another').click()");
    server.faults.push(undefined, { reject: 'head not in your scope' });
    const third = await issueOne(3);
    await waitFor(`document.querySelector('#rejected-list li[data-challan-no="${third}"]') !== null`);
    assert.match(await page.evaluate("document.getElementById('rejected-list').textContent"), /head not in your scope/);
    assert.equal(await page.evaluate("document.getElementById('rejected').hidden"), false);
    assert.equal(await page.evaluate("document.getElementById('pending-count').dataset.count"), '0');

    // Stale data is flagged; Urdu reads right to left.
    server.state.maxAgeHours = 0;
    await page.evaluate("document.getElementById('sync-now').click()");
    await waitFor(shown('stale-warning'));
    await page.evaluate("document.getElementById('lang-toggle').click()");
    await waitFor("document.documentElement.dir === 'rtl'");
    assert.equal(await page.evaluate('document.documentElement.lang'), 'ur');
    assert.equal(await page.evaluate("document.getElementById('sync-now').textContent"), 'ابھی ہم آہنگ کریں');
    assert.deepEqual(page.errors, []);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

/** The op hash the server would compute for the op that carried `challanNo`. */
async function opHashOf(server, challanNo) {
  for (const [, stored] of server.state.ops) if (stored.result.challan_no === challanNo) return stored.hash;
  return null;
}
