/**
 * Shared shapes of `/incident stats` (issue 12). src/core/stats.ts computes them from the index of
 * closed incidents (src/store/redis-stats.ts); the chart helper renders {@link StatsSeries} to a
 * PNG on Slack and Discord. Pure data, no I/O.
 */

/** One week of the period, oldest first. */
export interface StatsWeek {
  /** The week's Monday, `yyyy-mm-dd` in the configured time zone (the first week may start before the period). */
  start: string;
  /** Incidents declared in the week, by severity id (`{ P1: 1, P3: 2 }`); severities with none are absent. */
  incidents: Record<string, number>;
  /** Median time to resolve (declared → resolved) of the week's incidents; absent when none. */
  mttrMs?: number;
  /** Median time to acknowledge (first page → acknowledgement) of the week's incidents; absent when none. */
  mttaMs?: number;
}

/** The weekly series behind the chart: every week of the period, empty ones included, oldest first. */
export interface StatsSeries {
  weeks: StatsWeek[];
}

/**
 * The chart hook (Deps.charts). `/incident stats` calls it after building its text answer,
 * on Slack and Discord only; the local workspace shows a text sparkline instead. A failure is
 * logged and never fails the text answer.
 */
export interface StatsChartRenderer {
  /** Renders the series and sends it as an image file to `userId` by DM; resolves when sent. Must cope with weeks that have no incidents. */
  render(series: StatsSeries, target: StatsChartTarget): Promise<void>;
}

export interface StatsChartTarget {
  platform: 'slack' | 'discord';
  workspace: string;
  /** Who asked: the answer is theirs alone, so the chart goes to them by DM, never into a channel. */
  userId: string;
  /** The chart's title, already translated (e.g. "Incidents and MTTR per week, last 30 days"). */
  title: string;
  /** Axis and legend words, already translated. */
  labels: { incidents: string; mttr: string; hours: string };
}

/** A follow-up of a closed incident, as the index keeps it. */
export interface StatsFollowUp {
  dueAt?: string;
  completedAt?: string;
}

/**
 * One closed (or cancelled) incident in the stats index: the figures `/incident stats` needs and
 * nothing else, so 5,000 of them are read and folded in milliseconds. Times are ISO strings.
 */
export interface StatsRecord {
  ref: string;
  number: number;
  severity: string;
  service?: string;
  declaredAt: string;
  detectedAt?: string;
  firstPagedAt?: string;
  acknowledgedAt?: string;
  timeToAckMs?: number;
  timeToResolveMs?: number;
  timeToDetectMs?: number;
  resolvedAt?: string;
  closedAt?: string;
  drill: boolean;
  cancelled: boolean;
  /** A private incident (`declare --private`): counted only for admins (stats.ts visibleRecords). Absent: public. */
  private?: boolean;
  postmortemReviewedAt?: string;
  followUps: StatsFollowUp[];
}

/** Where the stats index lives (src/store/redis-stats.ts). */
export interface StatsIndex {
  /** Writes the incident's record, replacing any earlier one (idempotent). */
  put(workspace: string, record: StatsRecord): Promise<void>;
  /** Writes the record only if the incident has none yet (the build from the store: a newer write wins); true when written. */
  putIfAbsent(workspace: string, record: StatsRecord): Promise<boolean>;
  /** Whether the workspace's index was built from its finished incidents (build-once, src/app/stats-index.ts). */
  built(workspace: string): Promise<boolean>;
  markBuilt(workspace: string): Promise<void>;
  /** Drops an incident's record (a closed incident that is no longer closed). */
  remove(workspace: string, number: number): Promise<void>;
  /** The records of incidents declared at or after `sinceMs` (and before `untilMs`, when given), oldest first. */
  since(workspace: string, sinceMs: number, untilMs?: number): Promise<StatsRecord[]>;
}
