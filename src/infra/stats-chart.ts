import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import type { StatsSeries } from '../core/stats-types.js';

/**
 * The `/incident stats` chart as a PNG, drawn on the server: Chart.js lays out the axes, ticks,
 * stacked bars and the legend, and @napi-rs/canvas (Skia, prebuilt binaries: no build tools, no
 * Cairo) is the canvas it draws on and the PNG encoder. Two panels on one image: incidents per week
 * stacked by severity, and the median time to resolve per week in hours (a gap where a week had
 * none). The words come translated from the caller; a word no installed font can draw (Korean
 * without a Hangul font, see docs/operations.md) is left out rather than drawn as boxes.
 */

export interface StatsChartLabels {
  /** Above both panels, e.g. "Incidents and MTTR per week, last 30 days". */
  title: string;
  /** The first panel's title (and its y axis). */
  incidents: string;
  /** The second panel's title. */
  mttr: string;
  /** The second panel's y axis unit. */
  hours: string;
}

const WIDTH = 1000;
const PANEL_HEIGHT = 320;
const TITLE_HEIGHT = 44;
const HEIGHT = TITLE_HEIGHT + 2 * PANEL_HEIGHT;
const FONT = '"DejaVu Sans", "NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "WenQuanYi Micro Hei", sans-serif';
const TEXT = '#333333';
const HOUR_MS = 3_600_000;
const Y_AXIS_WIDTH = 64;
/** Severity colours: the usual red → blue ramp; other severity ids take the rest in order. */
const SEVERITY_COLOURS: Record<string, string> = { P1: '#d62728', P2: '#ff7f0e', P3: '#e6b800', P4: '#1f77b4' };
const OTHER_COLOURS = ['#9467bd', '#8c564b', '#7f7f7f', '#17becf', '#2ca02c'];

let registered = false;

function setUp(): void {
  if (registered) return;
  Chart.register(...registerables);
  Chart.defaults.font.family = FONT;
  Chart.defaults.color = TEXT;
  registered = true;
}

