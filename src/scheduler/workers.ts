import { setMaxListeners } from 'node:events';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Job, MinimalJob } from 'bullmq';
import { PlatformError } from '../core/errors.js';
import type { Logger, OutboundJob, StepRef } from '../core/ports.js';
import { BACKOFF_TYPE, QUEUES, connectionOptions } from './bullmq-scheduler.js';
import type { RedisConnection, StepJobData } from './bullmq-scheduler.js';

/**
 * The workers behind BullScheduler. The outbound worker turns each PlatformError kind into a
 * queue decision: a 429 waits exactly Retry-After without using an attempt, a transient failure
 * (5xx, timeout, network) retries with capped exponential backoff, a permanent one (missing
 * scope, unknown channel) stops at once and logs what a person must fix.
 */

export interface StartWorkersOptions {
  connection: RedisConnection;
  prefix: string;
  log: Logger;
  /** `job.dueAt`: when the step was due, on the bot's Clock (for the lateness metric). */
  onStep(ref: StepRef, job: { dueAt: string }): Promise<void>;
  /** `signal` aborts on the delivery timeout and on shutdown: adapters should pass it to HTTP calls. */
  deliver(job: OutboundJob, signal: AbortSignal): Promise<void>;
  /** A message the queue will not try again (its attempts ran out): the record should say so. */
  onGaveUp?(job: OutboundJob, err: Error): Promise<void>;
  /** A message put back for another try: after a 429 (`rate_limited`) or a failure (`failed`). For metrics. */
  onRetry?(reason: 'rate_limited' | 'failed'): void;
  concurrency?: { steps?: number; outbound?: number };
  /** A delivery still pending after this is abandoned and retried as transient. Default 15 000. */
  deliveryTimeoutMs?: number;
  /** Retry delay `min(capMs, baseMs * 2^(attempt-1))`, jittered down by up to 20%. Defaults 1 s / 5 min. */
  backoff?: { baseMs?: number; capMs?: number };
}

export interface Workers {
  /** Stops taking jobs; gives up waiting on running ones before `timeoutMs` (default 5000). */
  close(timeoutMs?: number): Promise<void>;
  /** Both workers are taking jobs (not closing or closed). For /readyz. */
  running(): boolean;
}

/** The job lock (renewed by BullMQ every half of it while the job runs) and how often stalls are looked for. */
const JOB_LOCK_MS = 5_000;
const STALLED_CHECK_MS = 2_000;

/** Never wait less than this on a 429, so a `Retry-After: 0` cannot spin the worker. */
const MIN_RATE_LIMIT_DELAY_MS = 5;

/** Thrown into running jobs when shutdown stops waiting for them; the job is handed back. */
class ShutdownError extends Error {
  constructor() {
    super('worker shutting down');
    this.name = 'ShutdownError';
  }
}

/** Rejects with the signal's reason when it aborts, so a job never waits on a hung promise. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A per-delivery signal that aborts on timeout (as a transient PlatformError) or on shutdown. */
function deliverySignal(timeoutMs: number, shutdown: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onShutdown = (): void => controller.abort(new ShutdownError());
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  const timer = setTimeout(() => controller.abort(new PlatformError(`delivery timed out after ${timeoutMs} ms`, 'transient')), timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
    },
  };
}

/**
 * Custom backoff, registered on each worker. Capped so a long outage retries every 5 min rather
 * than every few hours; jittered so a backlog does not retry in lockstep after an outage. It is
 * called only when a retry will happen, with the exact delay, so it is where retries are logged.
 */
function cappedBackoff(log: Logger, queue: string, backoff: StartWorkersOptions['backoff'], onRetry?: StartWorkersOptions['onRetry']) {
  const baseMs = backoff?.baseMs ?? 1000;
  const capMs = backoff?.capMs ?? 5 * 60_000;
  return (attemptsMade: number, type?: string, err?: Error, job?: MinimalJob): number => {
    if (type !== BACKOFF_TYPE) throw new Error(`unknown backoff strategy ${String(type)}`);
    const full = Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
    const delayMs = Math.max(1, Math.round(full * (1 - 0.2 * Math.random())));
    log.warn({ queue, jobId: job?.id, attempt: attemptsMade, delayMs, err }, 'job failed; retrying');
    if (queue === QUEUES.outbound) onRetry?.('failed');
    return delayMs;
  };
}

/** Hands the job back to the queue (due now) without using an attempt; another worker takes it. */
async function release(job: Job, token: string | undefined): Promise<DelayedError> {
  await job.moveToDelayed(Date.now(), token);
  return new DelayedError();
}

interface OutboundContext {
  log: Logger;
  onRetry?: StartWorkersOptions['onRetry'];
  deliver: StartWorkersOptions['deliver'];
  timeoutMs: number;
  shutdown: AbortSignal;
}

