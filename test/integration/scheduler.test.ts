import { randomBytes } from 'node:crypto';
import { testConnection, testTarget } from '../support/redis.js';
import { openRedis, scanKeys, unlinkKeys } from '../../src/infra/redis-connect.js';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import type { Logger, OutboundJob, StepRef } from '../../src/core/ports.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { outboundJobId, stepJobId } from '../../src/scheduler/job-ids.js';
import { startWorkers, type StartWorkersOptions, type Workers } from '../../src/scheduler/workers.js';

/**
 * The scheduler and its workers against the run's real Redis, each test under its own BullMQ
 * prefix. Timing assertions use the real clock (BullMQ's timers cannot be faked); backoff is
 * shortened through the options so retries take milliseconds.
 */

const connection = testConnection();

class RecordingLogger implements Logger {
  readonly lines: { level: string; msg: string; data: Record<string, unknown> }[] = [];
  info(data: object, msg: string): void { this.lines.push({ level: 'info', msg, data: data as Record<string, unknown> }); }
  warn(data: object, msg: string): void { this.lines.push({ level: 'warn', msg, data: data as Record<string, unknown> }); }
  error(data: object, msg: string): void { this.lines.push({ level: 'error', msg, data: data as Record<string, unknown> }); }
  child(): Logger { return this; }
  with(msg: string) { return this.lines.filter((l) => l.msg === msg); }
}

interface Harness {
  prefix: string;
  scheduler: BullScheduler;
  workers: Workers;
  log: RecordingLogger;
  steps: { ref: StepRef; at: number }[];
  delivered: { job: OutboundJob; at: number }[];
  /** The outbound queue, for reading job state. */
  outbound: Queue;
  startWorkers(extra?: Partial<StartWorkersOptions>): Workers;
}

const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(extra: Partial<StartWorkersOptions> = {}, outboundAttempts?: number): Promise<Harness> {
  const prefix = `test-${randomBytes(6).toString('hex')}:{q}`;
  const log = new RecordingLogger();
  const steps: Harness['steps'] = [];
  const delivered: Harness['delivered'] = [];
  const scheduler = new BullScheduler({ connection, prefix, outboundAttempts });
  const outbound = new Queue(QUEUES.outbound, { connection, prefix });
  open.push({ close: () => cleanup(prefix, scheduler, outbound) });
  const start = (more: Partial<StartWorkersOptions> = {}): Workers => {
    const w = startWorkers({
      connection,
      prefix,
      log,
      onStep: async (ref) => void steps.push({ ref, at: Date.now() }),
      deliver: async (job) => void delivered.push({ job, at: Date.now() }),
      backoff: { baseMs: 20, capMs: 80 },
      ...extra,
      ...more,
    });
    open.push({ close: () => w.close(1000) });
    return w;
  };
  return { prefix, scheduler, log, steps, delivered, outbound, startWorkers: start, workers: start() };
}

