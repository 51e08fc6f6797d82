// Who a challan is addressed to and where it was issued, read with the exact rules of
// Rust `mahasil_domain::identity` and `mahasil_domain::challan::Location`, so a challan
// the phone accepts offline is one the server accepts when it arrives.
//
// Each parser takes what the officer typed and returns the one normalised form the server
// stores (`17301-1234567-1`, `+923001234567`, `LES-10-1234`), or throws a FieldError.
// Rust measures some lengths in UTF-8 bytes and others in characters; each rule below
// measures as its Rust counterpart does.

import { WHITE_SPACE } from '../verify/claims.js';
import { FieldError, FieldErrors } from './field-error.js';

/** Longest free text (names, addresses, business names, place), in characters. */
export const MAX_TEXT_CHARS = 200;
/** Longest business name carried in the seal as its subject id (Rust `MAX_SUBJECT_CHARS`). */
export const MAX_SUBJECT_CHARS = 16;
const MAX_EMAIL_BYTES = 254;
const MAX_VEHICLE_BYTES = 16;

// Rust's `str::trim` and `char::is_whitespace` use Unicode White_Space, which is not
// JavaScript's `\s` (that adds U+FEFF and leaves out U+0085).
const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, 'gu');
const HAS_WHITE_SPACE = new RegExp(`[${WHITE_SPACE}]`, 'u');
const SPLIT_VEHICLE = new RegExp(`[-${WHITE_SPACE}]`, 'u');
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_NEWLINE = /[\0-\x09\x0b-\x1f\x7f-\x9f]/;
const utf8Length = (s) => new TextEncoder().encode(s).length;

/** `input` with Unicode white space trimmed from both ends, as Rust's `trim`. */
export const trim = (input) => String(input ?? '').replace(TRIM, '');

