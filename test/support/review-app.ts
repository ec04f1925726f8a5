import { backgroundRuns } from '../../src/app/record.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { commands } from '../../commands/index.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { LocalTerminal } from '../../src/adapters/local/terminal.js';
import type { Deps } from '../../src/app/context.js';
import * as escalation from '../../src/app/escalation.js';
import { startRelay, type Relay } from '../../src/app/relay.js';
import { translator } from '../../src/core/i18n/index.js';
import { ManualClock } from '../../src/infra/clock.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../../src/scheduler/workers.js';
import { RedisOutbox } from '../../src/store/redis-outbox.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import type { TestApp } from './app.js';
import { MemoryLogger, parseTestConfig } from './core.js';
import { testRedis } from './redis.js';

/**
 * testApp (app.ts) with the knobs testApp keeps fixed: the outbound worker's delivery timeout,
 * the attempts of a queued message, and whether a background relay runs (a test that plays two
 * relays itself wants none). `settle()` also waits for deliveries the worker abandoned on its
 * timeout: they still run, and a "sent once" check must not be fooled by one still on its way.
 */
export interface ReviewAppOptions {
  deliveryTimeoutMs?: number;
  outboundAttempts?: number;
  relay?: boolean;
}

export async function reviewApp(configDoc: object, o: ReviewAppOptions = {}): Promise<TestApp> {
  const redis = await testRedis();
  const output: string[] = [];
  const print = (line: string) => output.push(line);
  const config = parseTestConfig(configDoc);
  const chat = new LocalWorkspace(print, config.channels.announce);
  const clock = new ManualClock(new Date('2025-12-26T00:00:00Z'));
  const postmortemDir = await mkdtemp(join(tmpdir(), 'pm-review-'));
  const log = new MemoryLogger();
  const url = inject('redisUrl');
  const queuePrefix = `${redis.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix, ...(o.outboundAttempts ? { outboundAttempts: o.outboundAttempts } : {}) });
  const deps: Deps = {
    scheduler,
    oncall: new RedisOnCallStore(redis.redis, redis.prefix),
    outbox: new RedisOutbox(redis.redis, redis.prefix),
    stepEffectsInBackground: true,
    store: new RedisIncidentStore(redis.redis, redis.prefix),
    chat,
    clock,
    config: { ...config, postmortems: { dir: postmortemDir } },
    t: translator(config.locale),
    log,
    postmortems: new PostmortemFiles(postmortemDir),
  };
  const running = new Set<Promise<void>>();
  const workers = startWorkers({
    connection: url,
    prefix: queuePrefix,
    log,
    onStep: (ref) => escalation.runStep(deps, ref),
    deliver: (job) => {
      const p = escalation.deliver(deps, job);
      running.add(p);
      p.then(() => running.delete(p), () => running.delete(p));
      return p;
    },
    // Older code has no deliveryGaveUp (nor onGaveUp): there this option does nothing.
    onGaveUp: (job, err) => escalation.deliveryGaveUp(deps, job, err),
    backoff: { baseMs: 20, capMs: 200 },
    ...(o.deliveryTimeoutMs ? { deliveryTimeoutMs: o.deliveryTimeoutMs } : {}),
  });
  const relay: Relay | undefined = o.relay === false ? undefined : startRelay(deps, { pollMs: 20 });
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection: { url }, prefix: queuePrefix }));
  const terminal = new LocalTerminal(deps, chat, commands, print, { user: 'alice' });

  async function settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 15));
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
      const outbox = await Promise.all((await deps.store.workspaces()).map((ws) => deps.outbox.pending(ws, Date.now() + 500)));
      const busy = running.size > 0 || backgroundRuns() > 0 || outbox.some((n) => n > 0) || counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  }

  return {
    scheduler,
    settle,
    deps,
    chat,
    terminal,
    clock,
    log,
    redis,
    output,
    postmortemDir,
    async advance(ms) {
      const from = output.length;
      clock.advance(ms);
      await scheduler.promoteDue(clock.now());
      await settle();
      return output.slice(from);
    },
    async type(line) {
      const from = output.length;
      await terminal.handleLine(line);
      await settle();
      return output.slice(from);
    },
    async close() {
      await relay?.stop();
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
      await scheduler.close();
      await rm(postmortemDir, { recursive: true, force: true });
      await redis.cleanup();
    },
  };
}