/** Renders the series as one PNG (1000 × 684). An empty series still gives a valid image. */
export async function renderStatsChart(series: StatsSeries, labels: StatsChartLabels): Promise<Buffer> {
  setUp();
  const words = drawable(labels);
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  if (words.title) {
    ctx.fillStyle = TEXT;
    ctx.font = `bold 20px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(words.title, WIDTH / 2, TITLE_HEIGHT / 2);
  }
  const weeks = weekLabels(series);
  drawPanel(canvas, incidentsConfig(series, weeks, words), TITLE_HEIGHT);
  drawPanel(canvas, mttrConfig(series, weeks, words), TITLE_HEIGHT + PANEL_HEIGHT);
  return canvas.encode('png');
}

/**
 * One Chart.js chart, drawn once (no animation, no resizing, no DOM) on a canvas of its own and
 * copied onto the image at `y`: before `destroy()`, which clears the canvas it drew on.
 */
function drawPanel(target: Canvas, config: ChartConfiguration, y: number): void {
  const canvas = createCanvas(WIDTH, PANEL_HEIGHT);
  const options = { ...config.options, responsive: false, animation: false as const, devicePixelRatio: 1 };
  // Chart.js takes any object with getContext('2d'); without a DOM it uses its basic platform.
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, { ...config, options } as ChartConfiguration);
  try {
    target.getContext('2d').drawImage(canvas, 0, y);
  } finally {
    chart.destroy();
  }
}

/** `MM-DD` of each week's Monday; the whole date when the weeks span more than one year. */
function weekLabels(series: StatsSeries): string[] {
  const years = new Set(series.weeks.map((w) => w.start.slice(0, 4)));
  return series.weeks.map((w) => (years.size > 1 ? w.start : w.start.slice(5)));
}

/** Severity ids in their natural order (P1 before P2 before P10). */
function severities(series: StatsSeries): string[] {
  const all = new Set(series.weeks.flatMap((w) => Object.keys(w.incidents)));
  return [...all].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function colourOf(severity: string, index: number): string {
  return SEVERITY_COLOURS[severity] ?? OTHER_COLOURS[index % OTHER_COLOURS.length] ?? '#7f7f7f';
}

function incidentsConfig(series: StatsSeries, weeks: string[], words: StatsChartLabels): ChartConfiguration<'bar'> {
  const datasets = severities(series).map((sev, i) => ({
    label: sev,
    data: series.weeks.map((w) => w.incidents[sev] ?? 0),
    backgroundColor: colourOf(sev, i),
    stack: 'incidents',
  }));
  return {
    type: 'bar',
    data: { labels: weeks, datasets },
    options: {
      plugins: { title: titleOf(words.incidents), legend: { display: datasets.length > 0, position: 'top', align: 'end' } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, suggestedMax: 1, afterFit: fixedWidth } },
    },
  };
}

function mttrConfig(series: StatsSeries, weeks: string[], words: StatsChartLabels): ChartConfiguration<'line'> {
  const hours = series.weeks.map((w) => (w.mttrMs === undefined ? null : Math.round((w.mttrMs / HOUR_MS) * 100) / 100));
  return {
    type: 'line',
    data: {
      labels: weeks,
      datasets: [{ label: words.mttr || 'MTTR', data: hours, borderColor: '#1f77b4', backgroundColor: '#1f77b4', pointRadius: 4, spanGaps: false }],
    },
    options: {
      plugins: { title: titleOf(words.mttr), legend: { display: false } },
      // offset: the points sit over the middle of each week, as the bars above do.
      scales: { x: { offset: true }, y: { beginAtZero: true, suggestedMax: 1, title: { display: Boolean(words.hours), text: words.hours }, afterFit: fixedWidth } },
    },
  };
}

/** Both panels' y axes take the same width, so their weeks line up one above the other. */
function fixedWidth(scale: { width: number }): void {
  scale.width = Y_AXIS_WIDTH;
}

function titleOf(text: string) {
  return { display: Boolean(text), text, font: { size: 15, weight: 'bold' as const } };
}

/** The labels with any word the installed fonts cannot draw replaced by an empty one. */
function drawable(labels: StatsChartLabels): StatsChartLabels {
  const keep = (s: string) => (unrenderableChars(s).length === 0 ? s : '');
  return { title: keep(labels.title), incidents: keep(labels.incidents), mttr: keep(labels.mttr), hours: keep(labels.hours) };
}

/**
 * The characters of `labels` that no installed font has a glyph for (the caller logs them once:
 * e.g. Korean labels on a machine without a Hangul font). Empty when everything renders.
 */
export function unrenderable(labels: StatsChartLabels): string[] {
  return [...new Set(Object.values(labels).flatMap(unrenderableChars))];
}

const glyphCache = new Map<string, boolean>();
/** A code point no font maps (plane 16 private use): what a missing glyph looks like here. */
const MISSING = '\u{10FFFD}';

function unrenderableChars(text: string): string[] {
  return [...new Set([...text])].filter((ch) => ch.codePointAt(0)! > 0x7f && !/\s/.test(ch) && !hasGlyph(ch));
}

/** Whether `ch` draws differently from a code point that has no glyph anywhere (a tofu box or nothing). */
function hasGlyph(ch: string): boolean {
  let known = glyphCache.get(ch);
  if (known === undefined) {
    const missing = glyphPixels(MISSING);
    const drawn = glyphPixels(ch);
    known = !drawn.every((v, i) => v === missing[i]);
    glyphCache.set(ch, known);
  }
  return known;
}

function glyphPixels(ch: string): Uint8ClampedArray {
  const canvas = createCanvas(40, 40);
  const ctx = canvas.getContext('2d');
  ctx.font = `28px ${FONT}`;
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'top';
  ctx.fillText(ch, 4, 4);
  return ctx.getImageData(0, 0, 40, 40).data;
}
