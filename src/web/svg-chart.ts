import { html, type Html } from './html.js';

/**
 * Charts as inline SVG, drawn on the server (no script, no chart library in the browser): stacked
 * bars, lines with gaps, and horizontal bars, each with a <title> and <desc> (read out as the
 * chart's name and summary), axis labels, a legend, and a <title> on every bar or point (the
 * browser's tooltip). Every word goes through the `html` template, so a service called
 * `<script>` is drawn as text. Pure: numbers and words in, markup out. Colours are presentation
 * attributes (the CSP forbids inline styles); text takes the page's colour (`currentColor`).
 */

/** Series colours: severities take them in the configured order (the most severe red). */
export const PALETTE = ['#d62728', '#ff7f0e', '#e6b800', '#1f77b4', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'] as const;

export function colourAt(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length] ?? '#7f7f7f';
}

export interface ChartText {
  /** Unique on the page: the ids of the chart's <title> and <desc> start with it. */
  id: string;
  title: string;
  desc: string;
  xLabel: string;
  yLabel: string;
}

export interface Series {
  name: string;
  colour: string;
  /** One value per category; undefined: none that week (a gap in a line, nothing in a stack). */
  values: readonly (number | undefined)[];
}

const WIDTH = 720;
const HEIGHT = 280;
const M = { top: 36, right: 16, bottom: 52, left: 60 };
const FONT = 12;

/**
 * Axis ticks from 0 to at least `max`, about `count` steps of 1, 2, 2.5 or 5 times a power of ten
 * (whole steps only for counts). Nothing to show (max ≤ 0) still gives an axis 0..1.
 */
export function niceTicks(max: number, o: { integer?: boolean; count?: number } = {}): number[] {
  const count = o.count ?? 4;
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const rawStep = top / count;
  let mag = 10 ** Math.floor(Math.log10(rawStep));
  if (o.integer) mag = Math.max(1, mag);
  const factors = o.integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const step = (factors.find((f) => f * mag >= rawStep) ?? 10) * mag;
  const ticks: number[] = [];
  for (let i = 0; i * step < top + step * 1e-9 || ticks.length < 2; i++) ticks.push(round(i * step));
  if ((ticks.at(-1) ?? 0) < top) ticks.push(round(ticks.length * step));
  return ticks;
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** A tick's number as people write it: at most two decimals, no trailing zeros. */
export function tickLabel(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** A rough width of `text` at the chart's font size (wide characters such as Hangul count double). */
function textWidth(text: string): number {
  return [...text].reduce((w, ch) => w + ((ch.codePointAt(0) ?? 0) > 0x2e80 ? FONT : FONT * 0.6), 0);
}

/** `text` cut to about `width` pixels, with an ellipsis when cut. */
function fit(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`) > width) break;
    out += ch;
  }
  return `${out}…`;
}

function frame(t: ChartText, height: number, body: Html): Html {
  return html`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${t.id}-title ${t.id}-desc" font-size="${FONT}"><title id="${t.id}-title">${t.title}</title><desc id="${t.id}-desc">${t.desc}</desc>${body}</svg>`;
}

/** The legend along the top right: a swatch and a name per series. */
function legend(items: readonly { name: string; colour: string }[]): Html {
  const widths = items.map((i) => 18 + textWidth(i.name) + 14);
  let x = WIDTH - M.right - widths.reduce((a, b) => a + b, 0);
  x = Math.max(M.left, x);
  const parts = items.map((item, i) => {
    const at = x;
    x += widths[i] ?? 0;
    return html`<g class="legend-item"><rect x="${at}" y="10" width="12" height="12" fill="${item.colour}"></rect><text x="${at + 17}" y="20" fill="currentColor">${item.name}</text></g>`;
  });
  return html`<g class="legend">${parts}</g>`;
}

/** A vertical value axis: grid lines, tick numbers and the axis's name written upwards. */
function valueAxis(ticks: readonly number[], y: (v: number) => number, label: string, bottom: number): Html {
  const lines = ticks.map(
    (v) => html`<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="currentColor" stroke-opacity="${v === 0 ? 0.6 : 0.15}"></line><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="currentColor">${tickLabel(v)}</text>`,
  );
  const mid = (M.top + bottom) / 2;
  return html`<g class="axis y">${lines}<text transform="translate(14 ${mid}) rotate(-90)" text-anchor="middle" fill="currentColor">${label}</text></g>`;
}

/** Category names under the plot (every k-th when there are many) and the axis's name below them. */
function categoryAxis(categories: readonly string[], centre: (i: number) => number, label: string, bottom: number): Html {
  const band = (WIDTH - M.left - M.right) / Math.max(1, categories.length);
  const every = Math.max(1, Math.ceil(categories.reduce((w, c) => Math.max(w, textWidth(c) + 8), 0) / band));
  const names = categories.map((c, i) => (i % every === 0 ? html`<text x="${centre(i)}" y="${bottom + 16}" text-anchor="middle" fill="currentColor">${c}</text>` : ''));
  return html`<g class="axis x">${names}<text x="${(M.left + WIDTH - M.right) / 2}" y="${bottom + 40}" text-anchor="middle" fill="currentColor">${label}</text></g>`;
}

function plot(categories: number) {
  const bottom = HEIGHT - M.bottom;
  const band = (WIDTH - M.left - M.right) / Math.max(1, categories);
  return { bottom, band, centre: (i: number) => M.left + band * (i + 0.5) };
}

/** Bars stacked per category (incidents per week by severity); `format` writes a value in the tooltips. */
export function stackedBarChart(o: ChartText & { categories: readonly string[]; series: readonly Series[]; integer?: boolean; format?: (v: number) => string }): Html {
  const { bottom, band, centre } = plot(o.categories.length);
  const totals = o.categories.map((_, i) => o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals), { integer: o.integer ?? false });
  const top = ticks.at(-1) ?? 1;
  const y = (v: number) => round(bottom - (v / top) * (bottom - M.top));
  const width = round(Math.max(1, band * 0.7));
  const format = o.format ?? tickLabel;
  const bars = o.categories.map((category, i) => {
    let base = 0;
    return o.series.map((s) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return '';
      const rect = html`<rect x="${round(centre(i) - width / 2)}" y="${y(base + v)}" width="${width}" height="${round(y(base) - y(base + v))}" fill="${s.colour}"><title>${category} · ${s.name}: ${format(v)}</title></rect>`;
      base += v;
      return rect;
    });
  });
  return frame(o, HEIGHT, html`${valueAxis(ticks, y, o.yLabel, bottom)}<g class="bars">${bars}</g>${categoryAxis(o.categories, centre, o.xLabel, bottom)}${legend(o.series)}`);
}

