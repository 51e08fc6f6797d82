// The issuing screens: the form (choices from the cached reference data, the schedule in
// force shown, the amount asked only for ranges, errors beside their fields), the issued
// challan with its large QR code and printable notice, and the list of rejected challans.
// Everything a person typed or a server said is written as text, never as markup.

import { formatPaisa, isRange, pakistanDate, scheduleInForce } from './fees.js';
import { issuableDistricts, issuableHeads } from './issue.js';
import { formatChallanNo } from './numbering.js';
import { qrSvg } from './qr.js';

const PAKISTAN_OFFSET_MS = 5 * 3600 * 1000;

/** `2026-11-27 15:00 PKT` for a Unix time in ms. */
export function pakistanTime(ms) {
  return `${new Date(ms + PAKISTAN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')} PKT`;
}

function option(doc, value, text) {
  const o = doc.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

/** Fills a <select> with `items` ([value, text]), keeping the choice if it is still offered. */
function fillSelect(doc, select, items, placeholder) {
  const chosen = select.value;
  select.replaceChildren(option(doc, '', placeholder), ...items.map(([value, text]) => option(doc, value, text)));
  select.value = items.some(([value]) => value === chosen) ? chosen : items.length === 1 ? items[0][0] : '';
}

/**
 * Fills the district and head choices from the held data, and shows the chosen head's
 * schedule in force today and whether an amount is asked for.
 */
export function renderChoices(doc, held, lang, t, nowMs) {
  const reference = held.reference;
  const scope = held.officer?.scope ?? [];
  const districtSelect = doc.getElementById('f-district');
  const headSelect = doc.getElementById('f-head');
  if (!reference) {
    fillSelect(doc, districtSelect, [], t('choose'));
    fillSelect(doc, headSelect, [], t('choose'));
    return;
  }
  const name = (en, ur) => (lang === 'ur' && ur ? ur : en);
  fillSelect(doc, districtSelect, issuableDistricts(reference, scope).map((d) => [d.slug, name(d.name_en, d.name_ur)]), t('choose'));
  const heads = districtSelect.value ? issuableHeads(reference, scope, districtSelect.value) : [];
  fillSelect(doc, headSelect, heads.map((h) => [h.code, `${h.code} — ${name(h.title_en, h.title_ur)}`]), t('choose'));
  renderSchedule(doc, heads.find((h) => h.code === headSelect.value), t, nowMs);
}

function renderSchedule(doc, head, t, nowMs) {
  const summary = doc.getElementById('head-summary');
  const amountRow = doc.getElementById('amount-row');
  const schedule = head ? scheduleInForce(head.schedules, pakistanDate(Math.floor(nowMs / 1000))) : null;
  amountRow.hidden = !(schedule && isRange(schedule));
  if (!schedule) {
    summary.textContent = head ? t('err_no_schedule', { date: pakistanDate(Math.floor(nowMs / 1000)) }) : '';
    return;
  }
  const range = isRange(schedule);
  const rule = schedule.amount;
  const amount = range ? `${formatPaisa(rule.min_paisa)} – ${formatPaisa(rule.max_paisa)}` : formatPaisa(rule.amount_paisa);
  const afterDue = schedule.after_due;
  const after =
    afterDue.type === 'same'
      ? t('schedule_after_same')
      : afterDue.type === 'fixed'
        ? formatPaisa(afterDue.amount_paisa)
        : t('schedule_after_surcharge', { percent: afterDue.basis_points / 100 });
  summary.textContent = t('schedule_summary', { days: schedule.due_days, amount, after });
  doc.getElementById('amount-hint').textContent = range ? t('amount_hint', { min: formatPaisa(rule.min_paisa), max: formatPaisa(rule.max_paisa) }) : '';
}

/** The form's values in the shape `issueOffline` takes. */
export function readIssueForm(form) {
  const v = (name) => form.elements.namedItem(name)?.value ?? '';
  return {
    district: v('district'),
    head_code: v('head_code'),
    amount: v('amount'),
    offender: {
      name: v('offender.name'),
      cnic: v('offender.cnic'),
      mobile: v('offender.mobile'),
      email: v('offender.email'),
      vehicle_no: v('offender.vehicle_no'),
      business_name: v('offender.business_name'),
      address: v('offender.address'),
      language: v('offender.language'),
    },
    location: { lat: v('location.lat'), lon: v('location.lon'), text: v('location.text') },
  };
}

/** Marks each field of `errors` (FieldError[]) with its sentence; the first gets focus. */
export function showFieldErrors(doc, form, errors, t) {
  clearFieldErrors(doc, form);
  let first = null;
  for (const e of errors) {
    const slot = doc.querySelector(`[data-error-for="${CSS.escape(e.field)}"]`);
    if (slot) {
      slot.textContent = t(`err_${e.code}`, formatParams(e.code, e.params));
      slot.hidden = false;
    }
    const input = form.elements.namedItem(e.field === 'amount_paisa' ? 'amount' : e.field);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first ??= input;
    }
  }
  first?.focus();
}

