import { between, formatDuration, formatTime } from '../core/durations.js';
import { translator, type Translate } from '../core/i18n/index.js';
import type { Incident } from '../core/model.js';
import type { PageContext } from './context.js';
import { anyFilter, filterParams, PERIODS, STATUS_FILTERS, type IncidentFilters } from './incident-filters.js';
import { html, queryString, type Html } from './html.js';
import type { WebTranslate } from './i18n/index.js';

/**
 * The incident table (GET /incidents) and its CSV (GET /incidents.csv): pure rendering of the
 * incidents a viewer may see, already filtered. Times to acknowledge and resolve come from the
 * Incident itself (its escalation's first acknowledgement, its first resolve in statusHistory),
 * the same instants core/metrics.ts incidentTimes reads from the events, without reading any.
 */

/** Where an incident's page is. */
export function incidentPath(inc: { workspace: string; number: number }): string {
  return `/incidents/${encodeURIComponent(inc.workspace)}/${inc.number}`;
}

/** First page → first acknowledgement (by someone other than a by-hand page's own target). */
export function timeToAck(inc: Incident): number | undefined {
  return inc.escalation?.ttaMs;
}

/** Declared → first resolve, like incidentTimes' timeToResolveMs (a reopen does not move it). */
export function timeToResolve(inc: Incident): number | undefined {
  const at = inc.statusHistory.find((s) => s.status === 'resolved')?.at ?? inc.resolvedAt;
  return at ? Math.max(0, between(inc.declaredAt, at)) : undefined;
}

/** The chat catalog in the page's language: statuses, roles, durations and timeline lines. */
export function coreT(ctx: Pick<PageContext, 'lang'>): Translate {
  return translator(ctx.lang);
}

export interface TableOptions {
  severities: readonly string[];
  services: readonly string[];
  /** Commanders of the visible incidents, for the filter's suggestions. */
  commanders: readonly string[];
  /** How many incidents the viewer may see before filtering. */
  total: number;
  /** Some workspace had more incidents than were read. */
  capped?: number;
  /** Most rows shown in the page (the CSV has them all). */
  maxRows: number;
  /** Several workspaces are shown (an operator): the table names each row's. */
  manyWorkspaces: boolean;
}

function select(name: string, label: string, value: string | undefined, options: readonly { value: string; label: string }[], anyLabel: string): Html {
  return html`<label>${label}<select name="${name}"><option value="">${anyLabel}</option>${options.map(
    (o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`,
  )}</select></label>`;
}

function filterForm(ctx: PageContext, f: IncidentFilters, o: TableOptions): Html {
  const t = ctx.t;
  const ct = coreT(ctx);
  const statuses = STATUS_FILTERS.map((s) => ({ value: s, label: s === 'active' ? t('incidents.status.active') : ct(`word.status.${s}`) }));
  const list = (values: readonly string[], current: string | undefined) =>
    [...new Set([...values, ...(current ? [current] : [])])].map((v) => ({ value: v, label: v }));
  return html`<form method="get" action="/incidents" class="filters" role="search">
${select('status', t('incidents.filter.status'), f.status, statuses, t('incidents.filter.any'))}
${select('severity', t('incidents.filter.severity'), f.severity, list(o.severities, f.severity), t('incidents.filter.any'))}
${select('service', t('incidents.filter.service'), f.service, list(o.services, f.service), t('incidents.filter.any'))}
<label>${t('incidents.filter.commander')}<input name="commander" value="${f.commander ?? ''}" list="incident-commanders" size="12" autocomplete="off"></label>
<datalist id="incident-commanders">${o.commanders.map((c) => html`<option value="${c}"></option>`)}</datalist>
<label>${t('incidents.filter.period')}<select name="period">${PERIODS.map((p) => html`<option value="${p}"${p === f.period ? html` selected` : ''}>${t(`incidents.period.${p}`)}</option>`)}</select></label>
<label>${t('incidents.filter.since')}<input type="date" name="since" value="${f.since ?? ''}"></label>
<label>${t('incidents.filter.q')}<input type="search" name="q" value="${f.q ?? ''}" size="18"></label>
<button type="submit" class="primary">${t('incidents.filter.apply')}</button>
${anyFilter(f) ? html`<a href="/incidents">${t('incidents.filter.clear')}</a>` : ''}
</form>`;
}

/** The drill and private markers of an incident, as badges. */
export function markers(inc: Incident, t: WebTranslate): Html {
  return html`${inc.drill ? html`<span class="badge drill">${t('incidents.drill')}</span> ` : ''}${inc.private ? html`<span class="badge private">${t('incidents.private')}</span>` : ''}`;
}

function row(ctx: PageContext, inc: Incident, o: TableOptions): Html {
  const ct = coreT(ctx);
  const tta = timeToAck(inc);
  const ttr = timeToResolve(inc);
  const none = html`<span class="muted">—</span>`;
  return html`<tr data-ref="${inc.ref}">
