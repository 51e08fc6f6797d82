// The pure half of the dashboard's charts: reading and checking the JSON the server puts in
// each chart figure, laying it out as uPlot data, and formatting numbers and dates. No DOM,
// so Node's tests load this file as the browser does.

/** A spec larger than this (characters) is refused before parsing. */
export const MAX_SPEC_CHARS = 1_000_000;
/** Points on the x axis of one chart. */
export const MAX_POINTS = 5_000;
/** Series in one chart (a forecast band counts as its series). */
export const MAX_SERIES = 12;
/** Characters of one label (a series name or a category). */
export const MAX_LABEL_CHARS = 200;

export const CHART_KINDS = Object.freeze(['line', 'bar', 'stacked']);
export const X_KINDS = Object.freeze(['time', 'category']);

/** Dates on the axis and at the cursor are Pakistan dates, wherever the phone is. */
export const TIME_ZONE = 'Asia/Karachi';

/** Dash pattern of a `dashed` series (forecasts), in CSS pixels. */
export const DASH = Object.freeze([6, 4]);

const isNumberOrNull = (v) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isPlainObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the text of a figure's `<script type="application/json">` for a chart of `kind`
 * (its `data-chart`). Never throws: `{ ok: true, spec }` with every field present and
 * checked, or `{ ok: false, reason }` saying what is wrong, for the console.
 */
export function parseChartSpec(text, kind) {
  if (!CHART_KINDS.includes(kind)) return refuse(`data-chart is ${JSON.stringify(kind)}, not one of ${CHART_KINDS.join(', ')}`);
  if (typeof text !== 'string') return refuse('no JSON text');
  if (text.length > MAX_SPEC_CHARS) return refuse(`the JSON is ${text.length} characters, more than ${MAX_SPEC_CHARS}`);
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return refuse(`the JSON does not parse: ${e.message}`);
  }
  if (!isPlainObject(raw)) return refuse('the JSON is not an object');
  try {
    return { ok: true, spec: checkSpec(raw, kind) };
  } catch (e) {
    if (e instanceof SpecError) return refuse(e.message);
    throw e;
  }
}

class SpecError extends Error {}

const refuse = (reason) => ({ ok: false, reason });

function fail(reason) {
  throw new SpecError(reason);
}

function checkSpec(raw, kind) {
  const { x } = raw;
  if (!Array.isArray(x) || x.length === 0) fail('"x" is not a non-empty array');
  if (x.length > MAX_POINTS) fail(`"x" has ${x.length} points, more than ${MAX_POINTS}`);
  const allNumbers = x.every((v) => typeof v === 'number' && Number.isFinite(v));
  const xKind = raw.xKind ?? (allNumbers ? 'time' : 'category');
  if (!X_KINDS.includes(xKind)) fail(`"xKind" is ${JSON.stringify(xKind)}, not one of ${X_KINDS.join(', ')}`);
  if (xKind === 'time') {
    if (!allNumbers) fail('"x" of a time chart holds something other than unix seconds');
    for (let i = 1; i < x.length; i++) if (!(x[i] > x[i - 1])) fail(`"x" of a time chart is not increasing at index ${i}`);
  } else if (!x.every((v) => (typeof v === 'string' && v.length <= MAX_LABEL_CHARS) || (typeof v === 'number' && Number.isFinite(v)))) {
    fail('"x" of a category chart holds something other than labels');
  }
  const unit = raw.unit ?? '';
  if (typeof unit !== 'string' || unit.length > 20) fail('"unit" is not a short string');
  const xLabel = raw.xLabel ?? '';
  if (typeof xLabel !== 'string' || xLabel.length > MAX_LABEL_CHARS) fail('"xLabel" is not a short string');

  const { series } = raw;
  if (!Array.isArray(series) || series.length === 0) fail('"series" is not a non-empty array');
  const checked = series.map((s, i) => checkSeries(s, i, x.length));
  const drawn = checked.reduce((n, s) => n + (s.band ? 3 : 1), 0);
  if (drawn > MAX_SERIES) fail(`${drawn} series to draw (bands count twice more), more than ${MAX_SERIES}`);
  if (kind !== 'line' && checked.some((s) => s.band)) fail(`a ${kind} chart has no bands; only line charts do`);
  return { kind, xKind, x: xKind === 'category' ? x.map(String) : x.slice(), xLabel, unit, series: checked };
}