/** Maps a failed delivery to what BullMQ should do with the job (see the module comment). */
async function outboundFailure(err: unknown, job: Job<OutboundJob>, token: string | undefined, ctx: OutboundContext): Promise<Error> {
  if (err instanceof ShutdownError) return release(job, token);
  if (err instanceof PlatformError && err.kind === 'rate_limited') {
    const delayMs = Math.max(MIN_RATE_LIMIT_DELAY_MS, Math.ceil(err.retryAfterMs ?? 1000));
    ctx.log.warn({ jobId: job.id, attempt: job.attemptsMade + 1, delayMs, err }, 'outbound message rate limited; waiting Retry-After');
    ctx.onRetry?.('rate_limited');
    // Moving it ourselves with skipAttempt: a 429 says "later", not "failed", so no attempt is used.
    await job.moveToDelayed(Date.now() + delayMs, token);
    return new DelayedError();
  }
  if (err instanceof PlatformError && err.kind === 'permanent') {
    ctx.log.error({ jobId: job.id, fix: err.fix, err }, 'outbound message failed permanently');
    return new UnrecoverableError(err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function outboundProcessor(ctx: OutboundContext) {
  return async (job: Job<OutboundJob>, token?: string): Promise<void> => {
    const { signal, dispose } = deliverySignal(ctx.timeoutMs, ctx.shutdown);
    try {
      // The race matters: a deliver that ignores its signal must not hold the job past the timeout.
      await untilAborted(Promise.resolve().then(() => ctx.deliver(job.data, signal)), signal);
    } catch (err) {
      throw await outboundFailure(err, job, token, ctx);
    } finally {
      dispose();
    }
  };
}

function stepProcessor(onStep: StartWorkersOptions['onStep'], shutdown: AbortSignal) {
  return async (job: Job<StepJobData>, token?: string): Promise<void> => {
    const { workspace, number, generation, step, kind, dueAt } = job.data;
    try {
      await untilAborted(Promise.resolve().then(() => onStep({ workspace, number, generation, step, ...(kind ? { kind } : {}) }, { dueAt })), shutdown);
    } catch (err) {
      // Steps are idempotent (they re-read the incident, side effects are claimed), so handing a
      // step back while the abandoned call may still finish is safe.
      throw err instanceof ShutdownError ? await release(job, token) : err;
    }
  };
}

/** Logs what the backoff strategy cannot: jobs that will not be retried any more. */
function watch(worker: Worker, log: Logger, queue: string, onGaveUp?: (job: Job, err: Error) => Promise<void>): void {
  worker.on('error', (err) => log.error({ queue, err }, 'queue worker error'));
  worker.on('failed', (job, err) => {
    // Stalled past BullMQ's limit (its workers died with it twice): BullMQ fails it as
    // Unrecoverable, but nobody decided that here, so it is logged and recorded like the rest.
    const stalled = /stalled more than allowable limit/.test(err.message);
    if (!job || (err.name === 'UnrecoverableError' && !stalled)) return; // logged where it was decided
    if (job.attemptsMade >= (job.opts.attempts ?? 1) || stalled) {
      log.error({ queue, jobId: job.id, attempts: job.attemptsMade, err }, 'job failed after its last attempt');
      onGaveUp?.(job, err).catch((e: unknown) => log.error({ queue, jobId: job.id, err: e }, 'recording a failed delivery failed'));
    }
  });
}

/** Starts both workers. Close them with the returned handle before closing Redis. */
export function startWorkers(opts: StartWorkersOptions): Workers {
  const shutdown = new AbortController();
  // Every running job listens on this one signal; the default cap of 10 listeners would warn.
  setMaxListeners(0, shutdown.signal);
  const connection = connectionOptions(opts.connection, true);
  const common = (queue: string, concurrency: number | undefined) => ({
    connection,
    prefix: opts.prefix,
    concurrency: concurrency ?? 8,
    settings: { backoffStrategy: cappedBackoff(opts.log, queue, opts.backoff, opts.onRetry) },
    // A job whose process died comes back within seconds, not BullMQ's default 30 s, and is never
    // given up for stalling: steps and deliveries are idempotent, a page late by half a minute is not.
    lockDuration: JOB_LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: 100,
  });
  const steps = new Worker<StepJobData>(QUEUES.steps, stepProcessor(opts.onStep, shutdown.signal), common(QUEUES.steps, opts.concurrency?.steps));
  const ctx: OutboundContext = { log: opts.log, deliver: opts.deliver, timeoutMs: opts.deliveryTimeoutMs ?? 15_000, shutdown: shutdown.signal, ...(opts.onRetry ? { onRetry: opts.onRetry } : {}) };
  const outbound = new Worker<OutboundJob>(QUEUES.outbound, outboundProcessor(ctx), common(QUEUES.outbound, opts.concurrency?.outbound ?? 16));
  watch(steps, opts.log, QUEUES.steps);
  watch(outbound, opts.log, QUEUES.outbound, opts.onGaveUp && ((job, err) => opts.onGaveUp?.(job.data as OutboundJob, err) ?? Promise.resolve()));
  return {
    close: (timeoutMs = 5000) => closeWorkers([steps, outbound], shutdown, opts.log, timeoutMs),
    running: () => [steps, outbound].every((w) => w.isRunning() && !w.closing),
  };
}

function sleep(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, ms)).unref());
}

/**
 * `worker.close()` waits for running jobs with no limit, and a second `close(true)` returns that
 * same pending promise, so forcing has to happen around it: wait gracefully for most of the
 * budget, then abort running jobs (each hands its job back without using an attempt, so no
 * 30 s stall wait), and if the workers still have not closed, drop their connections.
 */
async function closeWorkers(workers: Worker[], shutdown: AbortController, log: Logger, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const closed = Promise.all(workers.map((w) => w.close())).then(() => 'closed' as const);
  const releaseBudget = Math.min(1000, timeoutMs / 2);
  if ((await Promise.race([closed, sleep(timeoutMs - releaseBudget)])) === 'closed') return;
  log.warn({ timeoutMs }, 'workers still busy at shutdown; handing running jobs back to the queue');
  shutdown.abort();
  if ((await Promise.race([closed, sleep(deadline - Date.now())])) === 'closed') return;
  log.error({ timeoutMs }, 'workers did not close in time; disconnecting');
  for (const w of workers) w.disconnect().catch(() => undefined);
}
