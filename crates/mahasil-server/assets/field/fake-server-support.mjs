// Test support (not served): a stand-in for mahasil-server's device protocol on a loopback
// port, following docs/SYNC.md with the checks a device can be caught by: signed requests
// (clock window, nonce reuse, signature, revoked device), enrolment proofs, op signatures,
// seals verified with the JS verifier against the trust list it publishes, claims equal
// to the payload, duplicates and reused challan numbers. Faults can be queued to cut
// connections, answer 503, or leave ops unanswered. It also serves the app's files at the
// paths the real server uses, under the field app's Content-Security-Policy.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';

import { bytesToHex, hexToBytes, kidOf, loadTrustList, verifySeal } from '../verify/seal.js';
import { fromB64u, utf8 } from './encoding.js';
import { daysSinceEpoch } from './fees.js';
import { trustBundle } from './field-support.mjs';
import { listenOnLoopback } from '../verify/browser-support.mjs';

export const FIELD_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; manifest-src 'self'; base-uri 'none'; frame-ancestors 'none'";
const CLOCK_WINDOW_S = 300;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const ES256 = { name: 'ECDSA', hash: 'SHA-256' };

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
};

/** The paths the app's files are served at (README.md "Serving"), mapped to files on disk. */
export async function fieldRoutes() {
  const here = (name) => new URL(name, import.meta.url);
  const routes = {
    '/field': here('index.html'),
    '/field/': here('index.html'),
    '/field/sw.js': here('sw.js'),
    '/field/manifest.webmanifest': here('manifest.webmanifest'),
    '/assets/fonts/NotoNastaliqUrdu-Regular.ttf': here('../fonts/NotoNastaliqUrdu-Regular.ttf'),
  };
  for (const name of ['app.js', 'api.js', 'device-keys.js', 'encoding.js', 'enrolment.js', 'fees.js', 'field-error.js', 'field.css', 'i18n.js', 'identity.js', 'issue.js', 'issue-view.js', 'numbering.js', 'offline-issuer.js', 'qr.js', 'seal-sign.js', 'store.js', 'sync.js', 'vendor/qrcode-generator.mjs', 'icons/icon-192.png', 'icons/icon-512.png']) {
    routes[`/assets/field/${name}`] = here(name);
  }
  for (const name of ['cbor.js', 'cose.js', 'claims.js', 'lists.js', 'seal.js']) routes[`/assets/verify/${name}`] = here(`../verify/${name}`);
  const out = {};
  for (const [path, url] of Object.entries(routes)) {
    const ext = url.pathname.slice(url.pathname.lastIndexOf('.'));
    out[path] = { body: await readFile(url), type: TYPES[ext] };
  }
  return out;
}

/** The demo reference data as a pull carries it: Peshawar, DA-ENC-01 (fixed) and PC-OVR-01 (range). */
export function demoReference() {
  return {
    districts: [
      { slug: 'peshawar', name_en: 'Peshawar', name_ur: 'پشاور' },
      { slug: 'mardan', name_en: 'Mardan', name_ur: 'مردان' },
    ],
    heads: [
      {
        code: 'DA-ENC-01', kind: 'fine', department: 'district-administration', title_en: 'Encroachment on a public road', title_ur: 'سرکاری سڑک پر تجاوز',
        legal_basis: 'demo', account_code: 'C02741', active: true,
        schedules: [{ head: 'DA-ENC-01', version: 1, amount: { type: 'fixed', amount_paisa: 500_000 }, due_days: 14, after_due: { type: 'fixed', amount_paisa: 600_000 }, effective_from: '2025-01-01' }],
      },
      {
        code: 'PC-OVR-01', kind: 'fine', department: 'price-control', title_en: 'Overcharging', title_ur: 'مقررہ نرخ سے زائد وصولی',
        legal_basis: 'demo', account_code: 'C02742', active: true,
        schedules: [{ head: 'PC-OVR-01', version: 1, amount: { type: 'range', min_paisa: 100_000, max_paisa: 5_000_000 }, due_days: 30, after_due: { type: 'surcharge_basis_points', basis_points: 1_000 }, effective_from: '2025-01-01' }],
      },
    ],
  };
}

/**
 * Starts the stand-in. `options.static` adds file routes; `state.down` cuts every
 * connection (a dead network); `state.clockOffsetS` moves the
 * server's clock; `faults.push(kind)` queues a fault for the next sync request:
 * `'cut'` (connection closed without an answer), `'503'`, `{unanswered: n}` (the last n
 * ops of a push get no result), `{reject: reason}` (every op of the push rejected).
 */