function checkSeries(s, i, length) {
  const at = `series[${i}]`;
  if (!isPlainObject(s)) fail(`${at} is not an object`);
  if (typeof s.label !== 'string' || s.label.length > MAX_LABEL_CHARS) fail(`${at}.label is not a short string`);
  const values = checkValues(s.values, `${at}.values`, length);
  const dashed = s.dashed ?? false;
  if (typeof dashed !== 'boolean') fail(`${at}.dashed is not true or false`);
  let band = null;
  if (s.band !== undefined && s.band !== null) {
    if (!isPlainObject(s.band)) fail(`${at}.band is not an object`);
    band = { lo: checkValues(s.band.lo, `${at}.band.lo`, length), hi: checkValues(s.band.hi, `${at}.band.hi`, length) };
    for (let j = 0; j < length; j++) {
      const [lo, hi] = [band.lo[j], band.hi[j]];
      if (lo !== null && hi !== null && lo > hi) fail(`${at}.band has lo above hi at index ${j}`);
    }
  }
  return { label: s.label, values, dashed, band };
}

function checkValues(values, at, length) {
  if (!Array.isArray(values)) fail(`${at} is not an array`);
  if (values.length !== length) fail(`${at} has ${values.length} values for ${length} points of "x"`);
  const bad = values.findIndex((v) => !isNumberOrNull(v));
  if (bad >= 0) fail(`${at}[${bad}] is not a number or null`);
  return values.slice();
}

/**
 * The spec as uPlot's aligned data: `data[0]` the x values (category charts: 0, 1, 2, …),
 * then for each series its values, followed by its band's lo and hi when it has one.
 * `stacked` charts hold running totals, so that each series' bars stand on the one before;
 * `raw[i]` keeps every drawn series' own values for the legend. `roles[i]` says what
 * data[i] is: `{ role: 'x' }`, `{ role: 'series', index }`, `{ role: 'lo' | 'hi', index }`.
 * `bands` are uPlot's `[from, to]` pairs: hi over lo, and each stacked series over the one
 * below.
 */
export function chartData(spec) {
  const xs = spec.xKind === 'category' ? spec.x.map((_, i) => i) : spec.x.slice();
  const data = [xs];
  const raw = [xs];
  const roles = [{ role: 'x' }];
  const bands = [];
  const totals = spec.x.map(() => 0);
  spec.series.forEach((s, index) => {
    const drawnIndex = data.length;
    if (spec.kind === 'stacked') {
      // A missing value adds nothing; the series above still stands on the total below.
      data.push(s.values.map((v, j) => (totals[j] += v ?? 0)));
      if (index > 0) bands.push([drawnIndex, drawnIndex - 1]);
    } else {
      data.push(s.values.slice());
    }
    raw.push(s.values);
    roles.push({ role: 'series', index });
    if (s.band) {
      data.push(s.band.lo.slice(), s.band.hi.slice());
      raw.push(s.band.lo, s.band.hi);
      roles.push({ role: 'lo', index }, { role: 'hi', index });
      bands.push([drawnIndex + 2, drawnIndex + 1]);
    }
  });
  return { data, raw, roles, bands, gap: smallestGap(xs) };
}

/** The smallest step between neighbouring x values (1 for a single point): a bar's room. */
export function smallestGap(xs) {
  let gap = Infinity;
  for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
  return Number.isFinite(gap) && gap > 0 ? gap : 1;
}

/**
 * Ticks at the data's own x values, every k-th so that neighbours are at least `minPx`
 * apart on a plot `widthPx` wide: bars get their dates under them, not at round dates
 * between them.
 */
export function thinTicks(xs, widthPx, minPx) {
  const perPoint = widthPx / Math.max(1, xs.length);
  const every = Math.max(1, Math.ceil(minPx / Math.max(perPoint, 1e-9)));
  return xs.filter((_, i) => i % every === 0);
}

/** Share of a bar's room that bars fill; the rest is the space between groups. */
export const BAR_GROUP_SHARE = 0.8;

/**
 * Side-by-side bars of `count` series in a room of `gap` x units: each bar's `width`, and
 * `offsets[k]`, where series k's bar starts relative to its x value.
 */
export function barGroup(count, gap) {
  const width = (gap * BAR_GROUP_SHARE) / count;
  const offsets = Array.from({ length: count }, (_, k) => -(gap * BAR_GROUP_SHARE) / 2 + k * width);
  return { width, offsets };
}

