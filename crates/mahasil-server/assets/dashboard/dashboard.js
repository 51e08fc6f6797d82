// Draws the dashboard's charts. Each `<figure class="chart" data-chart="line|bar|stacked">`
// holds its figures twice: as a `<table>` the server renders, and as JSON in a
// `<script type="application/json">` (chartspec.js says what it holds). Once the chart has
// drawn, the table is hidden visually but kept for screen readers; when the JSON is wrong
// or uPlot is missing, the table simply stays. Every word comes from the JSON or the
// browser's Intl: this file holds no text that a reader sees.
//
// uPlot (vendor/uPlot.iife.min.js) is a classic script that defines `uPlot`; the page loads
// it with `defer` before this module, so it has run by the time this one does.

import { DASH, TIME_ZONE, barGroup, chartData, formatDay, formatTick, formatTimeTicks, formatValue, knownLocale, parseChartSpec, thinTicks } from './chartspec.js';

/** The class that hides an element visually and keeps it for screen readers. */
export const VISUALLY_HIDDEN = 'visually-hidden';

/** Chart height from its width, within bounds that suit a phone and a desktop. */
const ASPECT = 0.6;
const MIN_HEIGHT_PX = 200;
const MAX_HEIGHT_PX = 340;
/** Colours of the series, `--chart-1` … from dashboard.css; more series reuse them in turn. */
const PALETTE_SIZE = 8;
/** Least room between two dates on the time axis. */
const TIME_TICK_PX = 64;
/** Categories whose labels are this many characters or more are cut on the axis (the table and legend keep them whole). */
const AXIS_LABEL_CHARS = 14;

/** Draws every chart figure under `root`; returns the uPlot instances drawn. */
export function drawCharts(root = document) {
  const figures = [...root.querySelectorAll('figure.chart[data-chart]')];
  const uPlot = globalThis.uPlot;
  if (typeof uPlot !== 'function') {
    if (figures.length > 0) console.warn('dashboard: uPlot is not loaded; the charts stay as tables');
    return [];
  }
  return figures.map((figure, n) => drawFigure(figure, n, uPlot)).filter((plot) => plot !== null);
}

function drawFigure(figure, n, uPlot) {
  // Drawn already (drawCharts called again for new content).
  if (figure.querySelector(':scope > .chart-plot')) return null;
  const name = figure.id ? `#${figure.id}` : `chart ${n + 1}`;
  const script = figure.querySelector('script[type="application/json"]');
  const parsed = parseChartSpec(script ? script.textContent : undefined, figure.dataset.chart);
  if (!parsed.ok) {
    console.warn(`dashboard: ${name}: ${parsed.reason}; its table stays`);
    return null;
  }
  const fallback = tableOf(figure);
  const holder = document.createElement('div');
  holder.className = 'chart-plot';
  // The table is the accessible form of the same figures; the canvas adds nothing to it.
  holder.setAttribute('aria-hidden', 'true');
  figure.insertBefore(holder, childHolding(figure, fallback ?? script));
  const layout = chartData(parsed.spec);
  let plot;
  try {
    plot = new uPlot(chartOptions(parsed.spec, layout, figure, holder.clientWidth, uPlot), layout.data, holder);
  } catch (e) {
    holder.remove();
    console.warn(`dashboard: ${name}: the chart could not be drawn (${e.message}); its table stays`);
    return null;
  }
  hideBoundsFromLegend(plot, layout.roles, parsed.spec.xLabel);
  fallback?.classList.add(VISUALLY_HIDDEN);
  followWidth(holder, plot);
  return plot;
}

/** The child of `figure` that is or holds `node` (the chart goes before it); null: at the end. */
function childHolding(figure, node) {
  let child = node;
  while (child && child.parentElement !== figure) child = child.parentElement;
  return child ?? null;
}

/** The figure's table, or the scrolling box around it. */
function tableOf(figure) {
  const table = figure.querySelector('table');
  if (!table) return null;
  const box = table.parentElement;
  return box !== figure && box.classList.contains('table-scroll') ? box : table;
}

const heightFor = (width) => Math.round(Math.min(MAX_HEIGHT_PX, Math.max(MIN_HEIGHT_PX, width * ASPECT)));

/** Redraws at the holder's width whenever it changes (rotation, window, sidebar). */
function followWidth(holder, plot) {
  if (typeof ResizeObserver !== 'function') return;
  let frame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const width = holder.clientWidth;
      if (width > 0 && Math.abs(width - plot.width) >= 1) plot.setSize({ width, height: heightFor(width) });
    });
  });
  observer.observe(holder);
}

/** The band edges are series for uPlot, not for the reader: their legend rows go, and so
 * does the x row when the spec names no x. */
function hideBoundsFromLegend(plot, roles, xLabel) {
  const rows = plot.root.querySelectorAll('.u-legend .u-series');
  roles.forEach(({ role }, i) => {
    // Without an `xLabel` the x row would carry uPlot's own English name for it.
    const hide = role === 'lo' || role === 'hi' || (role === 'x' && xLabel === '');
    if (hide && rows[i]) rows[i].classList.add('chart-bound');
  });
}

