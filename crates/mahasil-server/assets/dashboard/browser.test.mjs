// The charts in headless Chromium, on a phone-sized screen and under the strict
// Content-Security-Policy of mahasil's pages: good specs become charts whose tables are
// hidden visually (not from screen readers), broken ones keep their table and warn, the
// charts follow the width of their figure, and an Urdu page reads right to left. Skipped
// where no Chromium is installed (Debian package `chromium`, or MAHASIL_CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chromiumPath, fileRoute, launchBrowser, serve } from '../verify/browser-support.mjs';

const chromium = chromiumPath();
const WAIT_MS = 20_000;
const DAY = 86_400;
const OCT_1 = Date.UTC(2025, 8, 30, 19) / 1000;

const days = Array.from({ length: 30 }, (_, i) => OCT_1 + i * DAY);
const specs = {
  revenue: [
    'line',
    {
      x: days,
      xLabel: 'Date',
      unit: 'PKR',
      series: [
        { label: 'Collected', values: days.map((_, i) => (i < 20 ? 400_000 + i * 9_000 : null)) },
        {
          label: 'Forecast',
          dashed: true,
          values: days.map((_, i) => (i >= 19 ? 580_000 + (i - 19) * 5_000 : null)),
          band: { lo: days.map((_, i) => (i >= 19 ? 540_000 : null)), hi: days.map((_, i) => (i >= 19 ? 640_000 + (i - 19) * 9_000 : null)) },
        },
      ],
    },
  ],
  districts: ['bar', { x: ['Peshawar', 'Mardan', 'Swat', 'Dera Ismail Khan'], xKind: 'category', unit: '%', series: [{ label: 'Collected', values: [78, 64, 55, 40] }] }],
  compared: [
    'bar',
    {
      x: ['Peshawar', 'Swat'],
      unit: 'PKR',
      series: [
        { label: 'Issued', values: [5_200_000, 2_600_000] },
        { label: 'Collected', values: [4_100_000, 1_500_000] },
      ],
    },
  ],
  weekly: [
    'stacked',
    {
      x: [OCT_1, OCT_1 + 7 * DAY, OCT_1 + 14 * DAY],
      xLabel: 'Week',
      series: [
        { label: 'Paid', values: [120, 140, 135] },
        { label: 'Unpaid', values: [40, null, 50] },
      ],
    },
  ],
};
const broken = {
  'broken-json': ['line', '{"x": [1, 2'],
  'short-values': ['line', JSON.stringify({ x: [1, 2, 3], series: [{ label: 'a', values: [1, 2] }] })],
  'unknown-kind': ['pie', JSON.stringify({ x: [1], series: [{ label: 'a', values: [1] }] })],
};

function figure(id, kind, json) {
  // A `</script>` inside the JSON would end the element early; the server escapes `<` so.
  const text = json.replace(/</g, '\\u003c');
  return `<figure class="chart" id="${id}" data-chart="${kind}"><figcaption>${id}</figcaption>
<div class="table-scroll"><table><thead><tr><th>x</th><th class="num">value</th></tr></thead><tbody><tr><td>${id}</td><td class="num">1</td></tr></tbody></table></div>
<script type="application/json">${text}</script></figure>`;
}

function page({ lang = 'en', dir = 'ltr', withUplot = true, labels = (s) => s } = {}) {
  const figures = [
    ...Object.entries(specs).map(([id, [kind, spec]]) => figure(id, kind, JSON.stringify({ ...spec, series: spec.series.map((s) => ({ ...s, label: labels(s.label) })) }))),
    ...Object.entries(broken).map(([id, [kind, json]]) => figure(id, kind, json)),
  ];
  return `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/dashboard/vendor/uPlot.min.css"><link rel="stylesheet" href="/assets/dashboard/dashboard.css">
${withUplot ? '<script defer src="/assets/dashboard/vendor/uPlot.iife.min.js"></script>' : ''}
<script type="module" src="/assets/dashboard/dashboard.js"></script></head>
<body><main>${figures.join('\n')}</main></body></html>`;
}

async function routes() {
  const files = ['dashboard.js', 'chartspec.js', 'dashboard.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css'];
  const served = Object.fromEntries(await Promise.all(files.map(async (f) => [`/assets/dashboard/${f}`, await fileRoute(new URL(f, import.meta.url))])));
  const html = (body) => ({ body, type: 'text/html; charset=utf-8' });
  const urdu = { Collected: 'وصول شدہ', Forecast: 'پیش گوئی', Issued: 'جاری شدہ', Paid: 'ادا شدہ', Unpaid: 'غیر ادا شدہ' };
  return {
    ...served,
    '/en': html(page()),
    '/ur': html(page({ lang: 'ur', dir: 'rtl', labels: (s) => urdu[s] ?? s })),
    '/no-uplot': html(page({ withUplot: false })),
  };
}

/** Everything the test reads of one figure. */
const FIGURE_STATE = `(id) => {
  const f = document.getElementById(id);
  const box = f.querySelector('.table-scroll');
  const plot = f.querySelector('.chart-plot');
  const legendRows = [...f.querySelectorAll('.u-legend .u-series')];
  return {
    drawn: plot !== null && plot.querySelector('canvas') !== null,
    plotHidden: plot?.getAttribute('aria-hidden') ?? null,
    tableHidden: box.classList.contains('visually-hidden'),
    tableVisibleHeight: box.getBoundingClientRect().height,
    tableDisplay: getComputedStyle(box).display,
    figureWidth: f.clientWidth,
    chartWidth: plot?.querySelector('.uplot')?.getBoundingClientRect().width ?? 0,
    legend: legendRows.filter((r) => getComputedStyle(r).display !== 'none').map((r) => r.querySelector('.u-label')?.textContent ?? ''),
    legendDirection: plot ? getComputedStyle(plot.querySelector('.u-legend')).direction : null,
    plotDirection: plot ? getComputedStyle(plot.querySelector('.u-wrap')).direction : null,
  };
}`;

