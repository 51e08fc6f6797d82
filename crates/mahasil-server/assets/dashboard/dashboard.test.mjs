// The dashboard's files: the vendored uPlot is the one its README names, the map's colour
// ramp here is the one the Rust map draws with, and the scripts reach nothing beyond
// their own folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const here = (name) => new URL(name, import.meta.url);
const read = (name) => readFile(here(name), 'utf8');

/** The SHA-256 of each vendored file, as vendor/README.md lists them. */
const VENDORED = {
  'vendor/uPlot.iife.min.js': '19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f',
  'vendor/uPlot.min.css': 'df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04',
  'vendor/uPlot.LICENSE': '8f989229699b4fe2f1a0432d0e9edc338a8a911e250e2d1b01ecd770a5f5b1bd',
};

test('the vendored files are uPlot 1.6.32 unchanged, as the README says', async () => {
  const readme = await read('vendor/README.md');
  for (const [name, sha256] of Object.entries(VENDORED)) {
    const actual = createHash('sha256')
      .update(await readFile(here(name)))
      .digest('hex');
    assert.equal(actual, sha256, name);
    assert.ok(readme.includes(sha256), `the README lists ${name}'s hash`);
  }
  assert.match(await read('vendor/uPlot.iife.min.js'), /^\/\*! https:\/\/github.com\/leeoniya\/uPlot \(v1\.6\.32\) \*\//);
  assert.match(await read('vendor/uPlot.LICENSE'), /^The MIT License/);
});

/** `--map-…: #hex;` declarations of a stylesheet. */
const rampOf = (css) => Object.fromEntries([...css.matchAll(/(--map-(?:lvl-\d|no-data|no-data-hatch)):\s*(#[0-9a-f]{6});/g)].map((m) => [m[1], m[2]]));

test("the map's colour ramp is the one mahasil_insight::map::MAP_CSS draws with", async () => {
  const rust = await readFile(new URL('../../../mahasil-insight/src/map/svg.rs', import.meta.url), 'utf8');
  const mapRamp = rampOf(rust);
  assert.deepEqual(Object.keys(mapRamp).sort(), ['--map-lvl-0', '--map-lvl-1', '--map-lvl-2', '--map-lvl-3', '--map-lvl-4', '--map-no-data', '--map-no-data-hatch']);
  assert.deepEqual(rampOf(await read('dashboard.css')), mapRamp);
});

test('the scripts load nothing from elsewhere and import only each other', async () => {
  for (const name of ['dashboard.js', 'chartspec.js']) {
    const source = await read(name);
    assert.doesNotMatch(source, /https?:\/\//, `${name} names no address`);
    assert.doesNotMatch(source, /\bfetch\(|XMLHttpRequest|\bimport\(|WebSocket|EventSource/, `${name} fetches nothing`);
    const imports = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    assert.deepEqual(imports, name === 'dashboard.js' ? ['./chartspec.js'] : [], `${name}'s imports`);
  }
  for (const name of ['dashboard.css', 'vendor/uPlot.min.css']) {
    assert.doesNotMatch(await read(name), /url\(|@import/, `${name} loads nothing`);
  }
});

test('the charts script holds no words of its own: English and Urdu come from the page', async () => {
  const source = (await read('dashboard.js')).replace(/^\s*\/\/.*$/gm, '').replace(/\/\*\*[\s\S]*?\*\//g, '');
  // Its strings are class names, selectors, CSS property names and console messages (for
  // developers, in English, each starting "dashboard: ").
  const strings = [...source.matchAll(/['`]([^'`\\]*)['`]/g)].map((m) => m[1]).filter((s) => /[A-Za-z]{3,} [A-Za-z]{3,}/.test(s) && !s.startsWith('dashboard: '));
  assert.deepEqual(strings, [], 'no sentence outside console messages');
});
