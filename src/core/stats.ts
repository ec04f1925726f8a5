import { IncidentError } from './errors.js';
import type { SeverityLevel } from './model.js';
import { instantToWall, isTimeZone } from './rotation-schema.js';
import { addDays, wallAt, type DateOnly } from './rotation.js';
import type { StatsFollowUp, StatsRecord, StatsSeries, StatsWeek } from './stats-types.js';

/**
 * `/incident stats`: reliability figures over the stats index (seed 001's MTTR and MTBF, seed
 * 004's response targets and 48-hour rule, DORA's time to restore). Pure: records, a period and
 * the config in, numbers out. Drills and cancelled incidents are counted apart and left out of
 * every figure.
 *
 * Definitions (docs/response.md, "Reliability figures"):
 * - median: the middle value, the mean of the two middle ones for an even count;
 * - p90: nearest rank, the smallest value with at least 90% of the values at or below it
 *   (sorted[ceil(0.9 n) - 1]): always a value that happened, and with fewer than ten values the largest;
 * - MTBF of a service: the mean gap between successive declarations of its incidents in the period
 *   ((last - first) / (n - 1)); n/a with fewer than two;
 * - the P1/P2 response share: of the incidents of the two most severe configured levels that paged
 *   someone, those acknowledged within the level's `responseMinutes` of being declared;
 * - postmortems reviewed within 48 h of the resolve, of those reviewed or whose 48 h are over;
 * - follow-ups done on time, of those done or overdue (open ones not yet due are not judged yet).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far back `--since` may reach. */
export const MAX_DAYS = 1826;
const REVIEW_WINDOW_MS = 48 * HOUR;

export interface StatsQuery {
  sinceMs: number;
  untilMs: number;
  service?: string;
  severity?: string;
}

export interface StatsOptions {
  severities: readonly SeverityLevel[];
  timeZone: string;
  now: Date;
}

export interface Distribution {
  n: number;
  median?: number;
  p90?: number;
}

export type DoraBand = 'elite' | 'high' | 'medium' | 'low';

export interface ServiceStats {
  /** Absent for incidents declared without a service. */
  service?: string;
  count: number;
  mtbfMs?: number;
}

export interface TargetShare {
  severity: string;
  targetMinutes: number;
  within: number;
  of: number;
}

export interface FollowUpStats {
  total: number;
  onTime: number;
  late: number;
  overdue: number;
  /** Open and not due yet: not judged yet. */
  openNotDue: number;
  /** Without a due date (done or open): not judged. */
  undated: number;
}

export interface Stats {
  count: number;
  /** Incidents of the period and filters left out of every figure. */
  left: { drills: number; cancelled: number };
  bySeverity: { severity: string; count: number }[];
  byService: ServiceStats[];
  mtta: Distribution;
  mttr: Distribution;
  /** Time to detect over the incidents whose detection time is known (`n` of `count`). */
  ttd: Distribution;
  ackTarget: { within: number; of: number; bySeverity: TargetShare[] };
  reviews: { within: number; of: number; pending: number };
  followUps: FollowUpStats;
  dora?: DoraBand;
  series: StatsSeries;
}

/** A `--since` resolved: the first instant of the period, and how to name it. */
export type Since = { sinceMs: number; days: number } | { sinceMs: number; date: string };

/**
 * `--since`: `30d`, `90d`, `12w` (back from now), or a date `2026-10-01` (its midnight in the
 * configured zone). Absent: 30 days. Anything else, a future date, or more than five years back
 * is refused with `bad_since`.
 */
export function parseSince(text: string | undefined, now: Date, timeZone: string): Since {
  const value = (text ?? '30d').trim().toLowerCase();
  const bad = () => new IncidentError('bad_since', { value: text ?? '', max: MAX_DAYS });
  const relative = /^(\d{1,4})([dw])$/.exec(value);
  if (relative) {
    const days = Number(relative[1]) * (relative[2] === 'w' ? 7 : 1);
    if (days < 1 || days > MAX_DAYS) throw bad();
    return { sinceMs: now.getTime() - days * DAY, days };
  }
  const dated = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!dated || !isTimeZone(timeZone)) throw bad();
  const date: DateOnly = { year: Number(dated[1]), month: Number(dated[2]), day: Number(dated[3]) };
  const check = addDays(date, 0);
  if (check.year !== date.year || check.month !== date.month || check.day !== date.day) throw bad();
  const sinceMs = wallAt(date, 0, timeZone);
  if (sinceMs > now.getTime() || now.getTime() - sinceMs > MAX_DAYS * DAY) throw bad();
  return { sinceMs, date: value };
}

