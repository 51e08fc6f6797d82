// Issuing a challan with no network (docs/SYNC.md "Issuing offline"): from the officer's
// form and the cached reference data to a numbered, sealed challan and the device-signed
// op that will carry it to the server. Nothing here stores anything or reads the clock:
// the caller passes the time, the device's key and chain, and stores the result in one
// IndexedDB transaction (store.js) before the QR code is shown.

import { bytesToHex, sha256 } from '../verify/cose.js';
import { b64u, hexToBytes, rfc3339, utf8, uuidv7 } from './encoding.js';
import { FieldError, FieldErrors } from './field-error.js';
import { daysSinceEpoch, freeze, isRange, pakistanDate, parseRupees, scheduleInForce } from './fees.js';
import { parseParties, subjectId } from './identity.js';
import { challanNoDigits, issuerDigits, nextCounter } from './numbering.js';
import { signBytes } from './device-keys.js';
import { qrUrl, signSeal } from './seal-sign.js';

/** The kind of the one op this app sends. */
export const ISSUE_KIND = 'challan.issue';

// ---------------------------------------------------------------------------------------
// Ops

/** The bytes an op's `sig` signs and its hash covers: `"mahasil-op\n" + op_id + "\n" + kind + "\n" + payload`. */
export const opSignedBytes = (opId, kind, payloadText) => utf8(`mahasil-op\n${opId}\n${kind}\n${payloadText}`);

/** The op hash (hex SHA-256 of the signed bytes): the op's identity and the next op's `prev_hash`. */
export async function opHash(signedBytes) {
  return bytesToHex(await sha256(signedBytes));
}

/** An op `{op_id, kind, payload, sig}` signed by `privateKey`, and its hash. */
export async function signOp(privateKey, opId, kind, payloadText) {
  const bytes = opSignedBytes(opId, kind, payloadText);
  const sig = b64u(await signBytes(privateKey, bytes));
  return { op: { op_id: opId, kind, payload: payloadText, sig }, hash: await opHash(bytes) };
}

// ---------------------------------------------------------------------------------------
// What the officer may issue

/** Whether the officer's scope allows department `department` in district `district` (null = every). */
export function inScope(scope, district, department) {
  return scope.some((s) => (s.district ?? district) === district && (s.department ?? department) === department);
}

/** The districts the officer may issue in: of the cached districts, those the scope names. */
export function issuableDistricts(reference, scope) {
  return reference.districts.filter((d) => (d.level ?? 'district') === 'district' && scope.some((s) => (s.district ?? d.slug) === d.slug));
}

/** The active heads the officer may issue in `district`, with schedules. */
export function issuableHeads(reference, scope, district) {
  return reference.heads.filter((h) => h.active && Array.isArray(h.schedules) && h.schedules.length > 0 && inScope(scope, district, h.department));
}

// ---------------------------------------------------------------------------------------
// Issuing

/**
 * A challan issued offline, ready to store. Throws FieldErrors when the form is wrong
 * (every wrong field at once), or an Error when the device cannot issue at all.
 *
 * @param {object} form `{head_code, district, amount (rupees as typed), offender: {name,
 *   cnic, mobile, email, vehicle_no, business_name, address, language}, location: {lat, lon, text}}`
 * @param {object} ctx
 * @param {{districts: object[], heads: object[]}} ctx.reference cached reference data
 * @param {object[]} ctx.scope the officer's `[{district, department}]`
 * @param {string} ctx.officer the officer's username (signed into the seal)
 * @param {{issuer_no: number, kid: string}} ctx.device
 * @param {{counter: number, head_hash: string|null, last_issued_s: number}} ctx.chain
 * @param {number} ctx.serverCounter the highest counter the server says it received
 * @param {number} ctx.nowMs the device's estimate of the time, Unix milliseconds
 * @param {CryptoKey} ctx.privateKey the device key
 * @param {string} ctx.baseUrl the public origin for the QR URL
 * @param {() => Uint8Array} [ctx.random] 10 random bytes per call (ids)
 * @param {{id: string, opId: string}} [ctx.ids] the challan's and the op's ids, when chosen before
 * @returns {Promise<{challan: object, op: object, hash: string, chain: object}>}
 */
