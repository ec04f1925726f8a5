import { Queue } from 'bullmq';
import './bull-clients.js';
import type { ConnectionOptions, JobType, RedisOptions } from 'bullmq';
import type { Logger, OutboundJob, Scheduler, StepKind, StepRef } from '../core/ports.js';
import { isValidJobId, stepGenerationOf, stepJobId, stepJobIdPrefix } from './job-ids.js';

/**
 * The Scheduler port on BullMQ: escalation steps are delayed jobs on the `escalation` queue and
 * messages that must arrive are jobs on the `outbound` queue. Both are idempotent by job id
 * (BullMQ ignores an add whose id exists), which is what makes a retried command or a job that
 * ran twice schedule and send nothing twice. The workers that run these jobs are in workers.ts.
 */

/**
 * A Redis URL or ioredis options (BullMQ's typing of them: ioredis's own type also allows a
 * null retryStrategy, which BullMQ rejects). BullMQ opens its own connections from it.
 */
export type RedisConnection = string | RedisOptions;

export const QUEUES = { steps: 'escalation', outbound: 'outbound' } as const;

/**
 * Name of the custom backoff strategy (exponential, capped) that workers.ts registers. The
 * worker computes retry delays, so base and cap live there and a redeploy retunes jobs already
 * queued; the attempt count is fixed on the job when it is added, here.
 */
export const BACKOFF_TYPE = 'capped-exponential';

/** What a step job carries: its ref plus the due time on the bot's Clock (dry runs, demos). */
export interface StepJobData extends StepRef {
  dueAt: string;
}

export interface PendingStep {
  step: number;
  generation: number;
  dueAt: string;
  kind?: StepKind;
}

export interface BullSchedulerOptions {
  connection: RedisConnection;
  /** BullMQ key prefix; hash-tag it (`ic:{q}`) so every key of a queue lands in one Cluster slot. */
  prefix: string;
  /** Attempts of a step job. A step failing means Redis or a bug, not a platform: a few suffice. */
  stepAttempts?: number;
  /** Attempts of a message: with 1 s..5 min backoff, 500 attempts ride out ~40 h of outage. */
  outboundAttempts?: number;
  /** Completed jobs kept per queue at most (default COMPLETED_KEPT); tests make it small. */
  completedKept?: number;
  /**
   * Where the queues' connection errors go. Without it they are still listened to (and dropped):
   * BullMQ prints an unheard error to stderr, ioredis's AUTH command and its password included.
   */
  log?: Logger;
}

const DAY_SECONDS = 24 * 3600;
/**
 * Failed jobs are kept for a look and a replay, but not forever: a failed page DM holds its text,
 * and anyone able to make sends fail (a page to a made-up id) would otherwise fill Redis.
 */
export const FAILED_KEPT = { count: 1000, age: 14 * DAY_SECONDS };
/**
 * Completed jobs kept per queue at most, besides their age: the id of a kept job deduplicates
 * an add, and the age alone would let a storm keep every job of a week (a completed step is
 * about 1 kB, a message a few; docs/operations.md, "Redis memory"). Dropping the oldest early
 * sends nothing twice: a step re-reads the incident and runs only while it is due (its version
 * is the compare-and-set token), a page DM only while its page is `requested`, any other message
 * is skipped once marked sent (`done:sent:<id>`, 7 days), a follow-up once marked (60 days).
 */
export const COMPLETED_KEPT = 10_000;

/** removeOnComplete of a queue whose ids should deduplicate for `days`, up to `count` jobs. */
export function completedKept(days: number, count = COMPLETED_KEPT): { age: number; count: number } {
  return { age: Math.round(days * DAY_SECONDS), count };
}
/** States a not-yet-running job can be in (a paused queue keeps jobs in `wait`; steps use no priorities). */
const PENDING: JobType[] = ['delayed', 'wait', 'prioritized'];

/** Turns a URL or options into BullMQ connection options; workers need no per-request retry cap. */
export function connectionOptions(connection: RedisConnection, worker = false): ConnectionOptions {
  const base: RedisOptions & { url?: string } = typeof connection === 'string' ? { url: connection } : { ...connection };
  // A worker's blocking commands must wait out a Redis restart instead of failing after N tries.
  return worker ? { ...base, maxRetriesPerRequest: null } : base;
}

/** The outbound priority of everything but page DMs (lower runs first; none runs before any). */
const LATER = 10;

export class BullScheduler implements Scheduler {
  private readonly steps: Queue<StepJobData>;
  private readonly outbound: Queue<OutboundJob>;
  private readonly stepAttempts: number;
  private readonly outboundAttempts: number;
  private readonly completedCount: number;

  constructor(options: BullSchedulerOptions) {
    const queueOptions = { connection: connectionOptions(options.connection), prefix: options.prefix };
    this.steps = new Queue<StepJobData>(QUEUES.steps, queueOptions);
    this.outbound = new Queue<OutboundJob>(QUEUES.outbound, queueOptions);
    for (const [name, queue] of [[QUEUES.steps, this.steps], [QUEUES.outbound, this.outbound]] as const) {
      queue.on('error', (err) => options.log?.error({ queue: name, err }, 'queue error'));
    }
    this.stepAttempts = options.stepAttempts ?? 5;
    this.outboundAttempts = options.outboundAttempts ?? 500;
    this.completedCount = options.completedKept ?? COMPLETED_KEPT;
  }

