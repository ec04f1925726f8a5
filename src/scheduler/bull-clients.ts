import { RedisConnection, createIORedisClient } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import type { RedisClient } from '../infra/redis-client.js';
import { openFromOptions, redisOptions, type RedisTarget } from '../infra/redis-connect.js';
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

/** A client for BullMQ from its options: a single node, a Sentinel master, or a Cluster (redis-connect.ts). */
export function openBullClient(opts: RedisOptions & { url?: string }): RedisClient {
  return guarded(openFromOptions(opts));
}

/** Adds the listener, and to the copies BullMQ makes with `duplicate()` (a worker's blocking connection) too. */
function guarded<C extends RedisClient>(raw: C): C {
  raw.on('error', (err: Error) => {
    if (raw.listenerCount('error') > 1) return;
    lateLog?.info({ err: err.message }, 'a redis connection left by a closed queue failed; dropped it');
    raw.disconnect();
  });
  // A Cluster's duplicate takes (startupNodes, options), a node's (options): pass both through.
  const duplicate = (raw.duplicate as (...args: unknown[]) => C).bind(raw);
  (raw as { duplicate: unknown }).duplicate = (...args: unknown[]) => guarded(duplicate(...args));
  return raw;
}

RedisConnection.clientFactory = (opts) => createIORedisClient(openBullClient(opts));

/** BullMQ's connection options for a target (its own connections are then opened by openBullClient). */
export function bullConnection(target: RedisTarget): RedisOptions & { url?: string } {
  // ioredis's options type allows a null retryStrategy, BullMQ's does not; redisOptions sets none.
  return redisOptions(target) as RedisOptions & { url?: string };
}
