import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { RedisClient } from '../../src/infra/redis-client.js';
import { openRedis, redisTarget, scanKeys, unlinkKeys, type RedisTarget } from '../../src/infra/redis-connect.js';
import { bullConnection } from '../../src/scheduler/bull-clients.js';

export interface TestRedis {
  redis: RedisClient;
  /** Unique per call, so parallel test files share one Redis without seeing each other's keys. */
  prefix: string;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

/**
 * The run's Redis as the bot would be configured for it: the single node from
 * test/support/global-redis.ts, or in the `cluster` project the three-master Redis Cluster.
 */
export function testTarget(): RedisTarget {
  const nodes = inject('redisNodes');
  const url = inject('redisUrl') ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  return redisTarget({ REDIS_URL: url, ...(nodes ? { REDIS_CLUSTER_NODES: nodes } : {}) });
}

/** True in the `cluster` project. */
export function onCluster(): boolean {
  return Boolean(inject('redisNodes'));
}

/** The environment a child-process bot needs to reach the run's Redis (REDIS_URL or REDIS_CLUSTER_NODES). */
export function redisEnv(): NodeJS.ProcessEnv {
  const nodes = inject('redisNodes');
  return { REDIS_URL: inject('redisUrl'), ...(nodes ? { REDIS_CLUSTER_NODES: nodes } : {}) };
}

/** BullMQ connection options for the run's Redis (queues and workers a test builds itself). */
export function testConnection(): ReturnType<typeof bullConnection> {
  return bullConnection(testTarget());
}

/** A connection to the run's Redis (from test/support/global-redis.ts) and a private key space. */
export async function testRedis(): Promise<TestRedis> {
  const redis = openRedis(testTarget(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      // SCAN, not KEYS: the Redis may be a developer's shared one with many keys.
      for await (const keys of scanKeys(redis, `${prefix}*`)) await unlinkKeys(redis, keys);
      await redis.quit();
    },
  };
}
