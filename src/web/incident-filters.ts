import { DateTime } from 'luxon';
import { STATUSES, isActive, type Incident, type Status } from '../core/model.js';

/**
 * The incident table's filters, as they travel in the URL (a GET form): parsed leniently (an
 * unknown value is dropped, never an error), applied as pure functions, written back into links
 * (the CSV export keeps the same query).
 */

export const PERIODS = ['7d', '30d', '90d', '365d', 'all'] as const;
export type Period = (typeof PERIODS)[number];

/** `active`: any of investigating, identified, monitoring. */
export type StatusFilter = Status | 'active';
export const STATUS_FILTERS: readonly StatusFilter[] = ['active', ...STATUSES];

export interface IncidentFilters {
  status?: StatusFilter;
  severity?: string;
  service?: string;
  /** A user id (exact) or part of a display name (any case). */
  commander?: string;
  period: Period;
  /** `YYYY-MM-DD`: declared on or after that day, in the page's time zone. */
  since?: string;
  /** Words that must all appear in the reference, title or summary (any case). */
  q?: string;
}

/** Longest filter value kept; anything longer is cut. */
const MAX_VALUE = 100;
const DAY_MS = 86_400_000;

type Query = Record<string, unknown> | undefined | null;

function one(query: Query, name: string): string | undefined {
  const v = query?.[name];
  const first = Array.isArray(v) ? (v as unknown[])[0] : v;
  if (typeof first !== 'string') return undefined;
  const text = first.trim().slice(0, MAX_VALUE);
  return text === '' ? undefined : text;
}

function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}

/** The filters of a request's query string; unknown or malformed values are left out. */
export function parseFilters(query: Query): IncidentFilters {
  const status = one(query, 'status');
  const period = one(query, 'period');
  const since = one(query, 'since');
  const f: IncidentFilters = { period: (PERIODS as readonly string[]).includes(period ?? '') ? (period as Period) : 'all' };
  if (status && (STATUS_FILTERS as readonly string[]).includes(status)) f.status = status as StatusFilter;
  for (const name of ['severity', 'service', 'commander', 'q'] as const) {
    const v = one(query, name);
    if (v !== undefined) f[name] = v;
  }
  if (since && isDate(since)) f.since = since;
  return f;
}

/** The filters as query parameters (defaults left out), for links and the CSV export. */
export function filterParams(f: IncidentFilters): Record<string, string | undefined> {
  return {
    status: f.status,
    severity: f.severity,
    service: f.service,
    commander: f.commander,
    period: f.period === 'all' ? undefined : f.period,
    since: f.since,
    q: f.q,
  };
}

/** Whether any filter narrows the table. */
export function anyFilter(f: IncidentFilters): boolean {
  return Object.values(filterParams(f)).some((v) => v !== undefined);
}

/** The earliest declaration time `f` lets through, in milliseconds, or undefined for all time. */
export function earliest(f: IncidentFilters, now: Date, timeZone: string): number | undefined {
  const bounds: number[] = [];
  if (f.period !== 'all') bounds.push(now.getTime() - Number(f.period.slice(0, -1)) * DAY_MS);
  if (f.since) {
    const day = DateTime.fromISO(f.since, { zone: timeZone });
    if (day.isValid) bounds.push(day.startOf('day').toMillis());
  }
  return bounds.length ? Math.max(...bounds) : undefined;
}

function commanderMatches(inc: Incident, wanted: string): boolean {
  const c = inc.roles.commander;
  if (!c) return false;
  const w = wanted.replace(/^@/, '').toLowerCase();
  return c.id === wanted || c.id.toLowerCase() === w || c.name.toLowerCase().includes(w);
}

function textMatches(inc: Incident, q: string): boolean {
  const hay = `${inc.ref}\n${inc.title}\n${inc.summary}`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
}

/** The incidents `f` lets through, newest first (by declaration, then by number). */
export function applyFilters(incidents: readonly Incident[], f: IncidentFilters, now: Date, timeZone = 'UTC'): Incident[] {
  const from = earliest(f, now, timeZone);
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  return incidents
    .filter((inc) => {
      if (f.status === 'active' ? !isActive(inc.status) : f.status !== undefined && inc.status !== f.status) return false;
      if (f.severity !== undefined && !same(inc.severity, f.severity)) return false;
      if (f.service !== undefined && !same(inc.service, f.service)) return false;
      if (f.commander !== undefined && !commanderMatches(inc, f.commander)) return false;
      if (from !== undefined && !(Date.parse(inc.declaredAt) >= from)) return false;
      return f.q === undefined || textMatches(inc, f.q);
    })
    .sort((a, b) => Date.parse(b.declaredAt) - Date.parse(a.declaredAt) || b.number - a.number || a.workspace.localeCompare(b.workspace));
}
