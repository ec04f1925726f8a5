import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureRedis } from '../../src/infra/redis-server.js';
import type { Print } from './env.js';
import { deleteKeys } from './redis.js';

/** What a bench runs against: a Redis, its own key prefix in it, a directory for postmortems. */
export interface Fixture {
  /** The Redis actually used (a throwaway one when nothing answered at the URL asked for). */
  url: string;
  spawned: boolean;
  redis: Redis;
  /** `<tag>:<time>:<pid>:`, deleted by close(). */
  prefix: string;
  pmDir: string;
  /** Deletes the keys under the prefix, closes the client, stops a throwaway Redis, removes pmDir. */
  close(): Promise<void>;
}

/**
 * A client with src/main.ts's options (auto-pipelining: commands issued in the same tick share
 * one write); Redis errors go to `print` when given.
 */
export function newClient(url: string, print?: Print): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false, enableAutoPipelining: true });
  if (print) redis.on('error', (err: Error) => print(`redis error: ${err.message}`));
  return redis;
}

/** With `print`, a failed key cleanup is printed rather than thrown. */
export async function openFixture(redisUrl: string, tag: string, print?: Print): Promise<Fixture> {
  const ensured = await ensureRedis(redisUrl, { dataDir: join(tmpdir(), 'incident-bench'), ephemeral: true });
  const redis = newClient(ensured.url, print);
  const prefix = `${tag}:${Date.now()}:${process.pid}:`;
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-pm-'));
  return {
    url: ensured.url,
    spawned: ensured.spawned,
    redis,
    prefix,
    pmDir,
    async close() {
      const cleanup = deleteKeys(redis, prefix);
      await (print ? cleanup.catch((err: Error) => print(`cleanup of ${prefix}* failed: ${err.message}`)) : cleanup);
      await redis.quit().catch(() => undefined);
      await ensured.stop();
      await rm(pmDir, { recursive: true, force: true });
    },
  };
}
