// The app shell: the worker pre-caches every module the page imports (followed through
// the import graph, verifier modules included), the page runs under the strict policy
// (no inline script or style, nothing from another host), and the manifest installs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { fieldRoutes } from './fake-server-support.mjs';

const here = (name) => new URL(name, import.meta.url);
const read = (name) => readFile(here(name), 'utf8');

/** Served path of a file under assets/ (field modules at /assets/field/, verifier at /assets/verify/). */
const servedPath = (url) => url.pathname.slice(url.pathname.indexOf('/crates/mahasil-server') + '/crates/mahasil-server'.length);

/** Every module reachable from `entry` by static imports, as served paths. */
async function importGraph(entry) {
  const seen = new Set();
  const queue = [entry];
  while (queue.length > 0) {
    const url = queue.pop();
    const path = servedPath(url);
    if (seen.has(path)) continue;
    seen.add(path);
    const source = await readFile(url, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) queue.push(new URL(m[1], url));
  }
  return seen;
}

async function precacheList() {
  const sw = await read('sw.js');
  const list = sw.slice(sw.indexOf('const PRECACHE = ['), sw.indexOf('];', sw.indexOf('const PRECACHE = [')));
  return new Set([...list.matchAll(/'([^']+)'/g)].map((m) => m[1]));
}

test('the worker pre-caches the page, every module it imports, the stylesheet, icons and font', async () => {
  const graph = await importGraph(here('app.js'));
  assert.ok(graph.has('/assets/field/app.js') && graph.has('/assets/verify/cbor.js') && graph.has('/assets/field/vendor/qrcode-generator.mjs'));
  const precached = await precacheList();
  for (const path of graph) assert.ok(precached.has(path), `${path} is pre-cached`);
  for (const path of ['/field/', '/field/manifest.webmanifest', '/assets/field/field.css', '/assets/field/icons/icon-192.png', '/assets/field/icons/icon-512.png', '/assets/fonts/NotoNastaliqUrdu-Regular.ttf']) {
    assert.ok(precached.has(path), path);
  }
  // Nothing test-only is served or cached, and every cached path is one the server serves.
  const routes = await fieldRoutes();
  for (const path of precached) {
    assert.ok(!/test|support/.test(path), path);
    assert.ok(path in routes, `${path} is served`);
  }
  assert.match(await read('sw.js'), /const CACHE_VERSION = \d+;/);
});

test('the page runs under the strict policy: no inline script or style, nothing from another host', async () => {
  const html = await read('index.html');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /\bsrc="\/assets\/field\/app\.js"/);
    assert.equal(m[2].trim(), '');
  }
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
  assert.doesNotMatch(html, /(?:src|href)="(?:https?:)?\/\//);
  for (const name of ['app.js', 'issue-view.js', 'qr.js', 'i18n.js']) {
    const source = await read(name);
    assert.doesNotMatch(source, /\beval\(|new Function|innerHTML|\.style\.|setAttribute\('style'/, name);
  }
  const css = await read('field.css');
  assert.doesNotMatch(css, /url\((?!"\/assets\/)/);
  // Test ids the end-to-end tests rely on.
  for (const id of ['net-status', 'pending-count', 'last-sync', 'data-age', 'stale-warning', 'sync-now', 'rejected-list', 'issue-form', 'issue-submit', 'issued', 'print-notice']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
});

test('the manifest installs the app at /field/ with 192 and 512 pixel PNG icons', async () => {
  const manifest = JSON.parse(await read('manifest.webmanifest'));
  assert.equal(manifest.start_url, '/field/');
  assert.equal(manifest.scope, '/field/');
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.name && manifest.short_name && manifest.theme_color);
  for (const size of [192, 512]) {
    const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}`);
    const png = await readFile(here(`icons/icon-${size}.png`));
    assert.equal(icon.src, `/assets/field/icons/icon-${size}.png`);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [size, size]);
  }
});
