import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isActive } from '../core/model.js';
import type { IncidentStore, Logger } from '../core/ports.js';

/**
 * Prometheus metrics (prom-client) on a registry of their own, so two bots in one process (tests,
 * benchmarks) never mix their numbers and no library's global metrics leak in. What the app
 * records goes through the small `Metrics` interface; gauges that describe state (open
 * incidents, queue depth) are read from the store and the queues at scrape time, so they are
 * right after a restart. The names are listed in docs/operations.md.
 */

/** What a command ended in: an answer, a refusal with words (user error), a lost write race, a bug or outage. */
export type CommandOutcome = 'ok' | 'user_error' | 'conflict' | 'error';

/** The recording side, as the app sees it (Deps.metrics). Every method is cheap and never throws. */
export interface Metrics {
  alertReceived(source: string, outcome: string, count?: number): void;
  incidentDeclared(severity: string): void;
  pageSent(): void;
  acknowledged(ttaMs: number): void;
  /** How long after its due time a timer job ran (negative values count as 0). */
  stepLate(lateMs: number): void;
  outboundRetry(reason: 'rate_limited' | 'failed'): void;
  commandRan(command: string, outcome: CommandOutcome): void;
  /** A platform call failed; `kind` is the PlatformError kind (rate_limited, transient, permanent) or `other`. */
  platformError(platform: string, kind: string): void;
}

/** Jobs per state of each queue, as BullMQ's getJobCounts answers. */
export type QueueCounts = Record<string, Record<string, number>>;

export interface ScrapeSources {
  store?: IncidentStore;
  /** Severity ids, so a severity with no open incident shows 0 rather than nothing. */
  severities?: readonly string[];
  queues?: () => Promise<QueueCounts>;
  log?: Logger;
}

/** A scrape that waits longer than this on Redis leaves the gauge empty rather than hang Prometheus. */
const SCRAPE_TIMEOUT_MS = 2_000;

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private sources: ScrapeSources = {};
  private readonly alerts = new Counter({ name: 'ic_alerts_received_total', help: 'Alerts received, by source and what became of them', labelNames: ['source', 'outcome'], registers: [this.registry] });
  private readonly declared = new Counter({ name: 'ic_incidents_declared_total', help: 'Incidents declared, by severity', labelNames: ['severity'], registers: [this.registry] });
  private readonly pages = new Counter({ name: 'ic_pages_sent_total', help: 'Page DMs that reached their person', registers: [this.registry] });
  private readonly acks = new Counter({ name: 'ic_acknowledgements_total', help: 'Acknowledgements of pages', registers: [this.registry] });
  private readonly tta = new Histogram({ name: 'ic_time_to_acknowledge_seconds', help: 'First page to acknowledgement', buckets: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200], registers: [this.registry] });
  private readonly lateness = new Histogram({ name: 'ic_escalation_step_lateness_seconds', help: 'How late an escalation timer ran after its due time', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [this.registry] });
  private readonly retries = new Counter({ name: 'ic_outbound_retries_total', help: 'Outbound messages put back for another try, by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly commands = new Counter({ name: 'ic_commands_total', help: 'Slash commands, by subcommand and outcome', labelNames: ['command', 'outcome'], registers: [this.registry] });
  private readonly platformErrors = new Counter({ name: 'ic_platform_api_errors_total', help: 'Failed chat platform calls, by platform and kind', labelNames: ['platform', 'kind'], registers: [this.registry] });

  constructor(o: { defaultMetrics?: boolean } = {}) {
    // Node's own process metrics (memory, event loop lag, GC) under their usual unprefixed names.
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const open: Gauge<'severity'> = new Gauge({
      name: 'ic_incidents_open',
      help: 'Incidents not yet resolved, by severity',
      labelNames: ['severity'],
      registers: [this.registry],
      collect: () => this.collectOpen(open),
    });
    const queued: Gauge<'queue' | 'state'> = new Gauge({
      name: 'ic_queue_jobs',
      help: 'Jobs in each queue (escalation timers, outbound messages), by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      collect: () => this.collectQueues(queued),
    });
  }

  /** Where the scrape-time gauges read from; set once the store and the queues exist. */
  watch(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** The Prometheus text exposition, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  alertReceived(source: string, outcome: string, count = 1): void {
    if (count > 0) this.alerts.inc({ source, outcome }, count);
  }

  incidentDeclared(severity: string): void {
    this.declared.inc({ severity });
  }

  pageSent(): void {
    this.pages.inc();
  }

  acknowledged(ttaMs: number): void {
    this.acks.inc();
    if (Number.isFinite(ttaMs)) this.tta.observe(Math.max(0, ttaMs) / 1000);
  }

  stepLate(lateMs: number): void {
    if (Number.isFinite(lateMs)) this.lateness.observe(Math.max(0, lateMs) / 1000);
  }

  outboundRetry(reason: 'rate_limited' | 'failed'): void {
    this.retries.inc({ reason });
  }

  commandRan(command: string, outcome: CommandOutcome): void {
    this.commands.inc({ command, outcome });
  }

  platformError(platform: string, kind: string): void {
    this.platformErrors.inc({ platform, kind });
  }

  private async collectOpen(gauge: Gauge<'severity'>): Promise<void> {
    const { store, severities = [] } = this.sources;
    if (!store) return;
    const counts = new Map(severities.map((s) => [s, 0]));
    const counted = await withTimeout(
      (async () => {
        for (const ws of await store.workspaces()) {
          for (const inc of await store.list(ws, { limit: 10_000 })) {
            // Drills are practice: no figure counts them.
            if (isActive(inc.status) && !inc.drill) counts.set(inc.severity, (counts.get(inc.severity) ?? 0) + 1);
          }
        }
      })(),
    );
    gauge.reset();
    if (!counted.ok) return this.sources.log?.warn({ err: counted.err, metric: 'ic_incidents_open' }, 'metrics scrape could not read the store');
    for (const [severity, n] of counts) gauge.set({ severity }, n);
  }

  private async collectQueues(gauge: Gauge<'queue' | 'state'>): Promise<void> {
    const { queues } = this.sources;
    if (!queues) return;
    const counted = await withTimeout(queues());
    gauge.reset();
    if (!counted.ok) return this.sources.log?.warn({ err: counted.err, metric: 'ic_queue_jobs' }, 'metrics scrape could not read the queues');
    for (const [queue, states] of Object.entries(counted.value)) {
      for (const [state, n] of Object.entries(states)) gauge.set({ queue, state }, n);
    }
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${SCRAPE_TIMEOUT_MS} ms`)), SCRAPE_TIMEOUT_MS);
  });
  try {
    return { ok: true, value: await Promise.race([work, timeout]) };
  } catch (err) {
    work.catch(() => undefined);
    return { ok: false, err: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