test('charts drawn from good specs, tables kept for broken ones, at 360 px and wider, in English and Urdu', { skip: chromium === null && 'no Chromium installed', timeout: 120_000 }, async () => {
  const server = await serve(await routes(), () => '');
  const browser = await launchBrowser(chromium);
  const { page: tab } = browser;
  const warnings = [];
  const policyErrors = [];
  tab.cdp.listeners.push((m) => {
    if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'warning') warnings.push(String(m.params.args[0]?.value));
    if (m.method === 'Log.entryAdded' && /Content Security Policy/i.test(m.params.entry.text)) policyErrors.push(m.params.entry.text);
  });
  await tab.send('Log.enable');
  const phone = { width: 360, height: 780, deviceScaleFactor: 2, mobile: true };
  const state = (id) => tab.evaluate(`(${FIGURE_STATE})(${JSON.stringify(id)})`);
  const open = async (path, expectedCharts) => {
    warnings.length = 0;
    await tab.navigate(`${server.origin}${path}`);
    await tab.waitFor(`document.readyState === 'complete' && document.querySelectorAll('.chart-plot canvas').length === ${expectedCharts}`, WAIT_MS);
  };
  /** Waits in Node for `condition()`, as `waitFor` does in the page. */
  const until = async (condition, what) => {
    const deadline = Date.now() + WAIT_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    await tab.send('Emulation.setDeviceMetricsOverride', phone);
    await open('/en', Object.keys(specs).length);

    for (const id of Object.keys(specs)) {
      const s = await state(id);
      assert.equal(s.drawn, true, `${id} drawn`);
      assert.equal(s.plotHidden, 'true', `${id}: the canvas is not read out, the table is`);
      assert.equal(s.tableHidden, true, `${id}: table hidden visually`);
      assert.ok(s.tableVisibleHeight <= 1, `${id}: table takes no room`);
      assert.notEqual(s.tableDisplay, 'none', `${id}: table still there for screen readers`);
      assert.ok(s.chartWidth > 200 && s.chartWidth <= s.figureWidth, `${id}: ${s.chartWidth} px fits the ${s.figureWidth} px figure`);
    }
    assert.deepEqual((await state('revenue')).legend, ['Date', 'Collected', 'Forecast'], 'band edges are not in the legend');
    assert.deepEqual((await state('districts')).legend, ['Collected'], 'no x row without an xLabel');
    assert.deepEqual((await state('weekly')).legend, ['Week', 'Paid', 'Unpaid']);

    for (const id of Object.keys(broken)) {
      const s = await state(id);
      assert.equal(s.drawn, false, `${id} not drawn`);
      assert.equal(s.tableHidden, false, `${id}: table stays`);
      assert.ok(s.tableVisibleHeight > 10, `${id}: table visible`);
    }
    await until(() => warnings.length >= 3, 'three warnings');
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings.find((w) => w.includes('#broken-json')) ?? '', /the JSON does not parse.*its table stays/);
    assert.match(warnings.find((w) => w.includes('#short-values')) ?? '', /series\[0\]\.values has 2 values for 3 points/);
    assert.match(warnings.find((w) => w.includes('#unknown-kind')) ?? '', /data-chart is "pie"/);

    // Wider: the charts follow their figures.
    await tab.send('Emulation.setDeviceMetricsOverride', { ...phone, width: 900, mobile: false });
    await tab.waitFor(`document.querySelector('#revenue .uplot').getBoundingClientRect().width > 700`, WAIT_MS);
    for (const id of Object.keys(specs)) {
      const s = await state(id);
      assert.ok(s.chartWidth > 700 && s.chartWidth <= s.figureWidth, `${id}: ${s.chartWidth} px in a ${s.figureWidth} px figure`);
    }

    // Urdu: labels from the JSON, the legend right to left, the plot itself left to right.
    await tab.send('Emulation.setDeviceMetricsOverride', phone);
    await open('/ur', Object.keys(specs).length);
    const ur = await state('revenue');
    assert.deepEqual(ur.legend, ['Date', 'وصول شدہ', 'پیش گوئی']);
    assert.equal(ur.legendDirection, 'rtl');
    assert.equal(ur.plotDirection, 'ltr');

    // Without uPlot every table stays, with one warning.
    warnings.length = 0;
    await tab.navigate(`${server.origin}/no-uplot`);
    await tab.waitFor(`document.readyState === 'complete'`, WAIT_MS);
    await until(() => warnings.length > 0, 'a warning');
    assert.deepEqual(warnings, ['dashboard: uPlot is not loaded; the charts stay as tables']);
    assert.equal(await tab.evaluate(`document.querySelectorAll('.chart-plot').length + document.querySelectorAll('.visually-hidden').length`), 0);

    assert.deepEqual(policyErrors, [], 'nothing the page policy refuses');
    assert.deepEqual(tab.errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
