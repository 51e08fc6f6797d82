// The offline verify page (/V/offline, served by the service worker in place of /V/<TOKEN>
// when there is no network). It checks the seal in the address with seal.js against the
// stored trust list and revocation list and shows, in English and Urdu, the outcome, every
// signed value, and that live status (paid, unpaid, cancelled) needs a network.
//
// Signed values are written with textContent only: a seal's text is data, never markup.
// The formatting functions are exported for tests; the page runs only in a browser.

import { parseQr, loadTrustList, RevocationSet, applyRevocations, verifySeal, SealError } from './seal.js';

const TRUST_LIST_URL = '/api/v1/trust-list';
const REVOCATIONS_URL = '/api/v1/revocations?since=0';
const VERIFY_PREFIX = '/V/';
const OFFLINE_PATH = '/V/offline';
/** Pakistan Standard Time is UTC+5 all year (no daylight saving). */
const KARACHI_OFFSET_S = 5 * 3600;
const DAY_MS = 86_400_000;

/** Banner text per outcome; `unchecked` is the page's own state when nothing can be checked. */
export const OUTCOME_TEXT = Object.freeze({
  valid: {
    tone: 'ok',
    en: 'Genuine seal',
    ur: 'اصلی مہر',
    detailEn: 'The signature is genuine and the challan is not on the saved cancellation list.',
    detailUr: 'دستخط اصلی ہیں اور یہ چالان محفوظ شدہ منسوخی فہرست میں نہیں ہے۔',
  },
  'invalid-signature': {
    tone: 'error',
    en: 'Forged or altered',
    ur: 'جعلی یا تبدیل شدہ',
    detailEn: 'The signature does not match these values. Do not accept this document.',
    detailUr: 'دستخط ان معلومات سے مطابقت نہیں رکھتے۔ یہ دستاویز قبول نہ کریں۔',
  },
  'unknown-key': {
    tone: 'error',
    en: 'Unknown signer',
    ur: 'نامعلوم دستخط کنندہ',
    detailEn: 'The seal was signed by a key that is not on the saved list of signing keys. Check again when online.',
    detailUr: 'یہ مہر ایسی کلید سے دستخط شدہ ہے جو محفوظ شدہ فہرست میں نہیں۔ انٹرنیٹ دستیاب ہونے پر دوبارہ جانچیں۔',
  },
  'key-not-valid-for-this-use': {
    tone: 'error',
    en: 'Signer not allowed',
    ur: 'دستخط کنندہ مجاز نہیں',
    detailEn: 'The signing key may not sign this document, for this issuer or at this time. Do not accept this document.',
    detailUr: 'دستخط کرنے والی کلید اس دستاویز، اس جاری کنندہ یا اس وقت کے لیے مجاز نہیں۔ یہ دستاویز قبول نہ کریں۔',
  },
  revoked: {
    tone: 'error',
    en: 'Cancelled',
    ur: 'منسوخ',
    detailEn: 'This challan has been cancelled, or the key that signed it had been compromised.',
    detailUr: 'یہ چالان منسوخ ہو چکا ہے، یا اس پر دستخط کرنے والی کلید غیر محفوظ ہو چکی تھی۔',
  },
  malformed: {
    tone: 'error',
    en: 'Not a valid seal',
    ur: 'درست مہر نہیں',
    detailEn: 'This code is damaged or is not a mahasil seal.',
    detailUr: 'یہ کوڈ خراب ہے یا محاصل کی مہر نہیں ہے۔',
  },
  unchecked: {
    tone: 'info',
    en: 'Cannot check offline',
    ur: 'آف لائن جانچ ممکن نہیں',
    detailEn: 'This phone has no saved list of signing keys. Open the link again when online.',
    detailUr: 'اس فون میں دستخطی کلیدوں کی محفوظ فہرست نہیں ہے۔ انٹرنیٹ دستیاب ہونے پر لنک دوبارہ کھولیں۔',
  },
  'no-token': {
    tone: 'info',
    en: 'Scan a QR code',
    ur: 'QR کوڈ اسکین کریں',
    detailEn: 'To check a seal, scan the QR code on a challan or receipt with your phone camera.',
    detailUr: 'مہر جانچنے کے لیے چالان یا رسید پر چھپا QR کوڈ اپنے فون کے کیمرے سے اسکین کریں۔',
  },
});

const CHANNEL_TEXT = Object.freeze({
  bank: ['Bank', 'بینک'],
  gateway: ['Payment gateway', 'پیمنٹ گیٹ وے'],
  counter: ['Counter', 'کاؤنٹر'],
});

