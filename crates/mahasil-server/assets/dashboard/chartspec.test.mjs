// The charts' pure half: the JSON spec read and checked (a wrong spec is refused with a
// reason, never thrown), its uPlot layout (stacks, bands, side-by-side bars), and numbers
// and dates as the legend and axes show them.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  MAX_POINTS,
  MAX_SERIES,
  MAX_SPEC_CHARS,
  barGroup,
  chartData,
  formatCompact,
  formatDay,
  formatGrouped,
  formatTick,
  formatTimeTicks,
  formatValue,
  knownLocale,
  parseChartSpec,
  smallestGap,
  thinTicks,
} from './chartspec.js';

const DAY = 86_400;
/** 1 October 2025, 00:00 in Pakistan (UTC+5). */
const OCT_1 = Date.UTC(2025, 8, 30, 19) / 1000;

const revenue = {
  x: [OCT_1, OCT_1 + DAY, OCT_1 + 2 * DAY],
  xKind: 'time',
  xLabel: 'Date',
  unit: 'PKR',
  series: [
    { label: 'Collected', values: [450_000, 512_000, null] },
    { label: 'Forecast', values: [null, 512_000, 530_000], dashed: true, band: { lo: [null, 512_000, 480_000], hi: [null, 512_000, 580_000] } },
  ],
};

const parse = (spec, kind = 'line') => parseChartSpec(JSON.stringify(spec), kind);
const reason = (spec, kind) => {
  const result = typeof spec === 'string' ? parseChartSpec(spec, kind ?? 'line') : parse(spec, kind);
  assert.equal(result.ok, false, 'refused');
  return result.reason;
};

test('a full spec is read with every field, and defaults fill what it leaves out', () => {
  const { ok, spec } = parse(revenue);
  assert.equal(ok, true);
  assert.deepEqual(spec, { kind: 'line', ...revenue, series: [{ ...revenue.series[0], dashed: false, band: null }, revenue.series[1]] });

  const bare = parse({ x: ['Peshawar', 'Swat'], series: [{ label: 'Challans', values: [12, 7] }] }, 'bar').spec;
  assert.deepEqual(bare, { kind: 'bar', xKind: 'category', x: ['Peshawar', 'Swat'], xLabel: '', unit: '', series: [{ label: 'Challans', values: [12, 7], dashed: false, band: null }] });
  assert.equal(parse({ x: [1, 2], series: [{ label: 'a', values: [1, 2] }] }).spec.xKind, 'time', 'numbers alone are unix seconds');
  assert.deepEqual(parse({ x: [2024, 2025], xKind: 'category', series: [{ label: 'a', values: [1, 2] }] }, 'bar').spec.x, ['2024', '2025']);
});

test('malformed JSON and wrong shapes are refused with a reason, never thrown', () => {
  assert.match(reason('{"x": [1, 2'), /does not parse/);
  assert.match(reason(''), /does not parse/);
  assert.match(reason('[]'), /not an object/);
  assert.match(reason('null'), /not an object/);
  assert.match(parseChartSpec(undefined, 'line').reason, /no JSON text/);
  assert.match(reason(revenue, 'pie'), /data-chart is "pie"/);
  assert.match(parseChartSpec(JSON.stringify(revenue), undefined).reason, /data-chart is undefined/);
  assert.match(reason({ ...revenue, x: [] }), /"x" is not a non-empty array/);
  assert.match(reason({ ...revenue, xKind: 'log' }), /"xKind" is "log"/);
  assert.match(reason({ ...revenue, x: [OCT_1, 'later', OCT_1 + 2 * DAY] }), /other than unix seconds/);
  assert.match(reason({ ...revenue, x: [OCT_1, OCT_1, OCT_1 + DAY] }), /not increasing at index 1/);
  assert.match(reason({ ...revenue, xKind: 'category', x: ['a', {}, 'c'] }), /other than labels/);
  assert.match(reason({ ...revenue, unit: 5 }), /"unit"/);
  assert.match(reason({ ...revenue, series: [] }), /"series" is not a non-empty array/);
  assert.match(reason({ ...revenue, series: [null] }), /series\[0\] is not an object/);
  assert.match(reason({ ...revenue, series: [{ values: [1, 2, 3] }] }), /series\[0\].label/);
  assert.match(reason({ ...revenue, series: [{ label: 'a', values: [1, '2', 3] }] }), /series\[0\].values\[1\] is not a number or null/);
  assert.match(reason({ ...revenue, series: [{ label: 'a', values: [1, 2, 3], dashed: 'yes' }] }), /dashed/);
});

