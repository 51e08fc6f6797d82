// Every sentence exists in both languages with the same blanks, and every key the page
// names has a sentence.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { STRINGS, initialLanguage, translate } from './i18n.js';

const blanks = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();

test('English and Urdu have the same keys and the same blanks', () => {
  assert.deepEqual(Object.keys(STRINGS.ur).sort(), Object.keys(STRINGS.en).sort());
  for (const key of Object.keys(STRINGS.en)) assert.equal(blanks(STRINGS.ur[key]), blanks(STRINGS.en[key]), key);
  for (const sentence of Object.values(STRINGS.ur)) assert.ok(sentence.trim().length > 0);
});

test('every data-i18n key of the page and of app.js exists', async () => {
  const html = await readFile(new URL('index.html', import.meta.url), 'utf8');
  const app = await readFile(new URL('app.js', import.meta.url), 'utf8');
  const keys = new Set([...html.matchAll(/data-i18n(?:-label)?="([a-z_]+)"/g)].map((m) => m[1]));
  for (const m of app.matchAll(/\bt\('([a-z_]+)'/g)) keys.add(m[1]);
  assert.ok(keys.size > 40, `${keys.size} keys`);
  for (const key of keys) assert.ok(key in STRINGS.en, key);
});

test('blanks are filled; the language is remembered, else taken from the phone', () => {
  assert.equal(translate('en', 'amount_hint', { min: 'PKR 1,000', max: 'PKR 50,000' }), 'From PKR 1,000 to PKR 50,000');
  assert.equal(translate('ur', 'age_hours', { n: 3 }), '3 گھنٹے پرانی');
  assert.equal(translate('ur', 'no_such_key'), 'no_such_key');
  const storage = (value) => ({ getItem: () => value });
  assert.equal(initialLanguage(storage('ur'), ['en-GB']), 'ur');
  assert.equal(initialLanguage(storage(null), ['ur-PK', 'en']), 'ur');
  assert.equal(initialLanguage(storage('fr'), ['en-US']), 'en');
});