/** `1234567.8` → "1,234,568" (`decimals` 0), trailing zeros of the decimals dropped. */
export function formatGrouped(value, decimals = 0) {
  const negative = value < 0;
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole, fraction = ''] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction.replace(/0+$/, '');
  const text = trimmed ? `${grouped}.${trimmed}` : grouped;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

const SCALES = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** `1_234_567` → "1.2M", `45_000` → "45K": one decimal under 10, none above. */
export function formatCompact(value, from = 1e3) {
  const abs = Math.abs(value);
  for (let s = 0; s < SCALES.length; s++) {
    const [size, suffix] = SCALES[s];
    if (abs < size || size < from) continue;
    let scaled = abs / size;
    scaled = scaled < 10 ? Math.round(scaled * 10) / 10 : Math.round(scaled);
    // 999,950 is "1M", not "1000K".
    if (scaled >= 1000 && s > 0) return formatCompact(Math.sign(value) * SCALES[s - 1][0], from);
    return `${value < 0 ? '-' : ''}${formatGrouped(scaled, 1)}${suffix}`;
  }
  return formatGrouped(value, abs < 10 ? 2 : abs < 100 ? 1 : 0);
}

/**
 * A value as the legend shows it: "PKR 45,000", "PKR 1.2M" (rupees, compact from a
 * million), "78.5%", "1,204" with no unit, "1,204 unit" for any other unit; "—" for none.
 */
export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'PKR') return `PKR ${Math.abs(value) >= 1e6 ? formatCompact(value, 1e6) : formatGrouped(value)}`;
  if (unit === '%') return `${formatGrouped(value, 1)}%`;
  const number = formatGrouped(value, Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0);
  return unit ? `${number} ${unit}` : number;
}

/** A value on the y axis, short for a phone: "4,500", "45K", "1.2M", "80%". */
export function formatTick(value, unit) {
  if (!Number.isFinite(value)) return '';
  const number = Math.abs(value) >= 1e4 ? formatCompact(value) : formatGrouped(value, Math.abs(value) < 10 ? 2 : 0);
  return unit === '%' ? `${number}%` : number;
}

/**
 * The page's language for Intl, as written in Pakistan when it names no region ("en" →
 * "en-PK": "1 Oct", not "Oct 1"); English when Intl does not know it.
 */
export function knownLocale(lang) {
  const wanted = typeof lang === 'string' && lang !== '' ? lang : 'en';
  const candidates = wanted.includes('-') ? [wanted] : [`${wanted}-PK`, wanted];
  try {
    return candidates.find((c) => Intl.DateTimeFormat.supportedLocalesOf(c).length > 0) ?? 'en-PK';
  } catch {
    return 'en-PK';
  }
}

const DAY_SECONDS = 86_400;

/**
 * Labels of the time axis' ticks (unix seconds, `stepSeconds` apart) in the page's language
 * and Pakistan time: years; months, with the year on the first tick and on each January;
 * days ("13 Oct"); or hours ("14:00").
 */
export function formatTimeTicks(ticks, stepSeconds, lang) {
  const locale = knownLocale(lang);
  const format = (options) => new Intl.DateTimeFormat(locale, { ...options, timeZone: TIME_ZONE });
  if (stepSeconds >= 360 * DAY_SECONDS) {
    const year = format({ year: 'numeric' });
    return ticks.map((t) => year.format(t * 1000));
  }
  if (stepSeconds >= 28 * DAY_SECONDS) {
    const month = format({ month: 'short' });
    const monthYear = format({ month: 'short', year: 'numeric' });
    const monthNumber = format({ month: 'numeric', numberingSystem: 'latn' });
    return ticks.map((t, i) => (i === 0 || monthNumber.format(t * 1000) === '1' ? monthYear : month).format(t * 1000));
  }
  if (stepSeconds >= DAY_SECONDS) {
    const day = format({ day: 'numeric', month: 'short' });
    return ticks.map((t) => day.format(t * 1000));
  }
  const time = format({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return ticks.map((t) => time.format(t * 1000));
}

/** Unix seconds as a Pakistan date in the page's language, e.g. "27 Nov 2026". */
export function formatDay(seconds, lang) {
  if (!Number.isFinite(seconds)) return '—';
  const format = new Intl.DateTimeFormat(knownLocale(lang), { day: 'numeric', month: 'short', year: 'numeric', timeZone: TIME_ZONE });
  return format.format(new Date(seconds * 1000));
}