/** Text that UTF-8 can carry: no unpaired surrogate (the server's JSON parser refuses one). */
function wellFormed(s) {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** A CNIC, stored as `#####-#######-#`: 13 digits, bare or with the card's two dashes (or spaces). */
export function parseCnic(input) {
  const bad = (why) => new FieldError('offender.cnic', 'cnic_format', why);
  const trimmed = trim(input);
  // Anything but ASCII is refused below anyway; checking first lets lengths be counted in
  // characters where Rust counts bytes.
  if (!/^[\x20-\x7e]*$/.test(trimmed)) throw bad('must be 13 digits, written #####-#######-#');
  const separated = trimmed.length === 15 && '- '.includes(trimmed[5]) && '- '.includes(trimmed[13]);
  const digits = separated ? trimmed.replace(/[- ]/g, '') : trimmed;
  if (!/^[0-9]{13}$/.test(digits)) throw bad('must be 13 digits, written #####-#######-#');
  if (digits.startsWith('0')) throw new FieldError('offender.cnic', 'cnic_zero', 'cannot start with 0');
  return `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`;
}

/** A Pakistani mobile number, stored as `+923XXXXXXXXX`; accepts `0300-1234567`, `+92 300 1234567`, `923001234567`, `00923001234567`. */
export function parseMobile(input) {
  const bad = () => new FieldError('offender.mobile', 'mobile_format', 'must be a Pakistani mobile number such as 0300-1234567');
  const compact = trim(input).replace(/[- ()]/g, '');
  let national;
  if (compact.startsWith('+92')) national = compact.slice(3);
  else if (compact.startsWith('0092')) national = compact.slice(4);
  else if (compact.startsWith('92') && utf8Length(compact) - 2 === 10) national = compact.slice(2);
  else if (compact.startsWith('0')) national = compact.slice(1);
  else throw bad();
  if (!/^3[0-9]{9}$/.test(national)) throw bad();
  return `+92${national}`;
}

/** An email address, checked for shape only (the mail server is the real judge). */
export function parseEmail(input) {
  const bad = () => new FieldError('offender.email', 'email_format', 'must look like name@example.pk');
  const s = trim(input);
  const at = s.indexOf('@');
  if (at < 0) throw bad();
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (
    local.length === 0 ||
    utf8Length(domain) < 3 ||
    !domain.includes('.') ||
    domain.startsWith('.') ||
    domain.endsWith('.') ||
    utf8Length(s) > MAX_EMAIL_BYTES ||
    HAS_WHITE_SPACE.test(s) ||
    CONTROL.test(s) ||
    domain.includes('@') ||
    !wellFormed(s)
  ) {
    throw bad();
  }
  return s;
}

/** Free text a person typed: trimmed, not empty, at most `maxChars` characters, no control characters but line breaks. */
export function parseText(field, input, maxChars = MAX_TEXT_CHARS) {
  const s = trim(input);
  if (s.length === 0) throw new FieldError(field, 'required', 'must not be empty');
  if ([...s].length > maxChars) throw new FieldError(field, 'too_long', `must be at most ${maxChars} characters`, { max: maxChars });
  if (CONTROL_BUT_NEWLINE.test(s) || !wellFormed(s)) throw new FieldError(field, 'control_chars', 'must not contain control characters');
  return s;
}

/** A vehicle registration as on the plate, upper case with single dashes: `ABC-123`, `LES-10-1234`. */
export function parseVehicleNo(input) {
  const parts = String(input ?? '')
    .split(SPLIT_VEHICLE)
    .filter((p) => p.length > 0)
    .map((p) => p.replace(/[a-z]+/g, (m) => m.toUpperCase()));
  const joined = parts.join('-');
  if (joined.length === 0 || utf8Length(joined) > MAX_VEHICLE_BYTES || !/^[A-Za-z0-9-]+$/.test(joined)) {
    throw new FieldError('offender.vehicle_no', 'vehicle_format', 'must be letters and digits as on the plate, e.g. ABC-123');
  }
  if (!/[0-9]/.test(joined)) throw new FieldError('offender.vehicle_no', 'vehicle_digits', "must contain the plate's digits");
  return joined;
}

/**
 * A coordinate typed or measured: a finite number within `limit` degrees. Typed text is
 * read as a decimal number (a comma as the decimal mark is accepted).
 */
export function parseCoordinate(field, input, limit) {
  let value = input;
  if (typeof input !== 'number') {
    const typed = trim(input).replace(',', '.');
    if (typed === '') throw new FieldError(field, 'required', 'must not be empty');
    value = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(typed) ? Number(typed) : NaN;
  }
  if (!Number.isFinite(value) || value < -limit || value > limit) {
    throw new FieldError(field, 'coordinate_range', `must be between -${limit} and ${limit}`, { limit });
  }
  return value;
}

/** An optional field: absent when left blank, else parsed. */
const optional = (input, parse) => (trim(input) === '' ? null : parse(input));

/** The language an offender asked to be written to in: `en` or `ur`. */
export function parseLanguage(input) {
  const value = trim(input);
  if (value !== 'en' && value !== 'ur') throw new FieldError('offender.language', 'language', 'must be English or Urdu');
  return value;
}

/**
 * The offender and location of a challan from the form's values, every field checked;
 * throws FieldErrors naming each field that is wrong.
 * @param {{name, cnic, mobile, email?, vehicle_no?, business_name?, address?, language?}} offender
 * @param {{lat, lon, text}} location
 */
export function parseParties(offender, location) {
  const errors = [];
  const take = (parse) => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      errors.push(e);
      return undefined;
    }
  };
  const parsed = {
    offender: {
      name: take(() => parseText('offender.name', offender.name)),
      cnic: take(() => parseCnic(offender.cnic)),
      mobile: take(() => parseMobile(offender.mobile)),
      email: take(() => optional(offender.email, parseEmail)),
      vehicle_no: take(() => optional(offender.vehicle_no, parseVehicleNo)),
      business_name: take(() => optional(offender.business_name, (v) => parseText('offender.business_name', v))),
      address: take(() => optional(offender.address, (v) => parseText('offender.address', v))),
      language: take(() => optional(offender.language, parseLanguage)),
    },
    location: {
      lat: take(() => parseCoordinate('location.lat', location.lat, 90)),
      lon: take(() => parseCoordinate('location.lon', location.lon, 180)),
      text: take(() => parseText('location.text', location.text)),
    },
  };
  if (errors.length > 0) throw new FieldErrors(errors);
  // A language only when one was asked, as the server writes an offender.
  if (parsed.offender.language === null) delete parsed.offender.language;
  return parsed;
}

/**
 * The seal's subject id, as the server picks it (`seals::claims::challan_claims`): the
 * vehicle number, or else a business name short enough for a small QR code, or none.
 */
export function subjectId(offender) {
  if (offender.vehicle_no) return offender.vehicle_no;
  const business = offender.business_name;
  if (business && [...business].length <= MAX_SUBJECT_CHARS) return business;
  return null;
}