export async function startFakeServer(vectors, options = {}) {
  const state = {
    down: false,
    clockOffsetS: 0,
    users: { 'officer.peshawar': { password: 'demo-password', user_id: '0190f3a2-0000-7000-8000-0000000000aa', display_name: 'Officer Peshawar' } },
    scope: [
      { district: 'peshawar', department: 'district-administration' },
      { district: 'peshawar', department: 'price-control' },
    ],
    tokens: new Map(),
    devices: new Map(),
    nextIssuer: 500_001,
    trustVersion: 1,
    trustEntries: [],
    trust: null,
    trustBundle: null,
    referenceVersion: 1,
    reference: demoReference(),
    nonces: new Set(),
    ops: new Map(),
    challans: new Map(),
    requests: [],
    maxAgeHours: 72,
  };
  const faults = [];
  const serverNowS = () => Math.floor(Date.now() / 1000) + state.clockOffsetS;
  const publish = async () => {
    state.trustBundle = await trustBundle(vectors, state.trustVersion, serverNowS(), state.trustEntries);
    state.trust = await loadTrustList(state.trustBundle);
  };
  await publish();

  const routes = options.static ?? {};
  const server = createServer(async (request, response) => {
    // A network that is down: every connection is cut, files and API alike.
    if (state.down) return request.socket.destroy();
    const chunks = [];
    for await (const c of request) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url, 'http://localhost');
    state.requests.push(`${request.method} ${url.pathname}`);
    const send = (status, value, headers = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', date: new Date(serverNowS() * 1000).toUTCString(), 'cache-control': 'no-store', ...headers });
      response.end(JSON.stringify(value));
    };
    const error = (status, code, message) => send(status, { code, message });
    try {
      if (url.pathname.startsWith('/api/v1/sync/') && faults.length > 0) {
        const fault = faults.shift();
        if (fault === 'cut') return request.socket.destroy();
        if (fault === '503') return error(503, 'unavailable', 'down for maintenance');
        request.fault = fault;
      }
      if (request.method === 'POST' && url.pathname === '/api/v1/auth/login') return login(JSON.parse(body), send, error);
      if (request.method === 'POST' && url.pathname === '/api/v1/devices') return await enrol(request, JSON.parse(body), send, error);
      if (url.pathname === '/api/v1/sync/pull' || url.pathname === '/api/v1/sync/push') {
        const device = await authenticate(request, url, body, error);
        if (device === null) return undefined;
        if (request.method === 'GET' && url.pathname === '/api/v1/sync/pull') return pull(device, url, send);
        if (request.method === 'POST' && url.pathname === '/api/v1/sync/push') return await push(device, JSON.parse(body), request.fault, send);
      }
      const route = routes[url.pathname];
      if (route && request.method === 'GET') {
        const headers = { 'content-type': route.type, 'content-security-policy': FIELD_CSP, 'x-content-type-options': 'nosniff' };
        if (url.pathname === '/field/sw.js' || url.pathname === '/field' || url.pathname === '/field/') headers['cache-control'] = 'no-cache';
        response.writeHead(200, headers);
        return response.end(route.body);
      }
      return error(404, 'not_found', url.pathname);
    } catch (e) {
      return error(500, 'internal', String(e?.stack ?? e));
    }
  });

  function login(input, send, error) {
    const user = state.users[input.username];
    if (!user || user.password !== input.password) return error(401, 'unauthorized', 'wrong username or password');
    const token = `t-${state.tokens.size + 1}-${Math.random().toString(36).slice(2)}`;
    state.tokens.set(token, input.username);
    return send(200, { token, expires_at: new Date((serverNowS() + 3600) * 1000).toISOString(), username: input.username });
  }

  async function enrol(request, input, send, error) {
    const username = state.tokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!username) return error(401, 'unauthorized', 'sign in first');
    if (!/^04[0-9a-f]{128}$/.test(input.public_key)) return error(422, 'invalid', 'public_key');
    if ([...state.devices.values()].some((d) => d.public_key === input.public_key)) return error(409, 'conflict', 'key already enrolled');
    const key = await crypto.subtle.importKey('raw', hexToBytes(input.public_key), P256, true, ['verify']);
    const proofText = `mahasil-enrol\n${username}\n${input.public_key}`;
    if (!(await crypto.subtle.verify(ES256, key, fromB64u(input.proof), utf8(proofText)))) return error(422, 'invalid', 'proof');
    const kid = bytesToHex(await kidOf(hexToBytes(input.public_key)));
    const enrolledAt = serverNowS();
    const device = { device_id: crypto.randomUUID(), issuer_no: state.nextIssuer++, kid, public_key: input.public_key, key, officer: username, label: input.label, status: 'active', enrolled_at: enrolledAt, last_counter: 0, counters: new Set() };
    state.devices.set(device.device_id, device);
    state.trustEntries.push({ kid_hex: kid, public_sec1_hex: input.public_key, issuer: String(device.issuer_no), usage: 'challan', valid_from: enrolledAt, valid_until: null, status: 'active', compromised_at: null });
    state.trustVersion += 1;
    await publish();
    return send(201, { device_id: device.device_id, issuer_no: device.issuer_no, kid, officer: username, enrolled_at: new Date(enrolledAt * 1000).toISOString(), certificate: { trust_list: state.trustBundle } });
  }

  async function authenticate(request, url, body, error) {
    const refuse = (status, code, message) => {
      error(status, code, message);
      return null;
    };
    const h = request.headers;
    const device = state.devices.get(h['x-mahasil-device']);
    if (!device) return refuse(401, 'unauthorized', 'unknown device');
    if (device.status === 'revoked') return refuse(403, 'device_revoked', 'this device is revoked');
    const ts = Number(h['x-mahasil-timestamp']);
    if (!Number.isSafeInteger(ts) || Math.abs(ts - serverNowS()) > CLOCK_WINDOW_S) return refuse(401, 'unauthorized', 'timestamp outside the window');
    const nonce = h['x-mahasil-nonce'] ?? '';
    if (!/^[A-Za-z0-9_-]{22}$/.test(nonce) || state.nonces.has(nonce)) return refuse(401, 'unauthorized', 'nonce reused');
    const text = `${request.method}\n${url.pathname}${url.search}\n${h['x-mahasil-timestamp']}\n${nonce}\n${body}`;
    if (!(await crypto.subtle.verify(ES256, device.key, fromB64u(h['x-mahasil-signature'] ?? ''), utf8(text)))) return refuse(401, 'unauthorized', 'bad signature');
    state.nonces.add(nonce);
    return device;
  }

  function pull(device, url, send) {
    const since = url.searchParams.get('since');
    const [refSeen, trustSeen] = since === null ? [0, 0] : since.split('.').map(Number);
    const user = state.users[device.officer];
    return send(200, {
      cursor: `${state.referenceVersion}.${state.trustVersion}`,
      server_time: new Date(serverNowS() * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      max_age_hours: state.maxAgeHours,
      device: { status: device.status, issuer_no: device.issuer_no, last_counter_received: device.last_counter },
      officer: { username: device.officer, user_id: user.user_id, display_name: user.display_name, scope: state.scope },
      reference: refSeen === state.referenceVersion ? null : state.reference,
      trust_list: trustSeen === state.trustVersion ? null : state.trustBundle,
      revocations: null,
    });
  }

  async function push(device, input, fault, send) {
    if (input.issuer_no !== device.issuer_no) return send(422, { code: 'invalid', message: 'issuer_no' });
    const results = [];
    for (const op of input.ops) results.push(await judge(device, op, fault));
    const unanswered = fault?.unanswered ?? 0;
    const counters = [...device.counters].sort((a, b) => a - b);
    const gaps = [];
    for (let c = 1, i = 0; c <= device.last_counter; c++) {
      if (counters[i] === c) i++;
      else if (gaps.length > 0 && gaps[gaps.length - 1][1] === c - 1) gaps[gaps.length - 1][1] = c;
      else gaps.push([c, c]);
    }
    return send(200, { results: results.slice(0, results.length - unanswered), server_time: new Date().toISOString(), last_counter_received: device.last_counter, gaps });
  }

  async function judge(device, op, fault) {
    const bytes = utf8(`mahasil-op\n${op.op_id}\n${op.kind}\n${op.payload}`);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const stored = state.ops.get(op.op_id);
    if (stored) return stored.hash === hash ? { ...stored.result, status: 'duplicate' } : { op_id: op.op_id, status: 'rejected', reason: 'op_id reused with other content' };
    const reject = (reason) => ({ op_id: op.op_id, status: 'rejected', reason });
    if (fault?.reject) return reject(fault.reject);
    if (!(await crypto.subtle.verify(ES256, device.key, fromB64u(op.sig), bytes))) return reject('bad op signature');
    const p = JSON.parse(op.payload);
    if (!p.challan_no.startsWith(String(device.issuer_no))) return reject("not this issuer's number");
    const verified = await verifySeal(fromB64u(p.seal), state.trust, null);
    if (verified.outcome !== 'valid') return reject(`seal ${verified.outcome}`);
    const c = verified.claims;
    const same =
      c.cti === p.challan_no && c.iat === Date.parse(p.issued_at) / 1000 && c.heads[0] === p.head_code && c.amount_paisa === p.amount_paisa &&
      c.amount_after_due_paisa === p.amount_after_due_paisa && c.due_date_days === daysSinceEpoch(p.due_date) && c.district === p.district && c.officer === p.officer;
    if (!same) return reject('seal claims differ from the payload');
    const holder = state.challans.get(p.challan_no);
    if (holder && holder.id !== p.id) return reject('challan number held by another challan (cloned device)');
    const result = { op_id: op.op_id, status: 'accepted', challan_no: p.challan_no };
    state.challans.set(p.challan_no, { ...p, received_at: serverNowS() });
    state.ops.set(op.op_id, { hash, result });
    const counter = Number(p.challan_no.slice(6, 14));
    device.counters.add(counter);
    device.last_counter = Math.max(device.last_counter, counter);
    return result;
  }

  const { origin, stop } = await listenOnLoopback(server);
  return { origin, state, faults, stop, publish };
}
