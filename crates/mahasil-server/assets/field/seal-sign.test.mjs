// Seals made on the phone: byte for byte the payloads, protected headers, signed structures,
// tokens and QR URLs that Rust wrote into testdata/seal-vectors/, and JS-signed seals that
// the verifier accepts against a trust list naming the key (and refuses otherwise).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytesToHex, hexToBytes, kidOf, loadTrustList, parseQr, verifySeal } from '../verify/seal.js';
import { publicKeySec1, generateDeviceKey } from './device-keys.js';
import { challanNoDigits } from './numbering.js';
import { claimsPayload, qrUrl, sealProtectedHeader, sealToken, sigStructure, signSeal } from './seal-sign.js';
import { entryFor, importPkcs8, readSealVectors, trustBundle } from './field-support.mjs';
import { trustListBundle } from '../verify/vector-support.mjs';

const vectors = await readSealVectors();
const sealCases = vectors.cases.cases.filter((c) => c.claims !== null && c.name !== 'changed-amount-byte');

test('payloads, protected headers and signed structures equal the Rust vectors', () => {
  assert.ok(sealCases.length >= 10);
  let receipts = 0;
  for (const c of sealCases) {
    const payload = claimsPayload(c.claims);
    assert.equal(bytesToHex(payload), c.document.payload_hex, c.name);
    const protectedBytes = sealProtectedHeader(hexToBytes(c.document.protected_hex.slice(-16)));
    assert.equal(bytesToHex(protectedBytes), c.document.protected_hex, c.name);
    assert.equal(bytesToHex(sigStructure(protectedBytes, payload)), c.document.sig_structure_hex, c.name);
    if (c.claims.type === 'receipt') receipts++;
  }
  assert.ok(receipts >= 1, 'a receipt is among them');
});

test('tokens and QR URLs equal the Rust vectors', () => {
  for (const c of sealCases.filter((x) => x.qr_url.startsWith('HTTPS://'))) {
    const cose = hexToBytes(c.document.cose_hex);
    assert.equal(sealToken(cose), c.token, c.name);
    assert.equal(qrUrl(vectors.cases.base_url, cose), c.qr_url, c.name);
    assert.equal(qrUrl(`${vectors.cases.base_url}/`, cose), c.qr_url, c.name);
  }
});

test('claims a verifier would refuse are refused before signing', () => {
  const good = sealCases.find((c) => c.name === 'valid-challan').claims;
  const broken = [
    { ...good, district: 'Peshawar' },
    { ...good, cti: '100001000000012' }, // wrong check digit
    { ...good, subject_id: ' ABC' },
    { ...good, subject_id: 'x'.repeat(65) },
    { ...good, heads: [] },
    { ...good, amount_paisa: 0 },
    { ...good, officer: undefined },
    { ...good, type: 'permit' },
  ];
  for (const claims of broken) assert.throws(() => claimsPayload(claims), { name: 'SealError' }, JSON.stringify(claims));
});

test('a seal signed here with a vector key verifies with the JS verifier', async () => {
  const trust = await loadTrustList(trustListBundle(vectors));
  const keyVector = vectors.keys.signing_keys.find((k) => k.name === 'challan-100001');
  const key = await importPkcs8(keyVector.pkcs8_hex);
  const claims = { ...sealCases.find((c) => c.name === 'valid-challan').claims, cti: challanNoDigits(100001, 29), subject_id: 'Khan Traders' };
  const cose = await signSeal(claims, key, hexToBytes(keyVector.kid_hex));
  const result = await verifySeal(cose, trust, null);
  assert.equal(result.outcome, 'valid', result.reason);
  assert.deepEqual(result.claims, claims);
  // ECDSA signatures are randomised: only the signature differs from the Rust seal of the same claims.
  const rust = sealCases.find((c) => c.name === 'valid-challan');
  const same = await signSeal(rust.claims, key, hexToBytes(keyVector.kid_hex));
  assert.equal(bytesToHex(same).slice(0, -128), rust.document.cose_hex.slice(0, -128));
  // The QR URL round-trips through the verifier's parser.
  assert.deepEqual(parseQr(qrUrl('https://mahasil.kp.gov.pk', cose)), cose);
});

test('a device key made non-extractable seals challans a trust list naming it accepts', async () => {
  const pair = await generateDeviceKey();
  assert.equal(pair.privateKey.extractable, false);
  const kid = await kidOf(await publicKeySec1(pair.publicKey));
  const enrolledAt = 1_790_000_000;
  const entry = await entryFor(pair.publicKey, { issuer: '500001', validFrom: enrolledAt });
  const trust = await loadTrustList(await trustBundle(vectors, 2, enrolledAt, [entry]));
  const claims = {
    type: 'challan',
    iss: '500001',
    iat: enrolledAt + 60,
    cti: '500001000000012',
    heads: ['DA-ENC-01'],
    amount_paisa: 500_000,
    amount_after_due_paisa: 600_000,
    due_date_days: 20_733,
    officer: 'officer.peshawar',
    district: 'peshawar',
  };
  const cose = await signSeal(claims, pair.privateKey, kid);
  assert.equal((await verifySeal(cose, trust, null)).outcome, 'valid');
  // Before the key was valid, for another issuer's number, or unlisted: never valid.
  assert.equal((await verifySeal(await signSeal({ ...claims, iat: enrolledAt - 1 }, pair.privateKey, kid), trust, null)).outcome, 'key-not-valid-for-this-use');
  assert.equal((await verifySeal(await signSeal({ ...claims, cti: challanNoDigits(500002, 1) }, pair.privateKey, kid), trust, null)).outcome, 'key-not-valid-for-this-use');
  const without = await loadTrustList(trustListBundle(vectors));
  assert.equal((await verifySeal(cose, without, null)).outcome, 'unknown-key');
  // A compromised key's later seals are revoked.
  const compromised = await entryFor(pair.publicKey, { issuer: '500001', validFrom: enrolledAt, status: 'compromised', compromisedAt: enrolledAt + 30 });
  const after = await loadTrustList(await trustBundle(vectors, 3, enrolledAt + 30, [compromised]));
  assert.equal((await verifySeal(cose, after, null)).outcome, 'revoked');
});
