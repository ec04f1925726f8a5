import { Queue, Worker } from 'bullmq';
import type { FollowupRef, FollowupTimers } from '../core/followups.js';
import type { Logger } from '../core/ports.js';
import { FAILED_KEPT, connectionOptions, type RedisConnection } from './bullmq-scheduler.js';
import { encodePart } from './job-ids.js';

/**
 * Follow-up timers on BullMQ (issue 12): one delayed job per reminder of an action item, and one
 * per weekly digest of a workspace, on the `followups` queue with its own worker, as the handoff
 * queue does (handoff.ts). The job id is the reminder (workspace, incident, item, kind, time) or
 * the digest's week, so arming it again (the start-up sweep, the next change of the incident) is
 * a no-op while the job waits and for two weeks after it ran: longer than the weekly cadence, so
 * the sweep's catch-up of the latest reminder never sends one twice.
 */

export const FOLLOWUPS_QUEUE = 'followups';
const DAY_SECONDS = 24 * 3600;
const PENDING = ['delayed', 'wait', 'prioritized'] as const;

/** `fu-<ws>-<n>-<item>-<kind>-<ms>` or `fu-<ws>-digest-<ms>`: parts encoded as job-ids.ts does. */
export function followupJobId(ref: FollowupRef): string {
  const at = Date.parse(ref.at);
  if (!Number.isSafeInteger(at)) throw new RangeError(`follow-up time ${JSON.stringify(ref.at)} is not a time`);
  if (ref.kind === 'digest') return `fu-${encodePart(ref.workspace)}-digest-${at}`;
  if (!Number.isSafeInteger(ref.number) || ref.number < 0) throw new RangeError(`incident number ${ref.number} is not one`);
  return `fu-${encodePart(ref.workspace)}-${ref.number}-${encodePart(ref.itemId)}-${ref.kind}-${at}`;
}

export interface FollowupQueueOptions {
  connection: RedisConnection;
  prefix: string;
  log?: Logger;
}

export class FollowupQueue implements FollowupTimers {
  private readonly queue: Queue<FollowupRef>;

  constructor(options: FollowupQueueOptions) {
    this.queue = new Queue<FollowupRef>(FOLLOWUPS_QUEUE, { connection: connectionOptions(options.connection), prefix: options.prefix });
    this.queue.on('error', (err) => options.log?.error({ queue: FOLLOWUPS_QUEUE, err }, 'queue error'));
  }

  async arm(ref: FollowupRef, delayMs: number): Promise<void> {
    if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`);
    const data: FollowupRef = { ...ref, at: new Date(Date.parse(ref.at)).toISOString() };
    const jobId = followupJobId(data);
    // A job that failed for good keeps its id, and an add with it would do nothing: replace it.
    const old = await this.queue.getJob(jobId);
    if (old && (await old.isFailed())) await old.remove();
    await this.queue.add(data.kind, data, {
      jobId,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 14 * DAY_SECONDS },
      removeOnFail: FAILED_KEPT,
    });
  }

  async armed(ref: FollowupRef): Promise<boolean> {
    const state = await this.queue.getJobState(followupJobId(ref));
    return state !== 'unknown' && state !== 'failed';
  }

  /** Timers waiting to run, soonest first (tests; the sweep never reads them). */
  async pending(): Promise<FollowupRef[]> {
    const jobs = await this.queue.getJobs([...PENDING], 0, -1);
    return jobs.map((j) => j.data).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
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

  /** Closes the queue's connection; gives up waiting after `timeoutMs`. */
  async close(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const closed = await Promise.race([this.queue.close(), late]);
    clearTimeout(timer);
    if (closed === 'late') void this.queue.disconnect().catch(() => undefined);
  }
}

export interface FollowupWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  log: Logger;
  run(ref: FollowupRef): Promise<void>;
}

/** The worker of the `followups` queue. A run is idempotent (its messages have deterministic ids), so a stalled job simply runs again. */
export function startFollowupWorker(o: FollowupWorkerOptions): { close(timeoutMs?: number): Promise<void>; running(): boolean } {
  const worker = new Worker<FollowupRef>(FOLLOWUPS_QUEUE, (job) => o.run(job.data), {
    connection: connectionOptions(o.connection, true),
    prefix: o.prefix,
    concurrency: 4,
    lockDuration: 10_000,
    maxStalledCount: 10,
  });
  worker.on('error', (err) => o.log.error({ queue: FOLLOWUPS_QUEUE, err }, 'queue worker error'));
  worker.on('failed', (job, err) => o.log.error({ queue: FOLLOWUPS_QUEUE, jobId: job?.id, attempt: job?.attemptsMade, err }, 'follow-up job failed'));
  return {
    async close(timeoutMs = 5_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const closed = await Promise.race([worker.close(), late]);
      clearTimeout(timer);
      if (closed === 'late') {
        o.log.warn({ queue: FOLLOWUPS_QUEUE, timeoutMs }, 'follow-up worker still busy at shutdown; disconnecting');
        void worker.disconnect().catch(() => undefined);
      }
    },
    running: () => worker.isRunning() && !worker.closing,
  };
}