/** `IIIIII-CCCCCCCC-D`, as numbers are printed on paper. */
export function formatChallanNo(digits) {
  return `${digits.slice(0, 6)}-${digits.slice(6, 14)}-${digits.slice(14)}`;
}

/** `PKR 5,000.00`: whole rupees grouped by thousands, then two digits of paisa. */
export function formatPaisa(paisa) {
  const rupees = Math.floor(paisa / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `PKR ${rupees}.${String(paisa % 100).padStart(2, '0')}`;
}

/** Days since 1970-01-01 as `YYYY-MM-DD`. */
export function formatDays(days) {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Seconds since the epoch as Pakistan time, `YYYY-MM-DD HH:MM PKT`. */
export function formatKarachiTime(seconds) {
  const iso = new Date((seconds + KARACHI_OFFSET_S) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} PKT`;
}

/**
 * Every signed value of `claims` as table rows `{id, en, ur, value}`, in the order a
 * person compares them with the paper.
 */
export function claimRows(claims, kid) {
  const challan = claims.type === 'challan';
  const rows = [
    row('type', 'Document', 'دستاویز', challan ? 'Challan / چالان' : 'Receipt / رسید'),
    row('cti', challan ? 'Challan number' : 'Receipt number', challan ? 'چالان نمبر' : 'رسید نمبر', formatChallanNo(claims.cti)),
  ];
  if (!challan) rows.push(row('challan_no', 'Challan paid', 'ادا شدہ چالان', formatChallanNo(claims.challan_no)));
  rows.push(row('amount_paisa', challan ? 'Amount by the due date' : 'Amount paid', challan ? 'مقررہ تاریخ تک رقم' : 'ادا شدہ رقم', formatPaisa(claims.amount_paisa)));
  if (challan) {
    rows.push(row('amount_after_due_paisa', 'Amount after the due date', 'مقررہ تاریخ کے بعد رقم', formatPaisa(claims.amount_after_due_paisa)));
    rows.push(row('due_date_days', 'Due date', 'مقررہ تاریخ', formatDays(claims.due_date_days)));
  }
  rows.push(row('heads', 'Revenue heads', 'محصول کی مدات', claims.heads.join(', ')));
  rows.push(row('district', 'District', 'ضلع', claims.district));
  if (claims.officer !== undefined) {
    rows.push(row('officer', challan ? 'Issuing officer' : 'Received by', challan ? 'جاری کرنے والا افسر' : 'وصول کنندہ', claims.officer));
  }
  if (claims.subject_id !== undefined) rows.push(row('subject_id', 'Vehicle or business id', 'گاڑی یا کاروبار کی شناخت', claims.subject_id));
  if (!challan) {
    const [en, ur] = CHANNEL_TEXT[claims.channel];
    rows.push(row('channel', 'Paid through', 'ادائیگی کا ذریعہ', `${en} / ${ur}`));
    rows.push(row('payment_reference', 'Payment reference', 'ادائیگی کا حوالہ', claims.payment_reference));
  }
  rows.push(row('iss', 'Issuer number', 'جاری کنندہ نمبر', claims.iss));
  rows.push(row('iat', 'Signed at (Pakistan time)', 'دستخط کا وقت (پاکستانی وقت)', formatKarachiTime(claims.iat)));
  if (kid) rows.push(row('kid', 'Signing key', 'دستخطی کلید', kid));
  return rows;
}

const row = (id, en, ur, value) => ({ id, en, ur, value });

/** The token in a `/V/<TOKEN>` path; null on `/V/offline` or anything without one. */
export function tokenFromPath(pathname) {
  if (!pathname.startsWith(VERIFY_PREFIX) || pathname === OFFLINE_PATH) return null;
  const token = pathname.slice(VERIFY_PREFIX.length);
  return token === '' ? null : token;
}

/** The live-status notice: what was and was not checked offline. */
export function liveStatusText(revocationVersion) {
  if (revocationVersion === null) {
    return {
      en: 'Live status (paid, unpaid or cancelled) cannot be shown offline. Only the signature was checked: no cancellation list is saved on this phone, so a cancelled challan cannot be recognised. Open this link again when online.',
      ur: 'آف لائن حالت میں موجودہ صورتحال (ادا شدہ، غیر ادا شدہ یا منسوخ) نہیں دکھائی جا سکتی۔ صرف دستخط کی جانچ کی گئی ہے: اس فون میں منسوخی فہرست محفوظ نہیں، اس لیے منسوخ چالان کی پہچان ممکن نہیں۔ انٹرنیٹ دستیاب ہونے پر یہ لنک دوبارہ کھولیں۔',
    };
  }
  return {
    en: `Live status (paid, unpaid or cancelled) cannot be shown offline. Only the signature and the saved cancellation list (version ${revocationVersion}) were checked. Open this link again when online for the current status.`,
    ur: `آف لائن حالت میں موجودہ صورتحال (ادا شدہ، غیر ادا شدہ یا منسوخ) نہیں دکھائی جا سکتی۔ صرف دستخط اور محفوظ شدہ منسوخی فہرست (ورژن ${revocationVersion}) کی جانچ کی گئی ہے۔ موجودہ صورتحال کے لیے انٹرنیٹ دستیاب ہونے پر یہ لنک دوبارہ کھولیں۔`,
  };
}

// ---------------------------------------------------------------------------------------
// The page

async function main() {
  const token = tokenFromPath(location.pathname);
  if (token === null) {
    showOutcome('no-token');
    return;
  }
  let cose;
  try {
    cose = parseQr(token);
  } catch (e) {
    showOutcome(e instanceof SealError ? e.outcome : 'malformed');
    return;
  }
  const trustList = await storedTrustList();
  if (trustList === null) {
    showOutcome('unchecked');
    return;
  }
  const revocations = await storedRevocations(trustList);
  const result = await verifySeal(cose, trustList, revocations);
  showOutcome(result.outcome);
  if (result.claims !== null) showClaims(result.claims, result.kid, result.outcome === 'valid');
  showLiveStatus(revocations === null ? null : revocations.version);
}

/** The trust list the worker stored (or the network gives); null if there is none. */
async function storedTrustList() {
  try {
    return await loadTrustList(await fetchJson(TRUST_LIST_URL));
  } catch {
    return null;
  }
}

/** The full revocation list as a set; null if none is stored or it does not verify. */
async function storedRevocations(trustList) {
  try {
    const set = new RevocationSet(trustList);
    await applyRevocations(set, await fetchJson(REVOCATIONS_URL));
    return set;
  } catch {
    return null;
  }
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function showOutcome(outcome) {
  const text = OUTCOME_TEXT[outcome] ?? OUTCOME_TEXT.malformed;
  const box = document.getElementById('outcome');
  box.dataset.outcome = outcome;
  box.className = `alert ${text.tone}`;
  box.replaceChildren(
    element('h1', {}, text.en),
    element('p', { class: 'ur', lang: 'ur', dir: 'rtl' }, text.ur),
    element('p', {}, text.detailEn),
    element('p', { class: 'ur', lang: 'ur', dir: 'rtl' }, text.detailUr),
  );
}

function showClaims(claims, kid, trusted) {
  const section = document.getElementById('claims');
  const caption = trusted
    ? ['Signed values: compare them with the paper.', 'دستخط شدہ معلومات: کاغذ سے ملا کر دیکھیں۔']
    : ['What this code claims. It did NOT pass the check: do not rely on these values.', 'یہ کوڈ یہ معلومات ظاہر کرتا ہے، مگر جانچ میں ناکام رہا: ان پر بھروسہ نہ کریں۔'];
  const body = element('tbody', {});
  for (const r of claimRows(claims, kid)) {
    body.append(
      element('tr', { 'data-claim': r.id }, [
        element('th', { scope: 'row' }, [element('span', {}, r.en), element('br', {}), element('span', { class: 'ur', lang: 'ur', dir: 'rtl' }, r.ur)]),
        element('td', { class: r.id === 'kid' ? 'code' : '' }, r.value),
      ]),
    );
  }
  section.replaceChildren(
    element('h2', {}, caption[0]),
    element('p', { class: 'ur', lang: 'ur', dir: 'rtl' }, caption[1]),
    element('div', { class: 'table-wrap' }, [element('table', {}, [body])]),
  );
  section.hidden = false;
}

function showLiveStatus(revocationVersion) {
  const text = liveStatusText(revocationVersion);
  document
    .getElementById('live-status')
    .replaceChildren(element('p', {}, text.en), element('p', { class: 'ur', lang: 'ur', dir: 'rtl' }, text.ur));
}

/** An element with attributes and text or child elements (never parsed markup). */
function element(tag, attributes, content = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== '') node.setAttribute(name, value);
  if (typeof content === 'string') node.textContent = content;
  else node.append(...content);
  return node;
}

if (typeof document !== 'undefined') {
  main().catch(() => showOutcome('malformed'));
}
