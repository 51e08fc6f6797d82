// The QR code of a seal URL: level Q, alphanumeric, version within DESIGN.md's aim, read
// back from the drawn modules rather than from the encoder's own settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { QUIET_ZONE_MODULES, modulesPath, qrModules } from './qr.js';
import { readSealVectors } from './field-support.mjs';

const vectors = await readSealVectors();
const validUrl = vectors.cases.cases.find((c) => c.name === 'valid-challan').qr_url;

/** The error correction level written in the format information beside the top-left finder. */
function formatLevel({ size, dark }) {
  let bits = 0;
  for (let i = 0; i < 15; i++) {
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    if (dark[row][8]) bits |= 1 << i;
  }
  const data = (bits ^ 0b101010000010010) >> 10;
  return ['M', 'L', 'H', 'Q'][data >> 3]; // the two level bits: 00 M, 01 L, 10 H, 11 Q
}

test('a seal URL becomes an alphanumeric QR code at level Q, version 13 at most', () => {
  const modules = qrModules(validUrl);
  assert.equal(modules.mode, 'Alphanumeric');
  assert.equal(formatLevel(modules), 'Q');
  assert.ok(modules.version >= 1 && modules.version <= 13, `version ${modules.version}`);
  assert.equal(modules.size, 17 + 4 * modules.version);
  // The three finder patterns: a dark 7×7 ring around a light ring around a dark 3×3.
  for (const [r0, c0] of [[0, 0], [0, modules.size - 7], [modules.size - 7, 0]]) {
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 7; c++) {
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        assert.equal(modules.dark[r0 + r][c0 + c], ring !== 2, `finder at ${r0},${c0}`);
      }
    }
  }
});

test('lower-case text falls back to byte mode; the path covers exactly the dark modules', () => {
  const modules = qrModules('https://example.org/V/abc');
  assert.equal(modules.mode, 'Byte');
  assert.equal(formatLevel(modules), 'Q');
  const path = modulesPath(modules);
  let area = 0;
  for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    area += Number(m[3]);
    assert.ok(Number(m[1]) >= QUIET_ZONE_MODULES && Number(m[2]) >= QUIET_ZONE_MODULES);
  }
  assert.equal(area, modules.dark.flat().filter(Boolean).length);
});
