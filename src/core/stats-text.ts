import { chatTime } from './chat-time.js';
import { formatPreciseDuration } from './durations.js';
import type { Translate } from './i18n/index.js';
import type { Distribution, Since, Stats, StatsQuery } from './stats.js';
import type { StatsSeries } from './stats-types.js';

/**
 * The words of `/incident stats`: every figure on its own labelled line, in the reader's
 * language, durations as durations.ts writes them. Pure.
 */

export interface StatsTextOptions {
  t: Translate;
  timeZone: string;
  since: Since;
  query: Pick<StatsQuery, 'service' | 'severity'>;
  /** The local workspace (or a platform without a chart renderer): the weekly series as text sparklines. */
  sparklines: boolean;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** The sparkline shows at most this many weeks, the latest ones. */
export const SPARK_WEEKS = 26;

/**
 * One character per value: `▁` for the smallest (zero) up to `█` for the largest, linear from
 * zero; `·` for a week without a value. All zero: all `▁`.
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const max = Math.max(0, ...values.filter((v): v is number => v !== undefined));
  return values
    .map((v) => {
      if (v === undefined) return '·';
      if (max <= 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))];
    })
    .join('');
}

export function statsHeading(o: Pick<StatsTextOptions, 't' | 'timeZone' | 'since' | 'query'>): string {
  const { t, since, query } = o;
  const at = chatTime(new Date(since.sinceMs).toISOString(), o.timeZone);
  let head = 'days' in since ? t('stats.head_days', { days: since.days, since: at }) : t('stats.head_date', { since: at });
  if (query.service) head += t('stats.filter_service', { service: query.service });
  if (query.severity) head += t('stats.filter_severity', { severity: query.severity });
  return head;
}

/** The chart's title: the period and the `--service` / `--sev` filters, as the heading names them (plain text: it is drawn). */
export function chartTitle(o: Pick<StatsTextOptions, 't' | 'since' | 'query'>): string {
  const { t, since, query } = o;
  let title = 'days' in since ? t('stats.chart_title_days', { days: since.days }) : t('stats.chart_title_date', { date: since.date });
  if (query.service) title += t('stats.filter_service', { service: query.service });
  if (query.severity) title += t('stats.filter_severity', { severity: query.severity });
  return title;
}

export function statsText(s: Stats, o: StatsTextOptions): string {
  const { t } = o;
  const lines = [statsHeading(o)];
  const left = s.left.drills + s.left.cancelled > 0 ? t('stats.left_out', { drills: s.left.drills, cancelled: s.left.cancelled }) : '';
  if (s.count === 0) return [...lines, t('stats.none'), left].filter(Boolean).join('\n');
  const d = (ms: number | undefined) => (ms === undefined ? t('stats.na') : formatPreciseDuration(ms, t));
  const dist = (x: Distribution) => (x.n === 0 ? t('stats.na') : t('stats.dist', { median: d(x.median), p90: d(x.p90), n: x.n }));
  const share = (within: number, of: number) => (of === 0 ? t('stats.na') : t('stats.share', { within, of, pct: Math.round((100 * within) / of) }));
  const severities = s.bySeverity.map((x) => `${x.severity} ${x.count}`).join(' · ');
  const services = s.byService.map((x) => t('stats.service_item', { service: x.service ?? t('stats.no_service'), count: x.count, mtbf: x.service === undefined ? t('stats.na') : d(x.mtbfMs) })).join(' · ');
  const targets = s.ackTarget.bySeverity.map((x) => t('stats.ack_item', { severity: x.severity, target: d(x.targetMinutes * 60_000), within: x.within, of: x.of })).join(' · ');
  const f = s.followUps;
  lines.push(
    t('stats.incidents', { count: s.count, list: severities }),
    ...(left ? [left] : []),
    t('stats.services', { list: services }),
    t('stats.mtta', { value: dist(s.mtta) }),
    t('stats.mttr', { value: dist(s.mttr) }),
    t('stats.ttd', { value: s.ttd.n === 0 ? t('stats.ttd_unknown') : t('stats.ttd_value', { median: d(s.ttd.median), n: s.ttd.n, count: s.count }) }),
    t('stats.ack_target', { severities: s.ackTarget.bySeverity.map((x) => x.severity).join('/'), value: share(s.ackTarget.within, s.ackTarget.of), detail: targets }),
    t('stats.reviews', { value: share(s.reviews.within, s.reviews.of), pending: s.reviews.pending }),
    t('stats.followups', { value: share(f.onTime, f.onTime + f.late + f.overdue), late: f.late, overdue: f.overdue, open: f.openNotDue }),
    s.dora ? t('stats.dora', { band: t(`stats.dora.${s.dora}`), median: d(s.mttr.median) }) : t('stats.dora_none'),
  );
  if (o.sparklines) lines.push(...sparkLines(s.series, t));
  return lines.join('\n');
}

/** Incidents per week and MTTR per week, the latest SPARK_WEEKS weeks. */
export function sparkLines(series: StatsSeries, t: Translate): string[] {
  const weeks = series.weeks.slice(-SPARK_WEEKS);
  const counts = weeks.map((w) => Object.values(w.incidents).reduce((a, n) => a + n, 0));
  const mttr = weeks.map((w) => w.mttrMs);
  const longest = Math.max(0, ...mttr.filter((v): v is number => v !== undefined));
  return [
    t('stats.spark_head', { weeks: weeks.length, from: weeks[0]?.start ?? '' }),
    t('stats.spark_incidents', { spark: sparkline(counts), max: Math.max(0, ...counts) }),
    t('stats.spark_mttr', { spark: sparkline(mttr), max: formatPreciseDuration(longest, t) }),
  ];
}