  /**
   * Adds the step as a delayed job with its deterministic id. Adding it again (a retried
   * command) is a no-op while the first job exists: completed steps are kept 7 days for that
   * (the latest COMPLETED_KEPT of them), failed ones up to FAILED_KEPT (they need a look).
   */
  async scheduleStep(step: StepRef, delayMs: number, dueAt: string, options: { replaceFailed?: boolean } = {}): Promise<void> {
    if (!Number.isFinite(delayMs)) throw new RangeError(`delayMs must be finite, got ${delayMs}`);
    const data: StepJobData = { workspace: step.workspace, number: step.number, generation: step.generation, step: step.step, dueAt, ...(step.kind ? { kind: step.kind } : {}) };
    const jobId = stepJobId(step);
    if (options.replaceFailed) {
      // A failed job keeps its id, and an add with that id would be a no-op: the step would never run.
      const old = await this.steps.getJob(jobId);
      if (old && (await old.isFailed())) await old.remove();
    }
    await this.steps.add('step', data, {
      jobId,
      delay: Math.max(0, Math.round(delayMs)),
      attempts: this.stepAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: completedKept(7, this.completedCount),
      removeOnFail: FAILED_KEPT,
    });
  }

  /**
   * Removes every pending step job of the incident, any generation. Jobs are found by id prefix
   * over the ids of the pending sets (ids only, no job hashes): the cost is O(P) ids per call,
   * P = pending steps of ALL incidents (tens to hundreds in practice; 10 000 is ~300 KB), which
   * is cheaper to keep right than a per-incident index that must be updated with every add,
   * run and removal. An active step is left alone (`remove` answers 0): it re-reads the
   * incident and does nothing once acknowledged.
   */
  async cancelSteps(workspace: string, number: number, upToGeneration = Infinity): Promise<void> {
    const ids = (await this.pendingStepIds(workspace, number)).filter((id) => !(stepGenerationOf(id) > upToGeneration));
    await Promise.all(ids.map((id) => this.steps.remove(id)));
  }

  /**
   * Queues a message under its own id, so the same logical message is delivered once. Completed
   * messages are kept a day to keep deduping (the latest COMPLETED_KEPT); failed ones are kept for
   * inspection and replay (up to FAILED_KEPT).
   */
  async send(job: OutboundJob): Promise<void> {
    if (!isValidJobId(job.id)) {
      throw new TypeError(`outbound job id ${JSON.stringify(job.id)} is not a valid BullMQ id: build it with outboundJobId()`);
    }
    await this.outbound.add(job.kind, job, {
      jobId: job.id,
      // Page DMs go first: BullMQ runs jobs without a priority before prioritized ones, and keeps
      // each priority first in, first out. In an alert storm, announcements and queued channel
      // messages wait; nobody's page waits behind them.
      ...(job.page ? {} : { priority: LATER }),
      attempts: this.outboundAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: completedKept(1, this.completedCount),
      removeOnFail: FAILED_KEPT,
    });
  }

  /**
   * Promotes delayed steps whose `dueAt` (bot Clock time) is at or before `now`, for the demo's
   * replayed clock where hours pass in seconds. Reads every delayed step job (O(delayed)), which
   * is fine for a demo and not meant for production paths. Returns how many were promoted.
   */
  async promoteDue(now: Date): Promise<number> {
    const delayed = await this.steps.getDelayed(0, -1);
    let promoted = 0;
    for (const job of delayed) {
      const due = Date.parse(job.data.dueAt);
      if (Number.isNaN(due) || due > now.getTime()) continue;
      try {
        await job.promote();
        promoted += 1;
      } catch {
        // It left the delayed set meanwhile (promoted by time, removed by a cancel): nothing to do.
      }
    }
    return promoted;
  }

  /** The incident's steps still waiting to run, soonest first (dry runs, tests). */
  async pendingSteps(workspace: string, number: number): Promise<PendingStep[]> {
    const ids = await this.pendingStepIds(workspace, number);
    const jobs = await Promise.all(ids.map((id) => this.steps.getJob(id)));
    const pending: PendingStep[] = [];
    for (const job of jobs) {
      if (job) pending.push({ step: job.data.step, generation: job.data.generation, dueAt: job.data.dueAt, ...(job.data.kind ? { kind: job.data.kind } : {}) });
    }
    return pending.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.generation - b.generation || a.step - b.step);
  }

  /** Jobs per state of each queue (metrics: queue depth). */
  async jobCounts(): Promise<Record<string, Record<string, number>>> {
    const states: JobType[] = ['wait', 'delayed', 'prioritized', 'active', 'failed'];
    const [steps, outbound] = await Promise.all([this.steps.getJobCounts(...states), this.outbound.getJobCounts(...states)]);
    return { [QUEUES.steps]: steps, [QUEUES.outbound]: outbound };
  }

  /** Closes both queue connections. Workers are closed separately (see workers.ts). */
  async close(): Promise<void> {
    await Promise.all([this.steps.close(), this.outbound.close()]);
  }

  private async pendingStepIds(workspace: string, number: number): Promise<string[]> {
    const prefix = stepJobIdPrefix(workspace, number);
    const ids = await this.steps.getRanges(PENDING, 0, -1);
    return ids.filter((id) => id.startsWith(prefix));
  }
}