export function clearFieldErrors(doc, form) {
  for (const slot of doc.querySelectorAll('[data-error-for]')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** A range's bounds are paisa in the error; people read rupees. */
function formatParams(code, params = {}) {
  return code === 'amount_out_of_range' ? { ...params, min: formatPaisa(params.min), max: formatPaisa(params.max) } : params;
}

function row(doc, dl, label, value, classes = '') {
  const dt = doc.createElement('dt');
  dt.textContent = label;
  const dd = doc.createElement('dd');
  dd.textContent = value;
  if (classes) dd.className = classes;
  dl.append(dt, dd);
  return dd;
}

/**
 * Shows an issued challan: `#issued[data-challan-no]` (the 15 digits), the QR code as
 * `<svg id="issued-qr">` and the notice's values, ready to print.
 */
export function renderIssued(doc, challan, lang, t) {
  const section = doc.getElementById('issued');
  section.dataset.challanNo = challan.challan_no;
  section.dataset.challanId = challan.id;
  const printed = formatChallanNo(challan.challan_no);
  doc.getElementById('qr-box').replaceChildren(qrSvg(doc, challan.qr_url, { id: 'issued-qr', label: `${t('challan_no')} ${printed}` }));
  const dl = doc.getElementById('notice-fields');
  dl.replaceChildren();
  const number = row(doc, dl, t('challan_no'), printed, 'num wide');
  number.id = 'issued-challan-no';
  number.previousElementSibling.className = 'wide';
  const title = doc.createElement('dd');
  row(doc, dl, t('head'), challan.head_title_en);
  title.textContent = challan.head_title_ur;
  title.lang = 'ur';
  title.dir = 'rtl';
  dl.append(doc.createElement('dt'), title);
  row(doc, dl, t('amount_within'), formatPaisa(challan.amount_paisa), 'num big');
  row(doc, dl, t('due_date'), challan.due_date, 'num');
  row(doc, dl, t('amount_after'), formatPaisa(challan.amount_after_due_paisa), 'num');
  row(doc, dl, t('offender_name'), challan.offender.name);
  const subject = challan.offender.vehicle_no ?? challan.offender.business_name;
  if (subject) row(doc, dl, t('vehicle_or_business'), subject);
  row(doc, dl, t('district'), lang === 'ur' && challan.district_name_ur ? challan.district_name_ur : challan.district_name_en ?? challan.district);
  row(doc, dl, t('place_label'), challan.location.text);
  row(doc, dl, t('issued_at'), pakistanTime(Date.parse(challan.issued_at)), 'num');
  row(doc, dl, t('officer'), challan.officer);
  renderIssuedSync(doc, challan, t);
}

/** Whether the server has the shown challan yet. */
export function renderIssuedSync(doc, challan, t) {
  const line = doc.getElementById('issued-sync');
  line.dataset.sync = challan.sync;
  line.textContent = t(`sync_state_${challan.sync}`, { reason: challan.reject_reason ?? '' });
}

/** The rejected challans with the server's reasons; the section shows only when there are some. */
export function renderRejected(doc, rejected) {
  const list = doc.getElementById('rejected-list');
  list.replaceChildren(
    ...rejected
      .sort((a, b) => (a.challan_no < b.challan_no ? -1 : 1))
      .map((r) => {
        const li = doc.createElement('li');
        li.dataset.opId = r.op_id;
        li.dataset.challanNo = r.challan_no;
        const number = doc.createElement('span');
        number.className = 'num';
        number.textContent = formatChallanNo(r.challan_no);
        const reason = doc.createElement('span');
        reason.className = 'reason';
        reason.textContent = ` — ${r.reason}`;
        li.append(number, reason);
        return li;
      }),
  );
  doc.getElementById('rejected').hidden = rejected.length === 0;
}
