import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { commands } from '../../commands/index.js';
import type { Deps, Invocation } from '../../src/app/context.js';
import { dispatch } from '../../src/app/dispatch.js';
import { runStep } from '../../src/app/escalation.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import type { AppConfig } from '../../src/config.js';
import type { MessageRef, OutboundMessage, Scheduler, StepRef } from '../../src/core/ports.js';
import { BullScheduler, QUEUES, connectionOptions } from '../../src/scheduler/bullmq-scheduler.js';
import { benchConfig, benchDeps, benchWorkers } from '../lib/bot.js';
import { CountingLogger } from '../lib/logger.js';
import { forEachConcurrently } from '../lib/pool.js';

/** The bot, wired like src/main.ts, with timestamps taken at the three points measured. */

/** Step 1 of an RSS-phase incident, and step 2 of a timer-phase one: never due during the run. */
const NEVER = '1h';
export const TIER1_USER = 'oncall-a';
export const TIER2_USER = 'oncall-b';

export interface StepTimes {
  dueAt?: number;
  addedAt?: number;
  delayMs?: number;
  starts: number[];
  ends: number[];
}

export interface Bot {
  url: string;
  deps: Deps;
  chat: TimedWorkspace;
  dms: DmLog;
  steps: Map<string, StepTimes>;
  log: CountingLogger;
  stepQueue: Queue;
  close(): Promise<void>;
}

export const stepKey = (r: { workspace: string; number: number; step: number; generation: number }): string => `${r.workspace}/${r.number}/${r.generation}/${r.step}`;

function stepTimes(steps: Map<string, StepTimes>, key: string): StepTimes {
  let t = steps.get(key);
  if (!t) steps.set(key, (t = { starts: [], ends: [] }));
  return t;
}

/** When dm() was called, by workspace, user and incident number. */
export class DmLog {
  private readonly at = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  record(workspace: string, userId: string, message: OutboundMessage, now: number): void {
    const number = /INC-(\d+)/.exec(message.text)?.[1];
    const key = `${workspace}/${userId}/${number ?? '?'}`;
    if (!this.at.has(key)) this.at.set(key, now);
    this.counts.set(`${workspace}/${userId}`, (this.counts.get(`${workspace}/${userId}`) ?? 0) + 1);
  }
  get(workspace: string, userId: string, number: number): number | undefined {
    return this.at.get(`${workspace}/${userId}/${number}`);
  }
  count(workspace: string, userId: string): number {
    return this.counts.get(`${workspace}/${userId}`) ?? 0;
  }
}

/** The local adapter (no-op print), with the moment each DM call is issued recorded. */
export class TimedWorkspace extends LocalWorkspace {
  constructor(
    announce: string,
    private readonly log: DmLog,
  ) {
    super(() => {}, announce);
  }
  override async dm(workspace: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    this.log.record(workspace, userId, message, Date.now());
    return super.dm(workspace, userId, message);
  }
}

/** Policy `rss` never escalates; `t<s>` pages tier 2 `s` seconds after tier 1; each routed from its service. */
function escalationConfig(pmDir: string, maxDelayS: number): AppConfig {
  const tier = (user: string, delay: string) => ({ targets: [{ user }], delay });
  const policies = [{ id: 'rss', tiers: [tier(TIER1_USER, NEVER), tier(TIER2_USER, NEVER)] }];
  const services = [{ id: 'rss' }];
  const routes = [{ service: 'rss', policy: 'rss' }];
  for (let s = 1; s <= maxDelayS; s++) {
    policies.push({ id: `t${s}`, tiers: [tier(TIER1_USER, `${s}s`), tier(TIER2_USER, NEVER)] });
    services.push({ id: `t${s}` });
    routes.push({ service: `t${s}`, policy: `t${s}` });
  }
  return benchConfig(pmDir, { services, policies, routes });
}

/** The Scheduler port as BullScheduler, noting each step's dueAt and when its add was issued. */
function timedScheduler(scheduler: BullScheduler, steps: Map<string, StepTimes>): Scheduler {
  return {
    scheduleStep(step: StepRef, delayMs: number, dueAt: string) {
      const t = stepTimes(steps, stepKey(step));
      t.dueAt = Date.parse(dueAt);
      t.addedAt = Date.now();
      t.delayMs = Math.max(0, Math.round(delayMs));
      return scheduler.scheduleStep(step, delayMs, dueAt);
    },
    cancelSteps: (workspace, number) => scheduler.cancelSteps(workspace, number),
    send: (job) => scheduler.send(job),
  };
}

export function startBot(redis: Redis, url: string, prefix: string, pmDir: string, maxDelayS: number, stepConcurrency: number | undefined): Bot {
  const config = escalationConfig(pmDir, maxDelayS);
  const log = new CountingLogger();
  const dms = new DmLog();
  const chat = new TimedWorkspace(config.channels.announce, dms);
  const queuePrefix = `${prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix });
  const steps = new Map<string, StepTimes>();
  const deps = benchDeps({ redis, prefix, config, chat, log, scheduler: timedScheduler(scheduler, steps) });
  const workers = benchWorkers(deps, url, queuePrefix, {
    onStep: (ref) => {
      const t = stepTimes(steps, stepKey(ref));
      t.starts.push(Date.now());
      return runStep(deps, ref).finally(() => t.ends.push(Date.now()));
    },
    // Unset, as in src/main.ts (startWorkers' defaults), unless BENCH_STEP_CONCURRENCY asks.
    ...(stepConcurrency ? { concurrency: { steps: stepConcurrency } } : {}),
  });
  // Read-only view of the step queue, for job counts.
  const stepQueue = new Queue(QUEUES.steps, { connection: connectionOptions(url), prefix: queuePrefix });
  return {
    url,
    deps,
    chat,
    dms,
    steps,
    log,
    stepQueue,
    async close() {
      await workers.close(5_000);
      await Promise.all([scheduler.close(), stepQueue.close()]);
    },
  };
}

/** Declares `count` incidents in `workspace` through dispatch(), `concurrency` at a time. */
export async function declareMany(deps: Deps, workspace: string, count: number, concurrency: number, service: (i: number) => string): Promise<void> {
  await forEachConcurrently(count, concurrency, async (i) => {
    const user = { id: `u${i}`, name: `u${i}` };
    const inv: Invocation = { platform: 'local', workspace, channelId: 'general', user, text: `declare ${workspace} checkout latency ${i} --sev P2 --service ${service(i)}` };
    const reply = await dispatch(deps, commands, inv);
    if (!reply.text.startsWith('Declared ')) throw new Error(`bench: declare answered "${reply.text}"`);
  });
}
