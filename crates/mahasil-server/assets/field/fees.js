// Fee schedules on the phone: which version of a head's schedule is in force on a day, and
// the two amounts and the due date it freezes on a challan, exactly as Rust
// `mahasil_domain::head::{schedule_in_force, FeeSchedule::freeze}` and
// `mahasil_domain::time` do. The server checks every offline challan against the same
// rules (docs/SYNC.md, push checks), so a difference here would be a rejected challan.
//
// Schedules have the domain's own JSON form (Rust `FeeSchedule` as serde writes it, what a
// pull's `reference.heads[].schedules` carries): `{head, version, amount: {type: "fixed",
// amount_paisa} | {type: "range", min_paisa, max_paisa}, due_days, after_due: {type:
// "same"} | {type: "fixed", amount_paisa} | {type: "surcharge_basis_points",
// basis_points}, effective_from: "YYYY-MM-DD"}`. Dates are `YYYY-MM-DD` strings (they sort
// as the days they name);
// amounts are integer paisa. Time is always passed in.

import { MAX_AMOUNT_PAISA } from '../verify/claims.js';
import { FieldError } from './field-error.js';

/** Pakistan Standard Time is UTC+5 all year (no daylight saving since 2009). */
export const PAKISTAN_OFFSET_S = 5 * 3600;
const DAY_MS = 86_400_000;
/** The last day jiff (Rust) can name; a due date past it cannot be frozen. */
const LAST_DATE = '9999-12-31';

/** The calendar date in Pakistan at Unix time `seconds`. */
export function pakistanDate(seconds) {
  return new Date((seconds + PAKISTAN_OFFSET_S) * 1000).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (the seal's due-date claim). */
export function daysSinceEpoch(date) {
  return Math.round(dateToMs(date) / DAY_MS);
}

/** `date` plus `days` days. */
export function addDays(date, days) {
  return new Date(dateToMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

function dateToMs(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new Error(`not a date: ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-30 over to March; a date that does not round-trip is no date.
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new Error(`not a date: ${date}`);
  return ms;
}

/**
 * The version of `schedules` in force on `date`: the highest `effective_from` not after
 * it (on a tie, the highest version); null when none is yet in force.
 */
export function scheduleInForce(schedules, date) {
  let best = null;
  for (const s of schedules) {
    if (s.effective_from > date) continue;
    if (best === null || s.effective_from > best.effective_from || (s.effective_from === best.effective_from && s.version >= best.version)) {
      best = s;
    }
  }
  return best;
}

/** Whether the officer types the amount (a range) or the schedule fixes it. */
export const isRange = (schedule) => schedule.amount.type === 'range';

/**
 * `amount` plus `basisPoints` / 10,000 of it, rounded up to the paisa (Rust
 * `Paisa::plus_basis_points`). BigInt: amount × basis points can pass 2^53.
 */
export function plusBasisPoints(amount, basisPoints) {
  const extra = (BigInt(amount) * BigInt(basisPoints) + 9_999n) / 10_000n;
  const total = BigInt(amount) + extra;
  if (total > BigInt(MAX_AMOUNT_PAISA)) throw new FieldError('amount_paisa', 'amount_too_large', 'the amount after the due date is too large');
  return Number(total);
}

/** A positive amount of paisa no larger than the platform accepts (Rust `Paisa::new`). */
export function checkPaisa(field, value) {
  if (!Number.isSafeInteger(value) || value <= 0) throw new FieldError(field, 'amount_positive', 'must be positive');
  if (value > MAX_AMOUNT_PAISA) throw new FieldError(field, 'amount_too_large', `must not exceed ${MAX_AMOUNT_PAISA}`, { max: MAX_AMOUNT_PAISA });
  return value;
}

/**
 * The amounts frozen on a challan of `headCode` issued on `issueDate` (Pakistan time)
 * under `schedule`. `requested` is the officer's amount in paisa: required for a range,
 * refused for a fixed amount unless it equals it.
 * @returns {{amount_paisa: number, amount_after_due_paisa: number, due_date: string}}
 */
export function freeze(headCode, schedule, requested, issueDate) {
  const field = 'amount_paisa';
  const rule = schedule.amount;
  let amount;
  if (rule.type === 'fixed') {
    if (requested !== null && requested !== undefined && requested !== rule.amount_paisa) {
      throw new FieldError(field, 'amount_not_allowed', `head ${headCode} has a fixed amount`, { head: headCode });
    }
    amount = rule.amount_paisa;
  } else if (rule.type === 'range') {
    if (requested === null || requested === undefined) {
      throw new FieldError(field, 'amount_required', `head ${headCode} needs an amount`, { head: headCode });
    }
    checkPaisa(field, requested);
    if (requested < rule.min_paisa || requested > rule.max_paisa) {
      throw new FieldError(field, 'amount_out_of_range', `amount must be within ${rule.min_paisa}..=${rule.max_paisa} paisa`, {
        head: headCode,
        min: rule.min_paisa,
        max: rule.max_paisa,
      });
    }
    amount = requested;
  } else {
    throw new Error(`unknown amount rule ${rule.type}`);
  }
  let after;
  switch (schedule.after_due.type) {
    case 'same':
      after = amount;
      break;
    case 'fixed':
      after = schedule.after_due.amount_paisa;
      break;
    case 'surcharge_basis_points':
      after = plusBasisPoints(amount, schedule.after_due.basis_points);
      break;
    default:
      throw new Error(`unknown after-due rule ${schedule.after_due.type}`);
  }
  const dueDate = addDays(issueDate, schedule.due_days);
  if (dueDate > LAST_DATE || dueDate.length !== 10) throw new FieldError('due_date', 'due_date_range', 'the due date is out of range');
  return { amount_paisa: amount, amount_after_due_paisa: after, due_date: dueDate };
}

/**
 * Paisa from what an officer typed in rupees: `5000`, `5,000`, `1250.5`, `1250.50`. Null
 * for blank; throws a FieldError for anything else (more than two decimals included).
 */
export function parseRupees(field, input) {
  const typed = String(input ?? '').trim().replace(/,/g, '');
  if (typed === '') return null;
  const m = /^([0-9]{1,10})(?:\.([0-9]{0,2}))?$/.exec(typed);
  if (m === null) throw new FieldError(field, 'amount_format', 'must be rupees, e.g. 5000 or 1250.50');
  const paisa = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return checkPaisa(field, paisa);
}

/** How money is shown: `PKR 5,000` or `PKR 1,250.50` (Rust `Display for Paisa`). */
export function formatPaisa(paisa) {
  const rupees = Math.floor(paisa / 100);
  const rest = paisa % 100;
  const grouped = String(rupees).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rest === 0 ? `PKR ${grouped}` : `PKR ${grouped}.${String(rest).padStart(2, '0')}`;
}