/** The middle value (mean of the two middle ones for an even count) of ascending values. */
export function median(sorted: readonly number[]): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The nearest-rank percentile `p` (0 < p ≤ 100) of ascending values: sorted[ceil(p/100 · n) − 1]. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const med = median(sorted);
  const p90 = percentile(sorted, 90);
  return { n: sorted.length, ...(med !== undefined ? { median: med } : {}), ...(p90 !== undefined ? { p90 } : {}) };
}

/** DORA's time-to-restore bands, from the median time to resolve. */
export function doraBand(medianMs: number | undefined): DoraBand | undefined {
  if (medianMs === undefined) return undefined;
  if (medianMs < HOUR) return 'elite';
  if (medianMs < DAY) return 'high';
  if (medianMs < 7 * DAY) return 'medium';
  return 'low';
}

/** Mean time between failures: the mean gap between successive declarations (ascending ms); undefined below two. */
export function mtbf(declaredMs: readonly number[]): number | undefined {
  if (declaredMs.length < 2) return undefined;
  return ((declaredMs[declaredMs.length - 1] ?? 0) - (declaredMs[0] ?? 0)) / (declaredMs.length - 1);
}

/**
 * Private incidents count only for admins (docs/security.md): with narrow filters one week's
 * MTTR would give away a private incident's duration, so for anyone else they are not there at
 * all, not even as a count left out.
 */
export function visibleRecords(records: readonly StatsRecord[], admin: boolean): StatsRecord[] {
  return admin ? [...records] : records.filter((r) => !r.private);
}

/**
 * The records of the period and filters, oldest first, split into those that count and those left
 * out; `declaredMs[i]` is `counted[i].declaredAt` parsed (once: 5,000 records are read per answer).
 */
export function selectRecords(records: readonly StatsRecord[], q: StatsQuery): { counted: StatsRecord[]; declaredMs: number[]; left: Stats['left'] } {
  const left = { drills: 0, cancelled: 0 };
  const counted: { r: StatsRecord; ms: number }[] = [];
  for (const r of records) {
    const ms = Date.parse(r.declaredAt);
    if (!(ms >= q.sinceMs && ms < q.untilMs)) continue;
    if (q.service !== undefined && r.service !== q.service) continue;
    if (q.severity !== undefined && r.severity !== q.severity) continue;
    if (r.drill) left.drills++;
    else if (r.cancelled) left.cancelled++;
    else counted.push({ r, ms });
  }
  counted.sort((a, b) => a.ms - b.ms || a.r.number - b.r.number);
  return { counted: counted.map((x) => x.r), declaredMs: counted.map((x) => x.ms), left };
}

export function computeStats(records: readonly StatsRecord[], q: StatsQuery, o: StatsOptions): Stats {
  const { counted, declaredMs, left } = selectRecords(records, q);
  const values = (pick: (r: StatsRecord) => number | undefined) => counted.map(pick).filter((v): v is number => v !== undefined);
  const mttr = distribution(values((r) => r.timeToResolveMs));
  return {
    count: counted.length,
    left,
    bySeverity: bySeverity(counted, o.severities),
    byService: byService(counted, declaredMs),
    mtta: distribution(values((r) => r.timeToAckMs)),
    mttr,
    ttd: distribution(values((r) => r.timeToDetectMs)),
    ackTarget: ackTarget(counted, o.severities),
    reviews: reviews(counted, o.now.getTime()),
    followUps: followUpStats(counted.flatMap((r) => r.followUps), o.now.getTime()),
    ...(mttr.median !== undefined ? { dora: doraBand(mttr.median) } : {}),
    series: weeklySeries(counted, q.sinceMs, q.untilMs, o.timeZone, declaredMs),
  };
}

function bySeverity(counted: readonly StatsRecord[], severities: readonly SeverityLevel[]): Stats['bySeverity'] {
  const counts = new Map<string, number>(severities.map((s) => [s.id, 0]));
  for (const r of counted) counts.set(r.severity, (counts.get(r.severity) ?? 0) + 1);
  return [...counts].filter(([id, count]) => count > 0 || severities.some((s) => s.id === id)).map(([severity, count]) => ({ severity, count }));
}

function byService(counted: readonly StatsRecord[], declaredMs: readonly number[]): ServiceStats[] {
  const groups = new Map<string | undefined, number[]>();
  counted.forEach((r, i) => {
    const list = groups.get(r.service) ?? [];
    list.push(declaredMs[i] ?? Date.parse(r.declaredAt));
    groups.set(r.service, list);
  });
  const out = [...groups].map(([service, times]): ServiceStats => {
    const gap = service === undefined ? undefined : mtbf(times);
    return { ...(service !== undefined ? { service } : {}), count: times.length, ...(gap !== undefined ? { mtbfMs: gap } : {}) };
  });
  // Most incidents first; those without a service last; then by name, so the answer is stable.
  return out.sort((a, b) => Number(a.service === undefined) - Number(b.service === undefined) || b.count - a.count || (a.service ?? '').localeCompare(b.service ?? ''));
}

