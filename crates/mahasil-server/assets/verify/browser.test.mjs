// The offline check end to end in headless Chromium: a first online visit to /V/<TOKEN>
// installs the worker and stores the signed lists; with the server then stopped, the same
// links open the offline page, which verifies the seals on the phone. Skipped where no
// Chromium is installed (Debian package `chromium`, or MAHASIL_CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { encode, concatBytes } from './cbor.js';
import { hexToBytes } from './seal.js';
import { chromiumPath, fileRoute, launchBrowser, serve } from './browser-support.mjs';
import { readVectors, signCose, signingKey, toBase64, trustListBundle } from './vector-support.mjs';

const chromium = chromiumPath();
const WAIT_MS = 60_000; // generous: CI machines are shared and Chromium starts slowly under load

/** What the server answers to `?since=0`: one full list at the newest version, signed. */
async function fullRevocationAnswer(vectors) {
  const lists = vectors.revocations.apply_in_order;
  const newest = lists[lists.length - 1];
  const entries = lists.flatMap((l) => l.entries_hex).sort();
  const payload = encode(new Map([[1, newest.version], [2, 0], [3, newest.issued_at], [4, concatBytes(entries.map(hexToBytes))]]));
  const key = signingKey(vectors, newest.signer);
  const header = encode(new Map([[1, -7], [3, 'application/vnd.mahasil.revocation-list+cbor'], [4, hexToBytes(key.kid_hex)]]));
  return { version: newest.version, since_version: 0, document: toBase64(await signCose(key, header, payload)) };
}

async function routes(vectors) {
  const here = (name) => fileRoute(new URL(name, import.meta.url));
  const json = (value) => ({ body: JSON.stringify(value), type: 'application/json' });
  return {
    '/V/sw.js': await here('sw.js'),
    '/V/offline': await here('offline.html'),
    '/assets/verify/cbor.js': await here('cbor.js'),
    '/assets/verify/cose.js': await here('cose.js'),
    '/assets/verify/claims.js': await here('claims.js'),
    '/assets/verify/lists.js': await here('lists.js'),
    '/assets/verify/seal.js': await here('seal.js'),
    '/assets/verify/offline.js': await here('offline.js'),
    '/assets/verify/page.js': await here('page.js'),
    '/assets/mahasil.css': await here('../mahasil.css'),
    '/api/v1/trust-list': json(trustListBundle(vectors)),
    '/api/v1/revocations?since=0': json(await fullRevocationAnswer(vectors)),
  };
}

/** A stand-in for the server-rendered online page: its own text plus page.js. */
const onlinePage = (token) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Seal</title>` +
  `<script type="module" src="/assets/verify/page.js"></script></head>` +
  `<body><main><h1>Seal check</h1><p>Rendered online for ${token.length} characters.</p></main></body></html>`;

test('after one online visit, seals are checked offline', { skip: chromium === null && 'no Chromium installed', timeout: 120_000 }, async () => {
  const vectors = await readVectors();
  const caseNamed = (name) => vectors.cases.cases.find((c) => c.name === name);
  const server = await serve(await routes(vectors), onlinePage);
  const browser = await launchBrowser(chromium);
  const { page } = browser;
  try {
    const path = (name) => `/V/${caseNamed(name).token}`;
    await page.navigate(server.origin + path('valid-challan'));
    assert.equal(await page.waitFor("document.readyState === 'complete' && document.documentElement.dataset.offlineReady", WAIT_MS), 'yes');
    assert.equal(await page.evaluate("document.querySelector('main').textContent"), `Seal checkRendered online for ${caseNamed('valid-challan').token.length} characters.`);

    await server.stop();
    // Waits on the new document only: the one before it may still be answering.
    const outcomeOf = async (url) => {
      await page.navigate(url);
      const outcome = "document.getElementById('outcome').dataset.outcome";
      return page.waitFor(`location.href === ${JSON.stringify(url)} && ${outcome} !== 'pending' && ${outcome}`, WAIT_MS);
    };

    assert.equal(await outcomeOf(server.origin + path('valid-challan')), 'valid');
    const claims = await page.evaluate("document.getElementById('claims').textContent");
    for (const shown of ['100001-00000001-1', 'PKR 5,000.00', 'PKR 6,000.00', '2026-01-25', 'DA-ENC-01', 'dera-ismail-khan', 'officer.peshawar', 'ABC-1234', '2026-01-11 05:00 PKT']) {
      assert.ok(claims.includes(shown), `claims show ${shown}`);
    }
    assert.match(await page.evaluate("document.getElementById('live-status').textContent"), /version 2\)/);
    assert.equal(await page.evaluate("document.querySelector('#outcome [lang=ur]').getAttribute('dir')"), 'rtl');

    assert.equal(await outcomeOf(server.origin + path('valid-receipt')), 'valid');
    assert.equal(await outcomeOf(server.origin + path('revoked-challan')), 'revoked');
    assert.equal(await outcomeOf(server.origin + path('changed-amount-byte')), 'invalid-signature');
    assert.equal(await outcomeOf(server.origin + path('unknown-kid')), 'unknown-key');
    assert.equal(await outcomeOf(`${server.origin}/V/1${caseNamed('valid-challan').token.slice(1)}`), 'malformed');
    assert.equal(await outcomeOf(`${server.origin}/V/offline`), 'no-token');
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
