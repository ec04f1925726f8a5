import { formatPreciseDuration } from '../core/durations.js';
import { translator } from '../core/i18n/index.js';
import type { Since, Stats } from '../core/stats.js';
import type { StatsSeries } from '../core/stats-types.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import type { WebMessageKey } from './i18n/index.js';
import { colourAt, horizontalBarChart, lineChart, stackedBarChart } from './svg-chart.js';

/**
 * The body of /insights: the figures of `/incident stats` (computeStats, drills and cancelled
 * incidents left out) as inline SVG charts, each followed by a table of the same numbers.
 * Incidents per week stacked by severity, MTTA and MTTR per week, MTBF per service, and the
 * follow-ups overdue with who owns them. Pure: the figures in, markup out.
 */

export interface OwnerCount {
  /** The owner's display name; absent: an item nobody owns. */
  owner?: string;
  count: number;
}

export interface InsightsInput {
  ctx: Pick<PageContext, 't' | 'lang'>;
  stats: Stats;
  /** The configured severity ids, most severe first: the stacks' order and colours. */
  severities: readonly string[];
  /** The open overdue follow-ups of the counted incidents by owner; absent when the index could not say. */
  overdueByOwner?: readonly OwnerCount[];
  /** The viewer counts private incidents (an operator or a configured admin). */
  admin: boolean;
  /** The bot keeps a stats index (deps.stats); without one there is nothing to chart. */
  indexed: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The unit a duration axis reads best in: minutes up to two hours, hours up to three days, then days. */
export function durationUnit(maxMs: number): { key: WebMessageKey; ms: number } {
  if (maxMs < 2 * HOUR) return { key: 'insights.unit.minutes', ms: MINUTE };
  if (maxMs < 3 * DAY) return { key: 'insights.unit.hours', ms: HOUR };
  return { key: 'insights.unit.days', ms: DAY };
}

/** The severities of the series in the configured order, then any others (P1 before P10). */
export function severityOrder(configured: readonly string[], series: StatsSeries): string[] {
  const seen = new Set(series.weeks.flatMap((w) => Object.keys(w.incidents)));
  const known = configured.filter((s) => seen.has(s));
  const others = [...seen].filter((s) => !configured.includes(s)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return [...known, ...others];
}

/** `MM-DD` of each week's Monday; the whole date when the weeks span more than one year. */
function weekLabels(series: StatsSeries): string[] {
  const years = new Set(series.weeks.map((w) => w.start.slice(0, 4)));
  return series.weeks.map((w) => (years.size > 1 ? w.start : w.start.slice(5)));
}

function numbers(t: InsightsInput['ctx']['t'], table: Html): Html {
  return html`<details class="chart-data"><summary>${t('insights.numbers')}</summary>${table}</details>`;
}

function section(id: string, title: string, body: Html): Html {
  return html`<section class="card insight" id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${body}</section>`;
}

function empty(text: string): Html {
  return html`<p class="muted empty">${text}</p>`;
}

function incidentsSection(input: InsightsInput, severities: readonly string[]): Html {
  const { t } = input.ctx;
  const { weeks } = input.stats.series;
  const title = t('insights.incidents.title');
  if (input.stats.count === 0) return section('insights-incidents', title, empty(t('insights.incidents.empty')));
  const series = severities.map((sev, i) => ({ name: sev, colour: colourAt(input.severities.includes(sev) ? input.severities.indexOf(sev) : input.severities.length + i), values: weeks.map((w) => w.incidents[sev] ?? 0) }));
  const desc = t('insights.incidents.desc', { from: weeks[0]?.start ?? '', to: weeks.at(-1)?.start ?? '', total: input.stats.count });
  const chart = stackedBarChart({ id: 'chart-incidents', title, desc, xLabel: t('insights.col.week'), yLabel: t('insights.axis.incidents'), categories: weekLabels(input.stats.series), series, integer: true });
  const rows = weeks.map((w) => {
    const total = severities.reduce((sum, s) => sum + (w.incidents[s] ?? 0), 0);
    return html`<tr data-week="${w.start}"><th scope="row">${w.start}</th>${severities.map((s) => html`<td class="num" data-severity="${s}">${w.incidents[s] ?? 0}</td>`)}<td class="num" data-total>${total}</td></tr>`;
  });
  const table = html`<table class="chart-table" id="table-incidents"><thead><tr><th scope="col">${t('insights.col.week')}</th>${severities.map((s) => html`<th scope="col" class="num">${s}</th>`)}<th scope="col" class="num">${t('insights.col.total')}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return section('insights-incidents', title, html`<figure>${chart}</figure>${numbers(t, table)}`);
}

function durationSection(input: InsightsInput, which: 'mtta' | 'mttr'): Html {
  const { t, lang } = input.ctx;
  const { weeks } = input.stats.series;
  const pick = (w: StatsSeries['weeks'][number]) => (which === 'mtta' ? w.mttaMs : w.mttrMs);
  const title = t(`insights.${which}.title` as const);
  const values = weeks.map(pick);
  const known = values.filter((v): v is number => v !== undefined);
  if (known.length === 0) return section(`insights-${which}`, title, empty(t(`insights.${which}.empty` as const)));
  const unit = durationUnit(Math.max(...known));
  const coreT = translator(lang);
  const say = (ms: number) => formatPreciseDuration(ms, coreT);
  const name = t(`insights.${which}.series` as const);
  const chart = lineChart({
    id: `chart-${which}`,
    title,
    desc: t(`insights.${which}.desc` as const, { unit: t(unit.key) }),
    xLabel: t('insights.col.week'),
    yLabel: t(unit.key),
    categories: weekLabels(input.stats.series),
    series: [{ name, colour: which === 'mtta' ? colourAt(3) : colourAt(4), values: values.map((v) => (v === undefined ? undefined : v / unit.ms)) }],
    format: (v) => say(v * unit.ms),
  });
  const rows = weeks.map((w) => {
    const v = pick(w);
    return html`<tr data-week="${w.start}"><th scope="row">${w.start}</th><td class="num"${v === undefined ? '' : html` data-ms="${Math.round(v)}"`}>${v === undefined ? '—' : say(v)}</td></tr>`;
  });
  const table = html`<table class="chart-table" id="table-${which}"><thead><tr><th scope="col">${t('insights.col.week')}</th><th scope="col" class="num">${name}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return section(`insights-${which}`, title, html`<figure>${chart}</figure>${numbers(t, table)}`);
}

function mtbfSection(input: InsightsInput): Html {
  const { t, lang } = input.ctx;
  const title = t('insights.mtbf.title');
  const services = input.stats.byService;
  const charted = services.filter((s): s is typeof s & { service: string; mtbfMs: number } => s.service !== undefined && s.mtbfMs !== undefined);
  if (charted.length === 0) return section('insights-mtbf', title, empty(t(services.length ? 'insights.mtbf.empty' : 'insights.incidents.empty')));
  const unit = durationUnit(Math.max(...charted.map((s) => s.mtbfMs)));
  const coreT = translator(lang);
  const say = (ms: number) => formatPreciseDuration(ms, coreT);
  const chart = horizontalBarChart({
    id: 'chart-mtbf',
    title,
    desc: t('insights.mtbf.desc', { unit: t(unit.key) }),
    xLabel: t(unit.key),
    yLabel: t('insights.col.service'),
    series: t('insights.mtbf.series'),
    colour: colourAt(3),
    rows: charted.map((s) => ({ label: s.service, value: s.mtbfMs / unit.ms })),
    format: (v) => say(v * unit.ms),
  });
  const rows = services.map(
    (s) =>
      html`<tr data-service="${s.service ?? ''}"><th scope="row">${s.service ?? t('insights.no_service')}</th><td class="num">${s.count}</td><td class="num"${s.mtbfMs === undefined ? '' : html` data-ms="${Math.round(s.mtbfMs)}"`}>${s.mtbfMs === undefined ? t('insights.na') : say(s.mtbfMs)}</td></tr>`,
  );
  const table = html`<table class="chart-table" id="table-mtbf"><thead><tr><th scope="col">${t('insights.col.service')}</th><th scope="col" class="num">${t('insights.col.incidents')}</th><th scope="col" class="num">${t('insights.mtbf.series')}</th></tr></thead><tbody>${rows}</tbody></table>`;
  return section('insights-mtbf', title, html`<figure>${chart}</figure>${numbers(t, table)}`);
}

function followUpsSection(input: InsightsInput): Html {
  const { t } = input.ctx;
  const f = input.stats.followUps;
  const title = t('insights.followups.title');
  const detail = html`<p class="muted">${t('insights.followups.detail', { onTime: f.onTime, late: f.late, open: f.openNotDue, undated: f.undated })}</p>`;
  if (f.overdue === 0) return section('insights-followups', title, html`${empty(t('insights.followups.none'))}${f.total ? detail : ''}`);
  const owners = input.overdueByOwner ?? [];
  const byOwner = owners.length
    ? html`<table class="chart-table" id="table-owners"><caption>${t('insights.followups.by_owner')}</caption><thead><tr><th scope="col">${t('insights.col.owner')}</th><th scope="col" class="num">${t('insights.col.overdue')}</th></tr></thead><tbody>${owners.map(
        (o) => html`<tr><th scope="row">${o.owner ?? t('insights.nobody')}</th><td class="num">${o.count}</td></tr>`,
      )}</tbody></table>`
    : '';
  return section('insights-followups', title, html`<p class="big-number" data-overdue="${f.overdue}">${t('insights.followups.count', { count: f.overdue })}</p>${detail}${byOwner}`);
}

/** The period's heading: "The last 90 days, drills excluded" or "Since 2026-10-01, …". */
export function periodHeading(t: InsightsInput['ctx']['t'], since: Since): string {
  return 'days' in since ? t('insights.head_days', { days: since.days }) : t('insights.head_date', { date: since.date });
}

export function insightsBody(input: InsightsInput): Html {
  const { t } = input.ctx;
  const { stats } = input;
  const intro = html`<p class="insights-summary">${t('insights.summary', { count: stats.count, drills: stats.left.drills, cancelled: stats.left.cancelled })}${input.admin ? '' : html` <span class="muted">${t('insights.private_note')}</span>`}</p>`;
  if (!input.indexed) return html`${intro}<p class="notice">${t('insights.no_index')}</p>`;
  const severities = severityOrder(input.severities, stats.series);
  return html`${intro}${incidentsSection(input, severities)}<div class="insights-pair">${durationSection(input, 'mtta')}${durationSection(input, 'mttr')}</div>${mtbfSection(input)}${followUpsSection(input)}`;
}

/** Counts overdue follow-ups by owner name, most first, then by name; unowned last. */
export function countByOwner(owners: readonly (string | undefined)[]): OwnerCount[] {
  const counts = new Map<string | undefined, number>();
  for (const o of owners) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts]
    .map(([owner, count]): OwnerCount => ({ ...(owner !== undefined ? { owner } : {}), count }))
    .sort((a, b) => Number(a.owner === undefined) - Number(b.owner === undefined) || b.count - a.count || (a.owner ?? '').localeCompare(b.owner ?? ''));
}