<td><a href="${incidentPath(inc)}">${inc.ref}</a>${o.manyWorkspaces ? html`<div class="muted small">${inc.workspace}</div>` : ''}</td>
<td class="title"><a href="${incidentPath(inc)}">${inc.title}</a></td>
<td><span class="badge sev">${inc.severity}</span></td>
<td class="status-${inc.status}">${ct(`word.status.${inc.status}`)}</td>
<td>${inc.service ?? none}</td>
<td>${inc.roles.commander?.name ?? none}</td>
<td><time datetime="${inc.declaredAt}">${formatTime(inc.declaredAt, ctx.timeZone)}</time></td>
<td class="num">${tta === undefined ? none : formatDuration(tta, ct)}</td>
<td class="num">${ttr === undefined ? none : formatDuration(ttr, ct)}</td>
<td>${markers(inc, ctx.t)}</td>
</tr>`;
}

/** The table page's body: filters, the CSV link, the rows (at most `maxRows`). */
export function tableBody(ctx: PageContext, f: IncidentFilters, shown: readonly Incident[], o: TableOptions): Html {
  const t = ctx.t;
  const cols = ['ref', 'title', 'severity', 'status', 'service', 'commander', 'declared', 'tta', 'ttr', 'markers'] as const;
  const rows = shown.slice(0, o.maxRows);
  const empty = o.total === 0 ? t('incidents.empty') : t('incidents.empty_filtered');
  return html`<h1>${t('incidents.title')}</h1>
${filterForm(ctx, f, o)}
<p class="incidents-meta"><span class="count">${t('incidents.count', { shown: shown.length, total: o.total })}</span> · <a href="/incidents.csv${queryString(filterParams(f))}" download>${t('incidents.csv')}</a> · <span class="muted">${t('incidents.times_in', { tz: ctx.timeZone })}</span></p>
${o.capped ? html`<p class="notice">${t('incidents.capped', { n: o.capped })}</p>` : ''}
${
  rows.length === 0
    ? html`<p class="empty muted">${empty}</p>`
    : html`<div class="table-scroll"><table class="incidents">
<thead><tr>${cols.map((c) => html`<th scope="col"${c === 'tta' || c === 'ttr' ? html` class="num"` : ''}>${t(`incidents.col.${c}`)}</th>`)}</tr></thead>
<tbody>${rows.map((inc) => row(ctx, inc, o))}</tbody>
</table></div>`
}
${shown.length > rows.length ? html`<p class="muted">${t('incidents.truncated', { shown: rows.length, total: shown.length })}</p>` : ''}`;
}

/** Whole minutes with one decimal, for spreadsheets: `12.5`; empty when unknown. */
function minutes(ms: number | undefined): string {
  return ms === undefined ? '' : String(Math.round(ms / 6000) / 10);
}

/** The CSV's rows: a header in the page's language, then one row per incident. */
export function csvRows(incidents: readonly Incident[], ctx: Pick<PageContext, 't' | 'lang' | 'timeZone'>): string[][] {
  const t = ctx.t;
  const ct = coreT(ctx);
  const yes = t('incidents.csv.yes');
  const header = [
    t('incidents.col.workspace'),
    t('incidents.col.ref'),
    t('incidents.col.title'),
    t('incidents.col.severity'),
    t('incidents.col.status'),
    t('incidents.col.service'),
    t('incidents.col.commander'),
    t('incidents.csv.declared', { tz: ctx.timeZone }),
    t('incidents.csv.declared_utc'),
    t('incidents.csv.tta_min'),
    t('incidents.csv.ttr_min'),
    t('incidents.drill'),
    t('incidents.private'),
  ];
  return [
    header,
    ...incidents.map((inc) => [
      inc.workspace,
      inc.ref,
      inc.title,
      inc.severity,
      ct(`word.status.${inc.status}`),
      inc.service ?? '',
      inc.roles.commander?.name ?? '',
      formatTime(inc.declaredAt, ctx.timeZone),
      inc.declaredAt,
      minutes(timeToAck(inc)),
      minutes(timeToResolve(inc)),
      inc.drill ? yes : '',
      inc.private ? yes : '',
    ]),
  ];
}

/** Cells a spreadsheet would run as a formula (or that hide one after a tab or CR) start like this. */
const FORMULA = /^[=+\-@\t\r]/;

/** One CSV cell: formula-like text gets a leading apostrophe, then RFC 4180 quoting where needed. */
export function csvCell(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || /^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV: cells quoted where needed, rows ended by CRLF. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}
