// The numbers people type (DESIGN.md "Numbers people type"): 15 digits, the device's issuer
// number (6) + its counter (8) + a Damm check digit, printed `IIIIII-CCCCCCCC-D`. Each
// device numbers its own challans, so no central sequence is needed, offline too.

import { dammDigit } from '../verify/claims.js';

/** The highest counter an issuer may use (Rust `MAX_COUNTER`); past it, a new issuer number. */
export const MAX_COUNTER = 99_999_999;
const MIN_ISSUER = 100_000;
const MAX_ISSUER = 999_999;

/** The six digits of an issuer number (a JSON number such as 500001, or its text). */
export function issuerDigits(issuerNo) {
  const n = Number(issuerNo);
  if (!Number.isSafeInteger(n) || n < MIN_ISSUER || n > MAX_ISSUER) throw new Error(`not an issuer number: ${issuerNo}`);
  return String(n);
}

/** The 15 digits of challan `counter` of issuer `issuerNo`: the bank's consumer number. */
export function challanNoDigits(issuerNo, counter) {
  if (!Number.isSafeInteger(counter) || counter < 1 || counter > MAX_COUNTER) throw new Error(`counter must be 1..=${MAX_COUNTER}`);
  const body = issuerDigits(issuerNo) + String(counter).padStart(8, '0');
  return body + String(dammDigit(body));
}

/** `IIIIII-CCCCCCCC-D`, as printed on the notice. */
export function formatChallanNo(digits) {
  if (!/^[0-9]{15}$/.test(digits)) throw new Error(`not 15 digits: ${digits}`);
  return `${digits.slice(0, 6)}-${digits.slice(6, 14)}-${digits.slice(14)}`;
}

/** Whether 15 typed digits (dashes and spaces ignored) carry a correct check digit. */
export function checkDigitOk(typed) {
  const digits = String(typed).replace(/[- ]/g, '');
  return /^[0-9]{15}$/.test(digits) && dammDigit(digits) === 0;
}

/**
 * The counter of the next challan: one past the highest this device has used, or that
 * the server has received from it (should local data ever lag the server, a number is
 * never used twice: the server would take the second for a cloned device).
 */
export function nextCounter(localCounter, serverCounter = 0) {
  const next = Math.max(localCounter ?? 0, serverCounter ?? 0) + 1;
  if (next > MAX_COUNTER) throw new Error('this device has used every number of its issuer number; enrol it again');
  return next;
}
