import { RedisConnection, createIORedisClient } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../core/ports.js';

/**
 * The ioredis clients BullMQ opens for our queues and workers. BullMQ takes its error listener
 * off a client when its queue or worker closes, but a client that was reconnecting at that
 * moment (Redis away, or refusing a rotated password) keeps retrying; its next failure then has
 * no listener and ioredis prints "[ioredis] Unhandled error event" with the reply on stderr,
 * outside the log. Each client gets one listener of its own that stays: while BullMQ listens it
 * does nothing (the queue's `error` event is logged where the queue is made); once it is the
 * only one left, the client belongs to nobody, so it is disconnected and the error logged at debug.
 */
let lateLog: Logger | undefined;

/** Where errors of clients that outlived their queue or worker go (the bot's logger). */
export function logLateRedisErrors(log: Logger | undefined): void {
  lateLog = log;
}

export function openBullClient(opts: RedisOptions & { url?: string }): Redis {
  const { url, ...rest } = opts;
  return guarded(url ? new Redis(url, rest) : new Redis(rest));
}

/** Adds the listener, and to the copies BullMQ makes with `duplicate()` (a worker's blocking connection) too. */
function guarded(raw: Redis): Redis {
  raw.on('error', (err: Error) => {
    if (raw.listenerCount('error') > 1) return;
    lateLog?.info({ err: err.message }, 'a redis connection left by a closed queue failed; dropped it');
    raw.disconnect();
  });
  const duplicate = raw.duplicate.bind(raw);
  raw.duplicate = (override) => guarded(duplicate(override));
  return raw;
}

RedisConnection.clientFactory = (opts) => createIORedisClient(openBullClient(opts));