/** Obliterates both queues, then sweeps any key left under the prefix. */
async function cleanup(prefix: string, scheduler: BullScheduler, outbound: Queue): Promise<void> {
  await scheduler.close();
  const steps = new Queue(QUEUES.steps, { connection, prefix });
  for (const q of [steps, outbound]) {
    await q.obliterate({ force: true });
    await q.close();
  }
  const redis = openRedis(testTarget());
  // SCAN, not KEYS: the Redis may be a developer's shared one.
  for await (const keys of scanKeys(redis, `${prefix}*`)) await unlinkKeys(redis, keys);
  await redis.quit();
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 4000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ref = (number: number, step = 0, generation = 0, workspace = 'T-1'): StepRef => ({ workspace, number, generation, step });
const message = (id: string): OutboundJob => ({ id, workspace: 'T1', kind: 'dm', target: 'U1', message: { text: 'you are paged' } });

describe('BullScheduler: escalation steps', () => {
  it('runs a step scheduled twice with the same ref once, and again-scheduling after it ran is a no-op', async () => {
    const h = await setup();
    await h.scheduler.scheduleStep(ref(1), 50, '2026-03-01T10:00:00Z');
    await h.scheduler.scheduleStep(ref(1), 50, '2026-03-01T10:00:00Z');
    await waitFor(() => h.steps.length === 1);
    await h.scheduler.scheduleStep(ref(1), 0, '2026-03-01T10:00:00Z');
    await sleep(300);
    expect(h.steps.map((s) => s.ref)).toEqual([ref(1)]);
  });

  it('runs a step after its delay, never early', async () => {
    const h = await setup();
    const scheduledAt = Date.now();
    await h.scheduler.scheduleStep(ref(2), 400, '2026-03-01T10:05:00Z');
    await waitFor(() => h.steps.length === 1);
    const waited = h.steps[0]!.at - scheduledAt;
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(1500);
  });

  it('cancelSteps removes pending steps of that incident only (every generation)', async () => {
    const h = await setup();
    const due = '2026-03-01T10:05:00Z';
    for (const r of [ref(1, 0), ref(1, 1), ref(1, 0, 1), ref(12, 0), ref(1, 0, 0, 'T')]) await h.scheduler.scheduleStep(r, 400, due);
    expect(await h.scheduler.pendingSteps('T-1', 1)).toHaveLength(3);
    await h.scheduler.cancelSteps('T-1', 1);
    expect(await h.scheduler.pendingSteps('T-1', 1)).toEqual([]);
    await waitFor(() => h.steps.length === 2);
    await sleep(200);
    expect(h.steps.map((s) => s.ref).sort((a, b) => a.number - b.number)).toEqual([ref(1, 0, 0, 'T'), ref(12, 0)]);
  });

  it('cancelSteps up to a generation leaves the timers of newer generations, and ack timers have their own ids', async () => {
    const h = await setup();
    const due = '2026-03-01T10:05:00Z';
    // An outbox entry run again late (its first run died before completing) must not remove a timer
    // that a later escalation armed.
    for (const r of [ref(4, 1, 1), ref(4, 2, 1), ref(4, 0, 2), { ...ref(4, 0, 2), kind: 'ack_timeout' as const }]) await h.scheduler.scheduleStep(r, 60_000, due);
    expect(await h.scheduler.pendingSteps('T-1', 4)).toHaveLength(4);
    await h.scheduler.cancelSteps('T-1', 4, 1);
    const left = await h.scheduler.pendingSteps('T-1', 4);
    expect(left.map((p) => `${p.generation}/${p.step}/${p.kind ?? 'step'}`).sort()).toEqual(['2/0/ack_timeout', '2/0/step']);
    await h.scheduler.cancelSteps('T-1', 4);
    expect(await h.scheduler.pendingSteps('T-1', 4)).toEqual([]);
  });

  it('promoteDue runs a 1-hour-delayed step whose dueAt has passed and leaves later ones', async () => {
    const h = await setup();
    await h.scheduler.scheduleStep(ref(3, 1), 2 * 3600_000, '2026-03-01T12:00:00.000Z');
    await h.scheduler.scheduleStep(ref(3, 0), 3600_000, '2026-03-01T11:00:00.000Z');
    expect((await h.scheduler.pendingSteps('T-1', 3)).map((p) => p.step)).toEqual([0, 1]);
    expect(await h.scheduler.promoteDue(new Date('2026-03-01T11:00:00Z'))).toBe(1);
    await waitFor(() => h.steps.length === 1);
    expect(h.steps[0]!.ref).toEqual(ref(3, 0));
    expect(await h.scheduler.pendingSteps('T-1', 3)).toEqual([{ step: 1, generation: 0, dueAt: '2026-03-01T12:00:00.000Z' }]);
  });

  it('builds ids BullMQ accepts: no colon, never all digits, distinct workspaces stay distinct', () => {
    const ids = [stepJobId(ref(1, 2, 3, 'a:b')), stepJobId(ref(1, 2, 3, 'a-b')), stepJobId(ref(1, 2, 3, 'a_b')), outboundJobId([1]), outboundJobId(['1'])];
    for (const id of ids) expect(id).not.toMatch(/:|^\d+$/);
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(stepJobId(ref(42, 2, 1, 'T01'))).toBe('esc-T01-42-g1-s2');
  });
});

describe('BullScheduler: outbound messages', () => {
  it('delivers a message sent twice with the same id once', async () => {
    const h = await setup();
    const id = outboundJobId(['page', 'T1', 7, 'U1']);
    await h.scheduler.send(message(id));
    await h.scheduler.send(message(id));
    await waitFor(() => h.delivered.length === 1);
    await h.scheduler.send(message(id));
    await sleep(300);
    expect(h.delivered).toHaveLength(1);
  });

  it('waits exactly Retry-After on rate limits without using up attempts', async () => {
    const tries: number[] = [];
    // One attempt only: if a 429 counted as an attempt the job would fail instead of arriving.
    const h = await setup({
      deliver: async () => {
        tries.push(Date.now());
        if (tries.length <= 2) throw new PlatformError('ratelimited', 'rate_limited', 300);
      },
    }, 1);
    await h.scheduler.send(message('out-rl'));
    await waitFor(async () => (await h.outbound.getJobState('out-rl')) === 'completed');
    expect(tries).toHaveLength(3);
    expect(tries[2]! - tries[0]!).toBeGreaterThanOrEqual(600);
    expect((await h.outbound.getJob('out-rl'))?.attemptsMade).toBe(1);
    expect(h.log.with('outbound message rate limited; waiting Retry-After').map((l) => l.data.delayMs)).toEqual([300, 300]);
  });

  it('retries transient failures (5xx, plain errors) with backoff, then delivers once', async () => {
    let calls = 0;
    const h = await setup({
      deliver: async () => {
        calls += 1;
        if (calls <= 2) throw new PlatformError('internal_error (500)', 'transient');
        if (calls === 3) throw new Error('socket hang up');
      },
    });
    await h.scheduler.send(message('out-5xx'));
    await waitFor(async () => (await h.outbound.getJobState('out-5xx')) === 'completed');
    expect(calls).toBe(4);
    const retries = h.log.with('job failed; retrying');
    expect(retries.map((l) => l.data.attempt)).toEqual([1, 2, 3]);
    expect(retries.every((l) => l.data.jobId === 'out-5xx' && typeof l.data.delayMs === 'number')).toBe(true);
  });

  it('abandons a delivery that hangs past deliveryTimeoutMs and retries it', async () => {
    const tries: number[] = [];
    const h = await setup({
      deliveryTimeoutMs: 200,
      deliver: async () => {
        tries.push(Date.now());
        if (tries.length === 1) await new Promise(() => undefined); // ignores its signal on purpose
      },
    });
    await h.scheduler.send(message('out-hang'));
    await waitFor(async () => (await h.outbound.getJobState('out-hang')) === 'completed');
    expect(tries).toHaveLength(2);
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(200);
    expect(h.log.with('job failed; retrying')[0]?.data.err).toMatchObject({ kind: 'transient' });
  });

  it('does not retry a permanent failure and logs it once with the fix', async () => {
    let calls = 0;
    const fix = 'invite the bot to the channel';
    const h = await setup({
      deliver: async () => {
        calls += 1;
        throw new PlatformError('channel_not_found', 'permanent', undefined, fix);
      },
    });
    await h.scheduler.send(message('out-perm'));
    await waitFor(async () => (await h.outbound.getJobState('out-perm')) === 'failed');
    await sleep(200);
    expect(calls).toBe(1);
    const errors = h.log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'outbound message failed permanently', data: { jobId: 'out-perm', fix } });
  });

  it('close() returns within its timeout with a delivery stuck, and the job is handed back, not lost', async () => {
    let calls = 0;
    const h = await setup({
      deliveryTimeoutMs: 60_000,
      deliver: async () => {
        calls += 1;
        await new Promise(() => undefined);
      },
    });
    await h.scheduler.send(message('out-stuck'));
    await waitFor(() => calls === 1);
    const started = Date.now();
    await h.workers.close(600);
    expect(Date.now() - started).toBeLessThan(750);
    const job = await h.outbound.getJob('out-stuck');
    expect(['delayed', 'waiting']).toContain(await job?.getState());
    expect(job?.attemptsMade).toBe(0);
    h.startWorkers({ deliver: async (j) => void h.delivered.push({ job: j, at: Date.now() }) });
    await waitFor(() => h.delivered.length === 1);
  });
});