/** Lines over the categories, broken where a category has no value; a dot with a tooltip per value. */
export function lineChart(o: ChartText & { categories: readonly string[]; series: readonly Series[]; format?: (v: number) => string }): Html {
  const { bottom, centre } = plot(o.categories.length);
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const ticks = niceTicks(Math.max(0, ...all));
  const top = ticks.at(-1) ?? 1;
  const y = (v: number) => round(bottom - (v / top) * (bottom - M.top));
  const format = o.format ?? tickLabel;
  const lines = o.series.map((s) => {
    let d = '';
    let drawing = false;
    s.values.forEach((v, i) => {
      if (v === undefined) drawing = false;
      else {
        d += `${drawing ? 'L' : 'M'}${round(centre(i))} ${y(v)}`;
        drawing = true;
      }
    });
    const dots = s.values.map((v, i) =>
      v === undefined ? '' : html`<circle cx="${round(centre(i))}" cy="${y(v)}" r="3.5" fill="${s.colour}"><title>${o.categories[i] ?? ''} · ${s.name}: ${format(v)}</title></circle>`,
    );
    return html`<g class="series">${d ? html`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"></path>` : ''}${dots}</g>`;
  });
  return frame(o, HEIGHT, html`${valueAxis(ticks, y, o.yLabel, bottom)}${lines}${categoryAxis(o.categories, centre, o.xLabel, bottom)}${legend(o.series)}`);
}

export interface BarRow {
  label: string;
  value: number;
}

const ROW = 26;
const LABEL_WIDTH = 150;

/** One horizontal bar per row (MTBF per service): the row's name on the left, the value axis below. */
export function horizontalBarChart(o: ChartText & { rows: readonly BarRow[]; series: string; colour: string; format?: (v: number) => string }): Html {
  const left = M.left + LABEL_WIDTH - 40;
  const plotTop = M.top;
  const bottom = plotTop + Math.max(1, o.rows.length) * ROW;
  const height = bottom + M.bottom;
  const ticks = niceTicks(Math.max(0, ...o.rows.map((r) => r.value)));
  const top = ticks.at(-1) ?? 1;
  const x = (v: number) => round(left + (v / top) * (WIDTH - M.right - left));
  const format = o.format ?? tickLabel;
  const grid = ticks.map(
    (v) => html`<line x1="${x(v)}" x2="${x(v)}" y1="${plotTop}" y2="${bottom}" stroke="currentColor" stroke-opacity="${v === 0 ? 0.6 : 0.15}"></line><text x="${x(v)}" y="${bottom + 16}" text-anchor="middle" fill="currentColor">${tickLabel(v)}</text>`,
  );
  const bars = o.rows.map((r, i) => {
    const yTop = plotTop + i * ROW;
    return html`<g class="row"><text x="${left - 8}" y="${yTop + ROW / 2 + 4}" text-anchor="end" fill="currentColor">${fit(r.label, left - 16)}</text><rect x="${left}" y="${yTop + 4}" width="${Math.max(0, round(x(r.value) - left))}" height="${ROW - 8}" fill="${o.colour}"><title>${r.label}: ${format(r.value)}</title></rect></g>`;
  });
  const axis = html`<g class="axis x">${grid}<text x="${(left + WIDTH - M.right) / 2}" y="${bottom + 40}" text-anchor="middle" fill="currentColor">${o.xLabel}</text></g>`;
  const yName = html`<text x="${left - 8}" y="${plotTop - 12}" text-anchor="end" fill="currentColor" font-weight="600">${o.yLabel}</text>`;
  return frame(o, height, html`${yName}${bars}${axis}${legend([{ name: o.series, colour: o.colour }])}`);
}