export async function issueOffline(form, ctx) {
  const errors = [];
  const attempt = (fn) => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FieldErrors) errors.push(...e.errors);
      else if (e instanceof FieldError) errors.push(e);
      else throw e;
      return undefined;
    }
  };

  // A challan is never dated before its predecessor: the server flags a chain whose
  // clock went back, and a device's own estimate may wobble by a second between syncs.
  const issuedAtS = Math.max(Math.floor(ctx.nowMs / 1000), ctx.chain.last_issued_s ?? 0);
  const issueDate = pakistanDate(issuedAtS);

  const district = attempt(() => pickDistrict(ctx, form.district));
  const head = district === undefined ? undefined : attempt(() => pickHead(ctx, district.slug, form.head_code));
  const schedule = head === undefined ? undefined : attempt(() => pickSchedule(head, issueDate));
  const amounts =
    schedule === undefined
      ? undefined
      : attempt(() => freeze(head.code, schedule, isRange(schedule) ? parseRupees('amount_paisa', form.amount) : null, issueDate));
  const parties = attempt(() => parseParties(form.offender ?? {}, form.location ?? {}));
  if (errors.length > 0) throw new FieldErrors(errors);

  const counter = nextCounter(ctx.chain.counter, ctx.serverCounter);
  const challanNo = challanNoDigits(ctx.device.issuer_no, counter);
  const random = ctx.random ?? (() => crypto.getRandomValues(new Uint8Array(10)));
  const id = ctx.ids?.id ?? uuidv7(ctx.nowMs, random());
  const opId = ctx.ids?.opId ?? uuidv7(ctx.nowMs, random());

  const claims = {
    type: 'challan',
    iss: issuerDigits(ctx.device.issuer_no),
    iat: issuedAtS,
    cti: challanNo,
    heads: [head.code],
    amount_paisa: amounts.amount_paisa,
    amount_after_due_paisa: amounts.amount_after_due_paisa,
    due_date_days: daysSinceEpoch(amounts.due_date),
    officer: ctx.officer,
    district: district.slug,
    subject_id: subjectId(parties.offender) ?? undefined,
  };
  const seal = await signSeal(claims, ctx.privateKey, hexToBytes(ctx.device.kid));
  const payload = challanPayload({
    id,
    challanNo,
    head,
    schedule,
    amounts,
    district: district.slug,
    officer: ctx.officer,
    parties,
    issuedAtS,
    prevHash: ctx.chain.head_hash ?? null,
    seal,
  });
  const { op, hash } = await signOp(ctx.privateKey, opId, ISSUE_KIND, payload);

  const challan = {
    id,
    challan_no: challanNo,
    counter,
    head_code: head.code,
    head_title_en: head.title_en,
    head_title_ur: head.title_ur,
    schedule_version: schedule.version,
    district: district.slug,
    district_name_en: district.name_en,
    district_name_ur: district.name_ur,
    officer: ctx.officer,
    amount_paisa: amounts.amount_paisa,
    amount_after_due_paisa: amounts.amount_after_due_paisa,
    due_date: amounts.due_date,
    offender: parties.offender,
    location: parties.location,
    issued_at: rfc3339(issuedAtS),
    seal: b64u(seal),
    qr_url: qrUrl(ctx.baseUrl, seal),
    op_id: opId,
    op_hash: hash,
    sync: 'pending',
  };
  return { challan, op, hash, chain: { counter, head_hash: hash, last_issued_s: issuedAtS } };
}

function pickDistrict(ctx, slug) {
  const district = issuableDistricts(ctx.reference, ctx.scope).find((d) => d.slug === slug);
  if (district === undefined) throw new FieldError('district', 'district_unknown', 'choose a district of your scope');
  return district;
}

function pickHead(ctx, district, code) {
  const head = issuableHeads(ctx.reference, ctx.scope, district).find((h) => h.code === code);
  if (head === undefined) throw new FieldError('head_code', 'head_unknown', 'choose a revenue head you may issue in this district');
  return head;
}

function pickSchedule(head, issueDate) {
  const schedule = scheduleInForce(head.schedules, issueDate);
  if (schedule === null) throw new FieldError('head_code', 'no_schedule', `no fee schedule of ${head.code} is in force on ${issueDate}`, { head: head.code, date: issueDate });
  return schedule;
}

/**
 * The op payload: the challan as JSON text, with the fields in the order docs/SYNC.md
 * lists them. The text is signed as it is, so no canonical form is needed.
 */
export function challanPayload({ id, challanNo, head, schedule, amounts, district, officer, parties, issuedAtS, prevHash, seal }) {
  const { offender, location } = parties;
  return JSON.stringify({
    id,
    challan_no: challanNo,
    head_code: head.code,
    schedule_version: schedule.version,
    amount_paisa: amounts.amount_paisa,
    amount_after_due_paisa: amounts.amount_after_due_paisa,
    due_date: amounts.due_date,
    district,
    officer,
    offender: {
      name: offender.name,
      cnic: offender.cnic,
      mobile: offender.mobile,
      email: offender.email,
      vehicle_no: offender.vehicle_no,
      business_name: offender.business_name,
      address: offender.address,
      // Left out when not asked, as the server writes it.
      ...(offender.language ? { language: offender.language } : {}),
    },
    location: { lat: location.lat, lon: location.lon, text: location.text },
    issued_at: rfc3339(issuedAtS),
    prev_hash: prevHash,
    seal: b64u(seal),
  });
}
