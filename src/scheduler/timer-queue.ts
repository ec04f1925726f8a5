import { Queue, Worker, type JobType } from 'bullmq';
import type { Logger } from '../core/ports.js';
import { FAILED_KEPT, completedKept, connectionOptions, type RedisConnection } from './bullmq-scheduler.js';

/**
 * A queue of durable timers that are not one incident's steps (shift handoffs, follow-up
 * reminders): one delayed job per timer under a deterministic id, with its own worker. Arming a
 * timer again is a no-op while its job waits and for `keepDays` after it ran (the latest
 * COMPLETED_KEPT of them); a job that failed for good is replaced, since an add with its id would
 * do nothing.
 */

/** States of a timer that has not run yet. */
const PENDING: JobType[] = ['delayed', 'wait', 'prioritized'];

export interface TimerQueueOptions {
  connection: RedisConnection;
  prefix: string;
  log?: Logger;
  /** Completed timers kept at most (default COMPLETED_KEPT); tests make it small. */
  completedKept?: number;
}

export class TimerQueue<T extends { at: string }> {
  protected readonly queue: Queue<T>;
  private readonly completedCount: number | undefined;

  constructor(
    readonly name: string,
    options: TimerQueueOptions,
  ) {
    this.queue = new Queue<T>(name, { connection: connectionOptions(options.connection), prefix: options.prefix });
    this.queue.on('error', (err) => options.log?.error({ queue: name, err }, 'queue error'));
    this.completedCount = options.completedKept;
  }

  /** Adds the timer's job (`data.at` normalised by the caller), replacing one that failed for good. */
  protected async add(jobName: string, data: T, jobId: string, delayMs: number, keepDays: number): Promise<void> {
    if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`);
    const old = await this.queue.getJob(jobId);
    if (old && (await old.isFailed())) await old.remove();
    // BullMQ's job name typing is the queue's generic name type; ours are plain strings.
    await (this.queue as Queue).add(jobName, data, {
      jobId,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: completedKept(keepDays, this.completedCount),
      removeOnFail: FAILED_KEPT,
    });
  }

  /** Timers waiting to run, soonest first (tests, the handoff sweep). */
  async pending(): Promise<T[]> {
    const jobs = await this.queue.getJobs(PENDING, 0, -1);
    return jobs.map((j) => j.data as T).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /** Promotes delayed timers due by `now` on the bot's Clock (tests and replayed demo clocks). */
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
    if ((await within(this.queue.close(), timeoutMs)) === 'late') void this.queue.disconnect().catch(() => undefined);
  }
}

export interface TimerWorkerOptions<T> {
  connection: RedisConnection;
  prefix: string;
  log: Logger;
  run(ref: T): Promise<void>;
}

export interface TimerWorker {
  close(timeoutMs?: number): Promise<void>;
  running(): boolean;
}

/**
 * The worker of a timer queue. A run is idempotent (its messages have deterministic ids), so a
 * stalled job simply runs again. `what` names the timers in log lines ("handoff", "follow-up").
 */
export function startTimerWorker<T>(queue: string, what: string, o: TimerWorkerOptions<T>): TimerWorker {
  const worker = new Worker<T>(queue, (job) => o.run(job.data), {
    connection: connectionOptions(o.connection, true),
    prefix: o.prefix,
    concurrency: 4,
    lockDuration: 10_000,
    maxStalledCount: 10,
  });
  worker.on('error', (err) => o.log.error({ queue, err }, 'queue worker error'));
  worker.on('failed', (job, err) => o.log.error({ queue, jobId: job?.id, attempt: job?.attemptsMade, err }, `${what} job failed`));
  return {
    // A run left hanging (Redis away) must not hold up shutdown: it runs again elsewhere, idempotent.
    async close(timeoutMs = 5_000) {
      if ((await within(worker.close(), timeoutMs)) !== 'late') return;
      o.log.warn({ queue, timeoutMs }, `${what} worker still busy at shutdown; disconnecting`);
      // Not awaited: against a Redis that refuses the connection a disconnect can hang as well.
      void worker.disconnect().catch(() => undefined);
    },
    running: () => worker.isRunning() && !worker.closing,
  };
}

async function within(p: Promise<unknown>, ms: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const result = await Promise.race([p.then(() => 'done' as const), late]);
  clearTimeout(timer);
  return result;
}