test('lengths that do not match x are refused, bands included', () => {
  assert.equal(reason({ ...revenue, series: [{ label: 'a', values: [1, 2] }] }), 'series[0].values has 2 values for 3 points of "x"');
  assert.equal(reason({ ...revenue, series: [{ label: 'a', values: [1, 2, 3, 4] }] }), 'series[0].values has 4 values for 3 points of "x"');
  const band = (lo, hi) => ({ ...revenue, series: [{ label: 'f', values: [1, 2, 3], band: { lo, hi } }] });
  assert.equal(reason(band([1, 2], [1, 2, 3])), 'series[0].band.lo has 2 values for 3 points of "x"');
  assert.equal(reason(band([1, 2, 3], undefined)), 'series[0].band.hi is not an array');
  assert.equal(reason(band([1, 5, 3], [1, 4, 3])), 'series[0].band has lo above hi at index 1');
  assert.match(reason({ ...revenue, x: ['a', 'b', 'c'], xKind: 'category' }, 'bar'), /a bar chart has no bands/);
});

test('limits: the text, the points and the series drawn', () => {
  assert.match(reason(' '.repeat(MAX_SPEC_CHARS + 1)), /more than/);
  const many = Array.from({ length: MAX_POINTS + 1 }, (_, i) => i);
  assert.match(reason({ x: many, series: [{ label: 'a', values: many }] }), /"x" has 5001 points/);
  const series = (n) => Array.from({ length: n }, (_, i) => ({ label: `s${i}`, values: [1] }));
  assert.equal(parse({ x: [1], series: series(MAX_SERIES) }).ok, true);
  assert.match(reason({ x: [1], series: series(MAX_SERIES + 1) }), /13 series to draw/);
  // A band is drawn as two more series.
  const banded = { label: 'f', values: [1], band: { lo: [0], hi: [2] } };
  assert.match(reason({ x: [1], series: [...series(MAX_SERIES - 2), banded] }), /13 series to draw/);
});

test('uPlot data: a band follows its series as lo then hi, filled hi over lo', () => {
  const layout = chartData(parse(revenue).spec);
  assert.deepEqual(layout.data, [
    revenue.x,
    [450_000, 512_000, null],
    [null, 512_000, 530_000],
    [null, 512_000, 480_000],
    [null, 512_000, 580_000],
  ]);
  assert.deepEqual(layout.roles, [{ role: 'x' }, { role: 'series', index: 0 }, { role: 'series', index: 1 }, { role: 'lo', index: 1 }, { role: 'hi', index: 1 }]);
  assert.deepEqual(layout.bands, [[4, 3]]);
  assert.equal(layout.gap, DAY);
});

test('uPlot data: a stack holds running totals, each layer over the one below; the legend keeps own values', () => {
  const spec = parse(
    {
      x: ['Paid', 'Unpaid'],
      series: [
        { label: 'Peshawar', values: [10, 4] },
        { label: 'Swat', values: [null, 3] },
        { label: 'Kohat', values: [2, 1] },
      ],
    },
    'stacked',
  ).spec;
  const layout = chartData(spec);
  assert.deepEqual(layout.data, [
    [0, 1],
    [10, 4],
    [10, 7],
    [12, 8],
  ]);
  assert.deepEqual(layout.raw.slice(1), [
    [10, 4],
    [null, 3],
    [2, 1],
  ]);
  assert.deepEqual(layout.bands, [
    [2, 1],
    [3, 2],
  ]);
  assert.equal(layout.gap, 1);
});

test('side-by-side bars share 80% of their room, centred on their x', () => {
  assert.deepEqual(barGroup(1, 1), { width: 0.8, offsets: [-0.4] });
  const { width, offsets } = barGroup(2, 10);
  assert.equal(width, 4);
  assert.deepEqual(offsets, [-4, 0]);
  assert.equal(smallestGap([0, 10, 15, 40]), 5);
  assert.equal(smallestGap([7]), 1);
});

test('time ticks sit on the data, thinned to fit', () => {
  const weeks = Array.from({ length: 8 }, (_, i) => OCT_1 + i * 7 * DAY);
  assert.deepEqual(thinTicks(weeks, 640, 64), weeks);
  assert.deepEqual(thinTicks(weeks, 300, 64), [weeks[0], weeks[2], weeks[4], weeks[6]]);
  assert.deepEqual(thinTicks(weeks, 0, 64), [weeks[0]]);
});

