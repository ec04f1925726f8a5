import { PlatformError } from '../../src/core/errors.js';
import type { OutboundJob, Scheduler, StepRef } from '../../src/core/ports.js';
import { isValidJobId, stepGenerationOf, stepJobId, stepJobIdPrefix } from '../../src/scheduler/job-ids.js';
import type { Task, World } from './paging-world.js';

/**
 * The Scheduler port as BullMQ gives it (src/scheduler/bullmq-scheduler.ts and workers.ts), kept
 * in lists the model runs in the order fast-check chooses. BullMQ itself is not in this test: its
 * timing (delays, stall checks, lock renewal) is real time, which a seed cannot replay, and its
 * id dedupe is covered by test/integration/scheduler.test.ts; the chaos script and
 * test/e2e/durability.test.ts run it for real. What is kept of its semantics:
 *
 * - Adding a job whose id exists is a no-op while the job is kept (completed and failed jobs are
 *   kept); `replaceFailed` replaces a failed step job.
 * - `cancelSteps` removes the incident's pending step jobs (up to a generation, when given); a
 *   running one is not removed.
 * - A step job runs once its `dueAt` (bot clock) has come; an outbound job at once.
 * - An outbound job that fails: a 429 waits without using an attempt, a transient failure
 *   retries (500 attempts), a permanent one fails the job. A step job retries 5 times.
 * - A job whose worker died is stalled: back to waiting, and failed for good the second time
 *   (maxStalledCount 1, BullMQ's default, which workers.ts keeps).
 * - A delivery that outlives the worker's timeout is failed as transient and retried while the
 *   abandoned call may still finish (the `timeout` command).
 */

export type QueueName = 'steps' | 'outbound';

export interface QJob {
  queue: QueueName;
  id: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  token: number;
  stalls: number;
  attempts: number;
  /** Order of first add, for picking jobs deterministically. */
  order: number;
  step?: { ref: StepRef; dueAt: string };
  outbound?: OutboundJob;
  failedReason?: string;
}

const MAX_STALLED = 1;
const ATTEMPTS: Record<QueueName, number> = { steps: 5, outbound: 500 };

export class HarnessQueues {
  readonly jobs = new Map<string, QJob>();
  private added = 0;

  constructor(private readonly world: World) {}

  portFor(_task: Task): Scheduler {
    return {
      scheduleStep: async (ref, delayMs, dueAt, options = {}) => {
        if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`);
        const key = `steps:${stepJobId(ref)}`;
        if (options.replaceFailed && this.jobs.get(key)?.state === 'failed') this.jobs.delete(key);
        this.add(key, { queue: 'steps', id: stepJobId(ref), step: { ref: { ...ref }, dueAt } });
      },
      cancelSteps: async (workspace, number, upToGeneration = Infinity) => {
        const prefix = stepJobIdPrefix(workspace, number);
        for (const [key, job] of this.jobs) {
          const mine = job.queue === 'steps' && job.id.startsWith(prefix) && job.state === 'waiting';
          if (mine && !(stepGenerationOf(job.id) > upToGeneration)) this.jobs.delete(key);
        }
      },
      send: async (job) => {
        if (!isValidJobId(job.id)) throw new TypeError(`outbound job id ${JSON.stringify(job.id)} is not a valid BullMQ id`);
        this.add(`outbound:${job.id}`, { queue: 'outbound', id: job.id, outbound: structuredClone(job) });
      },
    };
  }

  private add(key: string, job: Pick<QJob, 'queue' | 'id' | 'step' | 'outbound'>): void {
    if (this.jobs.has(key)) return;
    this.jobs.set(key, { ...job, state: 'waiting', token: 0, stalls: 0, attempts: 0, order: ++this.added });
  }

  /** Jobs a worker could take now: waiting, and for steps due on the bot clock. */
  runnable(queue: QueueName): QJob[] {
    const now = this.world.clock.now().getTime();
    return this.list(queue).filter((j) => j.state === 'waiting' && (!j.step || Date.parse(j.step.dueAt) <= now));
  }

  list(queue: QueueName): QJob[] {
    return [...this.jobs.values()].filter((j) => j.queue === queue).sort((a, b) => a.order - b.order);
  }

  /** A worker takes the job: it is active under a new lock token. */
  take(job: QJob): number {
    job.state = 'active';
    return ++job.token;
  }

  /**
   * The worker's moveToCompleted / moveToFailed; ignored when the worker lost the job meanwhile.
   * True when the queue gave up after the last attempt (workers.ts then calls onGaveUp).
   */
  finish(job: QJob, token: number, err?: unknown): boolean {
    if (job.token !== token || job.state !== 'active') return false;
    if (err === undefined) {
      job.state = 'completed';
      return false;
    }
    if (job.queue === 'outbound' && err instanceof PlatformError && err.kind === 'rate_limited') {
      job.state = 'waiting';
      return false;
    }
    job.attempts++;
    const permanent = job.queue === 'outbound' && err instanceof PlatformError && err.kind === 'permanent';
    const last = job.attempts >= ATTEMPTS[job.queue];
    job.state = permanent || last ? 'failed' : 'waiting';
    if (job.state === 'failed') job.failedReason = err instanceof Error ? err.message : String(err);
    return last && !permanent;
  }

  /**
   * BullMQ's stall check found the job's worker gone. True when that failed it for good: the
   * next worker then fails it as Unrecoverable, which workers.ts hands to onGaveUp.
   */
  stall(job: QJob, token: number): boolean {
    if (job.token !== token || job.state !== 'active') return false;
    job.stalls++;
    job.token++;
    job.state = job.stalls > MAX_STALLED ? 'failed' : 'waiting';
    if (job.state === 'failed') job.failedReason = 'job stalled more than allowable limit';
    return job.state === 'failed';
  }

  /** workers.ts gave up waiting on the delivery (deliveryTimeoutMs): retried, the old call left running. */
  timeout(job: QJob): void {
    if (job.state !== 'active') return;
    job.token++;
    job.attempts++;
    job.state = 'waiting';
  }
}
