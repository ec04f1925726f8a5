import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureRedis, maskUrl } from '../../src/infra/redis-server.js';
import { startRedisCluster } from './redis-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis every integration test talks to (see test/support/redis.ts). */
    redisUrl: string;
    /** Set in the `cluster` project: the three masters of the run's Redis Cluster (REDIS_CLUSTER_NODES). */
    redisNodes: string | undefined;
  }
}

/**
 * vitest globalSetup: finds or starts one Redis for the whole run, so integration tests need no
 * manual setup. A Redis at REDIS_URL (default the local one) is used as is; without one, a
 * throwaway redis-server is spawned on a free port and stopped in teardown. Tests isolate
 * themselves by key prefix, never by FLUSHDB, so using a shared development Redis is safe.
 *
 * The `cluster` project (vitest.config.ts) runs the Redis-touching suites again on a real
 * three-master Redis Cluster started here from redis-server (test/support/redis-cluster.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = await ensureRedis(wanted, { dataDir: join(tmpdir(), 'incident-test-redis'), ephemeral: true });
  if (redis.spawned) console.log(`[global-redis] no Redis at ${maskUrl(wanted)}; started one at ${redis.url}`);
  project.provide('redisUrl', redis.url);
  // For code that runs outside a test's context (scripts, child processes) and cannot inject().
  process.env.TEST_REDIS_URL = redis.url;
  if (project.name !== 'cluster') {
    project.provide('redisNodes', undefined);
    return () => redis.stop();
  }
  const cluster = await startRedisCluster({ masters: 3 });
  project.provide('redisNodes', cluster.nodes);
  return async () => {
    await cluster.stop();
    await redis.stop();
  };
}