/** The chart's colours and font, from the figure's CSS. */
function styleOf(figure) {
  const css = getComputedStyle(figure);
  const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const axis = read('--chart-axis', '#5b6670');
  const palette = Array.from({ length: PALETTE_SIZE }, (_, i) => read(`--chart-${i + 1}`, axis));
  return {
    palette,
    axis,
    grid: read('--chart-grid', '#e3e7ea'),
    band: read('--chart-band', 'rgba(0, 114, 178, 0.15)'),
    font: `12px ${css.fontFamily || 'sans-serif'}`,
  };
}

function chartOptions(spec, layout, figure, width, uPlot) {
  const style = styleOf(figure);
  const lang = knownLocale(document.documentElement.lang);
  const { raw, roles, bands, gap } = layout;
  const plotWidth = width > 0 ? width : 320;
  const bars = spec.kind !== 'line';
  const barSeries = spec.kind === 'bar' ? spec.series.length : 1;
  const group = barGroup(barSeries, gap);
  const category = spec.xKind === 'category';
  const xPad = bars || category ? gap / 2 : 0;

  const legendValue = (_u, _v, si, idx) => (idx === null || idx === undefined ? '' : formatValue(raw[si][idx], spec.unit));
  const series = [
    {
      label: spec.xLabel,
      value: (_u, v) => (v === null || v === undefined ? '' : category ? (spec.x[Math.round(v)] ?? '') : formatDay(v, lang)),
    },
  ];
  roles.slice(1).forEach(({ role, index }) => {
    const s = spec.series[index];
    const colour = style.palette[index % PALETTE_SIZE];
    if (role !== 'series') {
      series.push({ label: s.label, stroke: 'transparent', width: 0, points: { show: false }, value: legendValue });
      return;
    }
    const drawn = { label: s.label, stroke: colour, width: 2, value: legendValue, spanGaps: false };
    if (s.dashed) drawn.dash = DASH.slice();
    if (bars) {
      drawn.fill = s.dashed ? 'transparent' : colour;
      drawn.width = s.dashed ? 2 : 0;
      drawn.points = { show: false };
      drawn.paths = barPaths(uPlot, spec.kind, group, group.offsets[index] ?? 0);
    } else {
      drawn.points = { show: spec.x.length <= 24, size: 5 };
    }
    series.push(drawn);
  });

  return {
    width: plotWidth,
    height: heightFor(plotWidth),
    series,
    bands: bands.map(([from, to]) => ({ series: [from, to], fill: roles[from].role === 'hi' ? style.band : undefined })),
    scales: {
      x: {
        time: !category,
        range: (_u, min, max) => [min - xPad, max + xPad],
      },
      y: { range: (_u, min, max) => yRange(min, max) },
    },
    axes: [xAxis(spec, style, plotWidth, lang), yAxis(spec, style)],
    legend: { live: true },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), TIME_ZONE),
  };
}

/** From zero (or below it), with a little room above the highest value. */
function yRange(min, max) {
  const lo = Math.min(0, min ?? 0);
  const hi = Math.max(0, max ?? 0);
  return hi === lo ? [lo, lo + 1] : [lo, hi + (hi - lo) * 0.08];
}

function barPaths(uPlot, kind, group, offset) {
  // One series or a stack: uPlot's own bar widths. Side by side: each series at its offset.
  if (kind === 'stacked' || group.offsets.length === 1) return uPlot.paths.bars({ size: [0.7, 64] });
  return uPlot.paths.bars({
    disp: {
      x0: { unit: 1, values: (u) => u.data[0].map((x) => x + offset) },
      size: { unit: 1, values: () => [group.width] },
    },
  });
}

function xAxis(spec, style, width, lang) {
  const axis = { stroke: style.axis, font: style.font, grid: { show: false }, ticks: { size: 4, stroke: style.grid } };
  if (spec.xKind !== 'category') {
    const values = (_u, splits, _axis, _space, step) => formatTimeTicks(splits, splits.length > 1 ? splits[1] - splits[0] : step, lang);
    if (spec.kind === 'line') return { ...axis, space: TIME_TICK_PX, values };
    return { ...axis, values, splits: (u) => thinTicks(u.data[0], u.over.clientWidth || width, TIME_TICK_PX) };
  }
  const labels = spec.x.map((label) => (label.length > AXIS_LABEL_CHARS ? `${label.slice(0, AXIS_LABEL_CHARS - 1)}…` : label));
  const longest = Math.max(...labels.map((l) => l.length));
  // About 7 px a character at 12 px; labels that do not fit side by side are turned.
  const labelPx = longest * 7 + 8;
  const turned = labelPx * spec.x.length > width * 0.85;
  return {
    ...axis,
    values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? (labels[v] ?? '') : '')),
    incrs: [1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200, 500, 1000],
    space: turned ? 16 : labelPx,
    // Turned so that each label ends at its tick and reaches left, over the y axis, not past the right edge.
    rotate: turned ? 50 : 0,
    size: turned ? Math.min(110, Math.round(labelPx * 0.77) + 12) : 32,
  };
}

function yAxis(spec, style) {
  return {
    stroke: style.axis,
    font: style.font,
    space: 36,
    size: 54,
    grid: { stroke: style.grid, width: 1 },
    ticks: { show: false },
    values: (_u, splits) => splits.map((v) => formatTick(v, spec.unit)),
  };
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => drawCharts());
  else drawCharts();
}
