import { Queue, Worker } from 'bullmq';
import type { HandoffRef, HandoffTimers } from '../core/handoff.js';
import type { Logger } from '../core/ports.js';
import { FAILED_KEPT, connectionOptions, type RedisConnection } from './bullmq-scheduler.js';
import { encodePart } from './job-ids.js';

/**
 * Handoff timers on BullMQ: one delayed job per rotation boundary per workspace on the `handoff`
 * queue, with its own worker. The job id is the boundary, so arming it again (the start-up
 * sweep, a cover, the job before it) is a no-op while the job waits and for a week after it ran.
 */

export const HANDOFF_QUEUE = 'handoff';
const DAY_SECONDS = 24 * 3600;
/** States of a handoff job that has not run yet. */
const PENDING = ['delayed', 'wait', 'prioritized'] as const;

/** `handoff-<ws>-<rotation>-<boundary ms>`: parts encoded as job-ids.ts does, so no ':' and no collisions. */
export function handoffJobId(ref: HandoffRef): string {
  const at = Date.parse(ref.at);
  if (!Number.isSafeInteger(at)) throw new RangeError(`handoff time ${JSON.stringify(ref.at)} is not a time`);
  return `handoff-${encodePart(ref.workspace)}-${encodePart(ref.rotationId)}-${at}`;
}

export interface HandoffQueueOptions {
  connection: RedisConnection;
  prefix: string;
  log?: Logger;
}

export class HandoffQueue implements HandoffTimers {
  private readonly queue: Queue<HandoffRef>;

  constructor(options: HandoffQueueOptions) {
    this.queue = new Queue<HandoffRef>(HANDOFF_QUEUE, { connection: connectionOptions(options.connection), prefix: options.prefix });
    this.queue.on('error', (err) => options.log?.error({ queue: HANDOFF_QUEUE, err }, 'queue error'));
  }

  async arm(ref: HandoffRef, delayMs: number): Promise<void> {
    if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`);
    const data: HandoffRef = { workspace: ref.workspace, rotationId: ref.rotationId, at: new Date(Date.parse(ref.at)).toISOString() };
    const jobId = handoffJobId(data);
    // A job that failed for good keeps its id, and an add with it would do nothing: replace it.
    const old = await this.queue.getJob(jobId);
    if (old && (await old.isFailed())) await old.remove();
    await this.queue.add('handoff', data, {
      jobId,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 7 * DAY_SECONDS },
      removeOnFail: FAILED_KEPT,
    });
  }

  async workspaces(): Promise<string[]> {
    return [...new Set((await this.pending()).map((r) => r.workspace))];
  }

  /** Handoffs waiting to run, soonest first (the sweep, tests). */
  async pending(): Promise<HandoffRef[]> {
    const jobs = await this.queue.getJobs([...PENDING], 0, -1);
    return jobs.map((j) => j.data).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /** Promotes delayed handoffs due by `now` on the bot's Clock (tests and replayed demo clocks). */
  async promoteDue(now: Date): Promise<number> {
    let promoted = 0;
    for (const job of await this.queue.getDelayed(0, -1)) {
      if (Date.parse(job.data.at) > now.getTime()) continue;
      try {
        await job.promote();
        promoted++;
      } catch {
        // It left the delayed set meanwhile: nothing to do.
      }
    }
    return promoted;
  }

  /** Jobs per state (tests, metrics). */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('wait', 'delayed', 'prioritized', 'active', 'completed', 'failed');
  }

  /** Closes the queue's connection; gives up waiting after `timeoutMs` (a Redis that refuses us cannot say goodbye). */
  async close(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const closed = await Promise.race([this.queue.close(), late]);
    clearTimeout(timer);
    if (closed === 'late') void this.queue.disconnect().catch(() => undefined);
  }
}

export interface HandoffWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  log: Logger;
  run(ref: HandoffRef): Promise<void>;
}

/** The worker of the `handoff` queue. A run is idempotent (its DMs have deterministic ids), so a stalled job simply runs again. */
export function startHandoffWorker(o: HandoffWorkerOptions): { close(timeoutMs?: number): Promise<void>; running(): boolean } {
  const worker = new Worker<HandoffRef>(HANDOFF_QUEUE, (job) => o.run(job.data), {
    connection: connectionOptions(o.connection, true),
    prefix: o.prefix,
    concurrency: 4,
    lockDuration: 10_000,
    maxStalledCount: 10,
  });
  worker.on('error', (err) => o.log.error({ queue: HANDOFF_QUEUE, err }, 'queue worker error'));
  worker.on('failed', (job, err) => o.log.error({ queue: HANDOFF_QUEUE, jobId: job?.id, attempt: job?.attemptsMade, err }, 'handoff job failed'));
  return {
    // A run left hanging (Redis away) must not hold up shutdown: it runs again elsewhere, idempotent.
    async close(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const closed = await Promise.race([worker.close(), late]);
      clearTimeout(timer);
      if (closed === 'late') {
        o.log.warn({ queue: HANDOFF_QUEUE, timeoutMs }, 'handoff worker still busy at shutdown; disconnecting');
        // Not awaited: against a Redis that refuses the connection a disconnect can hang as well.
        void worker.disconnect().catch(() => undefined);
      }
    },
    running: () => worker.isRunning() && !worker.closing,
  };
}
