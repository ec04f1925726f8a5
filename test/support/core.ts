import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Deps } from '../../src/app/context.js';
import { deliver, deliveryGaveUp, runStep } from '../../src/app/escalation.js';
import { startRelay } from '../../src/app/relay.js';
import { backgroundRuns } from '../../src/app/record.js';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { translator } from '../../src/core/i18n/index.js';
import type { ChatPort, Logger } from '../../src/core/ports.js';
import type { ManualClock } from '../../src/infra/clock.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../../src/scheduler/workers.js';
import { RedisAlertStore } from '../../src/store/redis-alerts.js';
import { RedisOutbox } from '../../src/store/redis-outbox.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { RedisPostmortemIndex } from '../../src/store/redis-postmortems.js';
import { RedisStatsIndex } from '../../src/store/redis-stats.js';
import { RedisActionIndex } from '../../src/store/redis-actions.js';
import { statsChartRenderer } from '../../src/app/stats-chart.js';
import { testConnection, type TestRedis } from './redis.js';

/** A logger that keeps its lines, so tests can check what an operator would find. */
export class MemoryLogger implements Logger {
  constructor(readonly lines: { level: string; msg: string; data: object }[] = []) {}
  info(data: object, msg: string) { this.lines.push({ level: 'info', msg, data }); }
  warn(data: object, msg: string) { this.lines.push({ level: 'warn', msg, data }); }
  error(data: object, msg: string) { this.lines.push({ level: 'error', msg, data }); }
  child(bindings: object): Logger {
    return {
      info: (d, m) => this.info({ ...bindings, ...d }, m),
      warn: (d, m) => this.warn({ ...bindings, ...d }, m),
      error: (d, m) => this.error({ ...bindings, ...d }, m),
      child: (b) => this.child({ ...bindings, ...b }),
    };
  }
}

/** The config a test's document parses to; throws on a problem, as startup would. */
export function parseTestConfig(configDoc: object): AppConfig {
  const parsed = parseConfig(configDoc);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

export interface TestCoreOptions {
  /** Owned by the caller, who cleans it up after `close()`. */
  redis: TestRedis;
  configDoc: object;
  clock: ManualClock;
  chat: ChatPort;
  /** Prefix of the temporary postmortem directory's name. */
  postmortemPrefix?: string;
  /** Extra check `settle()` waits on besides the queues (the Slack adapter's post-ack work); false means busy. */
  idle?: () => Promise<boolean>;
  /** The outbound worker's delivery timeout (default 15 s, as in src/main.ts). */
  deliveryTimeoutMs?: number;
  /** Attempts of a queued message before the queue gives up (default 500). */
  outboundAttempts?: number;
  /** False: no background relay (a test that plays the relays itself). */
  relay?: boolean;
}

export interface TestCore {
  deps: Deps;
  scheduler: BullScheduler;
  log: MemoryLogger;
  postmortemDir: string;
  /** Waits until no step or message job is waiting or running (and `idle`, if given, says so). */
  settle(): Promise<void>;
  /** Moves the clock, runs the escalation steps that fell due, and waits for what they caused. */
  advance(ms: number): Promise<void>;
  /** Stops the workers, drops the queues and the postmortem directory; leaves the Redis keys to the caller. */
  close(): Promise<void>;
}

/** Deps as src/main.ts builds them (Redis stores, BullMQ queues and workers), on the test's key prefix. */
export async function openTestCore(o: TestCoreOptions): Promise<TestCore> {
  const { redis, clock, chat } = o;
  const config = parseTestConfig(o.configDoc);
  const postmortemDir = await mkdtemp(join(tmpdir(), o.postmortemPrefix ?? 'pm-'));
  const log = new MemoryLogger();
  const connection = testConnection();
  const queuePrefix = `${redis.prefix}{q}`;
  const scheduler = new BullScheduler({ connection, prefix: queuePrefix, ...(o.outboundAttempts ? { outboundAttempts: o.outboundAttempts } : {}) });
  const deps: Deps = {
    scheduler,
    oncall: new RedisOnCallStore(redis.redis, redis.prefix),
    outbox: new RedisOutbox(redis.redis, redis.prefix),
    alerts: new RedisAlertStore(redis.redis, redis.prefix),
    stats: new RedisStatsIndex(redis.redis, redis.prefix),
    postmortemIndex: new RedisPostmortemIndex(redis.redis, redis.prefix),
    actions: new RedisActionIndex(redis.redis, redis.prefix),
    charts: statsChartRenderer({ chat, log }),
    stepEffectsInBackground: true,
    store: new RedisIncidentStore(redis.redis, redis.prefix),
    chat,
    clock,
    config: { ...config, postmortems: { dir: postmortemDir } },
    t: translator(config.locale),
    log,
    postmortems: new PostmortemFiles(postmortemDir),
  };
  // Deliveries still running, also those the worker stopped waiting for on its timeout: a "sent
  // once" check after settle() must not pass because a second copy is still on its way.
  const running = new Set<Promise<void>>();
  const workers = startWorkers({
    connection,
    prefix: queuePrefix,
    log,
    onStep: (ref) => runStep(deps, ref),
    deliver: (job) => {
      const p = deliver(deps, job);
      running.add(p);
      p.then(() => running.delete(p), () => running.delete(p));
      return p;
    },
    onGaveUp: (job, err) => deliveryGaveUp(deps, job, err),
    backoff: { baseMs: 20, capMs: 200 },
    ...(o.deliveryTimeoutMs ? { deliveryTimeoutMs: o.deliveryTimeoutMs } : {}),
  });
  const relay = o.relay === false ? undefined : startRelay(deps, { pollMs: 20 });
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection, prefix: queuePrefix }));

  async function settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 15));
      const idle = o.idle ? await o.idle() : true;
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
      // Outbox entries due soon count as work; one retried minutes from now does not hold a test up.
      const outbox = await Promise.all((await deps.store.workspaces()).map((ws) => deps.outbox.pending(ws, Date.now() + 500)));
      const busy = !idle || running.size > 0 || backgroundRuns() > 0 || outbox.some((n) => n > 0) || counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  }

  return {
    deps,
    scheduler,
    log,
    postmortemDir,
    settle,
    async advance(ms) {
      clock.advance(ms);
      await scheduler.promoteDue(clock.now());
      await settle();
    },
    async close() {
      await relay?.stop();
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
      await scheduler.close();
      await rm(postmortemDir, { recursive: true, force: true });
    },
  };
}
