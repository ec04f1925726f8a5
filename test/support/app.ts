import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../commands/index.js';
import type { Deps } from '../../src/app/context.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { LocalTerminal } from '../../src/adapters/local/terminal.js';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { translator } from '../../src/core/i18n/index.js';
import type { Logger } from '../../src/core/ports.js';
import { ManualClock } from '../../src/infra/clock.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { startWorkers, type Workers } from '../../src/scheduler/workers.js';
import { deliver, runStep } from '../../src/app/escalation.js';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { testRedis, type TestRedis } from './redis.js';

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

export interface TestApp {
  deps: Deps;
  chat: LocalWorkspace;
  terminal: LocalTerminal;
  clock: ManualClock;
  log: MemoryLogger;
  redis: TestRedis;
  /** Everything the local workspace printed, in order. */
  output: string[];
  postmortemDir: string;
  scheduler: BullScheduler;
  /** Types a line as the current user and waits for everything it caused, queued messages included. */
  type(line: string): Promise<string[]>;
  /** Waits until no step or message job is waiting or running. */
  settle(): Promise<void>;
  /** Moves the clock, runs the escalation steps that fell due, and waits for what they caused. */
  advance(ms: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The real local workspace, dispatcher and Redis store, with a clock the test moves. */
export async function testApp(configDoc: object = {}, start = new Date('2025-12-26T00:00:00Z')): Promise<TestApp> {
  const redis = await testRedis();
  const parsed = parseConfig(configDoc);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const config: AppConfig = parsed.config;
  const postmortemDir = await mkdtemp(join(tmpdir(), 'pm-'));
  const output: string[] = [];
  const print = (line: string) => output.push(line);
  const chat = new LocalWorkspace(print, config.channels.announce);
  const clock = new ManualClock(start);
  const log = new MemoryLogger();
  const url = inject('redisUrl');
  const queuePrefix = `${redis.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix });
  const deps: Deps = {
    scheduler,
    oncall: new RedisOnCallStore(redis.redis, redis.prefix),
    store: new RedisIncidentStore(redis.redis, redis.prefix),
    chat,
    clock,
    config: { ...config, postmortems: { dir: postmortemDir } },
    t: translator(config.locale),
    log,
    postmortems: new PostmortemFiles(postmortemDir),
  };
  const terminal = new LocalTerminal(deps, chat, commands, print, { user: 'alice' });
  const workers: Workers = startWorkers({
    connection: url,
    prefix: queuePrefix,
    log,
    onStep: (ref) => runStep(deps, ref),
    deliver: (job) => deliver(deps, job),
    backoff: { baseMs: 20, capMs: 200 },
  });
  const queues = [new Queue(QUEUES.steps, { connection: { url }, prefix: queuePrefix }), new Queue(QUEUES.outbound, { connection: { url }, prefix: queuePrefix })];
  async function settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 15));
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
      const busy = counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  }
  return {
    scheduler,
    settle,
    async advance(ms) {
      const from = output.length;
      clock.advance(ms);
      await scheduler.promoteDue(clock.now());
      await settle();
      return output.slice(from);
    },
    deps,
    chat,
    terminal,
    clock,
    log,
    redis,
    output,
    postmortemDir,
    async type(line) {
      const from = output.length;
      await terminal.handleLine(line);
      await settle();
      return output.slice(from);
    },
    async close() {
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
      await scheduler.close();
      await redis.cleanup();
      await rm(postmortemDir, { recursive: true, force: true });
    },
  };
}