test('numbers: thousands separators, compact from a threshold, rounding across units', () => {
  assert.equal(formatGrouped(0), '0');
  assert.equal(formatGrouped(45_000), '45,000');
  assert.equal(formatGrouped(1_234_567.89), '1,234,568');
  assert.equal(formatGrouped(1_234.5, 1), '1,234.5');
  assert.equal(formatGrouped(1_234.04, 1), '1,234');
  assert.equal(formatGrouped(-9_876_543), '-9,876,543');
  assert.equal(formatGrouped(-0.001, 1), '0');
  assert.equal(formatCompact(1_234_567), '1.2M');
  assert.equal(formatCompact(12_345_678), '12M');
  assert.equal(formatCompact(45_000), '45K');
  assert.equal(formatCompact(999_950), '1M');
  assert.equal(formatCompact(2_500_000_000), '2.5B');
  assert.equal(formatCompact(-1_500_000), '-1.5M');
  assert.equal(formatCompact(950), '950');
});

test('values as the legend shows them: PKR, percentages, counts, missing', () => {
  assert.equal(formatValue(45_000, 'PKR'), 'PKR 45,000');
  assert.equal(formatValue(999_999, 'PKR'), 'PKR 999,999');
  assert.equal(formatValue(1_234_567, 'PKR'), 'PKR 1.2M');
  assert.equal(formatValue(12_000_000, 'PKR'), 'PKR 12M');
  assert.equal(formatValue(45_000.4, 'PKR'), 'PKR 45,000');
  assert.equal(formatValue(-3_000, 'PKR'), 'PKR -3,000');
  assert.equal(formatValue(78.46, '%'), '78.5%');
  assert.equal(formatValue(100, '%'), '100%');
  assert.equal(formatValue(4_512, ''), '4,512');
  assert.equal(formatValue(2.345, ''), '2.35');
  assert.equal(formatValue(31, 'challans'), '31 challans');
  assert.equal(formatValue(null, 'PKR'), '—');
  assert.equal(formatValue(undefined, ''), '—');
  assert.equal(formatValue(NaN, ''), '—');
});

test('axis ticks stay short on a phone', () => {
  assert.equal(formatTick(0, 'PKR'), '0');
  assert.equal(formatTick(4_500, 'PKR'), '4,500');
  assert.equal(formatTick(45_000, 'PKR'), '45K');
  assert.equal(formatTick(600_000, 'PKR'), '600K');
  assert.equal(formatTick(1_200_000, 'PKR'), '1.2M');
  assert.equal(formatTick(80, '%'), '80%');
  assert.equal(formatTick(0.5, ''), '0.5');
  assert.equal(formatTick(Infinity, ''), '');
});

test('dates in Pakistan time and the page language, day before month', () => {
  assert.equal(knownLocale('en'), 'en-PK');
  assert.equal(knownLocale('ur'), 'ur-PK');
  assert.equal(knownLocale('en-GB'), 'en-GB');
  assert.equal(knownLocale(''), 'en-PK');
  assert.equal(knownLocale('not a language!'), 'en-PK');
  assert.equal(formatDay(OCT_1, 'en'), '1 Oct 2025');
  // 1 October 00:00 in Pakistan is still 30 September in UTC.
  assert.equal(formatDay(OCT_1 - 1, 'en'), '30 Sept 2025');
  assert.match(formatDay(OCT_1, 'ur'), /اکتوبر/);
  assert.equal(formatDay(NaN, 'en'), '—');

  assert.deepEqual(formatTimeTicks([OCT_1, OCT_1 + 14 * DAY], 14 * DAY, 'en'), ['1 Oct', '15 Oct']);
  const months = [OCT_1, Date.UTC(2025, 10, 30, 19) / 1000, Date.UTC(2025, 11, 31, 19) / 1000];
  assert.deepEqual(formatTimeTicks(months, 31 * DAY, 'en'), ['Oct 2025', 'Dec', 'Jan 2026']);
  assert.deepEqual(formatTimeTicks([OCT_1], 400 * DAY, 'en'), ['2025']);
  assert.deepEqual(formatTimeTicks([OCT_1 + 14 * 3600], 3600, 'en'), ['14:00']);
  assert.match(formatTimeTicks([OCT_1], 14 * DAY, 'ur')[0], /اکتوبر/);
});