function ackTarget(counted: readonly StatsRecord[], severities: readonly SeverityLevel[]): Stats['ackTarget'] {
  const bySeverity = severities.slice(0, 2).map((s): TargetShare => {
    const paged = counted.filter((r) => r.severity === s.id && r.firstPagedAt);
    const within = paged.filter((r) => r.acknowledgedAt && Date.parse(r.acknowledgedAt) - Date.parse(r.declaredAt) <= s.responseMinutes * MINUTE).length;
    return { severity: s.id, targetMinutes: s.responseMinutes, within, of: paged.length };
  });
  return { within: bySeverity.reduce((a, s) => a + s.within, 0), of: bySeverity.reduce((a, s) => a + s.of, 0), bySeverity };
}

function reviews(counted: readonly StatsRecord[], nowMs: number): Stats['reviews'] {
  const out = { within: 0, of: 0, pending: 0 };
  for (const r of counted) {
    if (!r.resolvedAt) continue;
    const resolved = Date.parse(r.resolvedAt);
    if (r.postmortemReviewedAt) {
      out.of++;
      if (Date.parse(r.postmortemReviewedAt) - resolved <= REVIEW_WINDOW_MS) out.within++;
    } else if (nowMs - resolved > REVIEW_WINDOW_MS) out.of++;
    else out.pending++;
  }
  return out;
}

export function followUpStats(items: readonly StatsFollowUp[], nowMs: number): FollowUpStats {
  const out: FollowUpStats = { total: items.length, onTime: 0, late: 0, overdue: 0, openNotDue: 0, undated: 0 };
  for (const f of items) {
    if (!f.dueAt) out.undated++;
    else if (f.completedAt) {
      if (Date.parse(f.completedAt) <= Date.parse(f.dueAt)) out.onTime++;
      else out.late++;
    } else if (Date.parse(f.dueAt) < nowMs) out.overdue++;
    else out.openNotDue++;
  }
  return out;
}

/** The Monday 00:00 (in `timeZone`) of the week holding `ms`. */
export function weekStart(ms: number, timeZone: string): { ms: number; date: DateOnly } {
  const wall = instantToWall(ms, timeZone);
  const date = addDays(wall, -wall.weekday);
  return { ms: wallAt(date, 0, timeZone), date };
}

function isoDate(d: DateOnly): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/**
 * Every week (Monday to Monday in `timeZone`) that overlaps [sinceMs, untilMs), with the
 * incidents declared in it by severity and the medians of their MTTR and MTTA. `counted` must be
 * oldest first (selectRecords gives them so, with their parsed `declaredMs`).
 */
export function weeklySeries(counted: readonly StatsRecord[], sinceMs: number, untilMs: number, timeZone: string, declaredMs?: readonly number[]): StatsSeries {
  const weeks: (StatsWeek & { endMs: number; ttr: number[]; tta: number[] })[] = [];
  let start = weekStart(sinceMs, timeZone);
  while (start.ms < untilMs) {
    const nextDate = addDays(start.date, 7);
    const endMs = wallAt(nextDate, 0, timeZone);
    weeks.push({ start: isoDate(start.date), incidents: {}, endMs, ttr: [], tta: [] });
    start = { ms: endMs, date: nextDate };
  }
  let w = 0;
  for (const [i, r] of counted.entries()) {
    const ms = declaredMs?.[i] ?? Date.parse(r.declaredAt);
    while (w < weeks.length - 1 && ms >= (weeks[w]?.endMs ?? 0)) w++;
    const week = weeks[w];
    if (!week) continue;
    week.incidents[r.severity] = (week.incidents[r.severity] ?? 0) + 1;
    if (r.timeToResolveMs !== undefined) week.ttr.push(r.timeToResolveMs);
    if (r.timeToAckMs !== undefined) week.tta.push(r.timeToAckMs);
  }
  return {
    weeks: weeks.map(({ start: s, incidents, ttr, tta }) => {
      const mttr = median(ttr.sort((a, b) => a - b));
      const mtta = median(tta.sort((a, b) => a - b));
      return { start: s, incidents, ...(mttr !== undefined ? { mttrMs: mttr } : {}), ...(mtta !== undefined ? { mttaMs: mtta } : {}) };
    }),
  };
}
