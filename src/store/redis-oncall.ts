import type { Redis } from 'ioredis';
import type { CoverOverride, OnCallStore } from '../core/ports.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * Paging memory on Redis:
 *
 *   <prefix>cover:{ws}                      zset    CoverOverride JSON by end time, per rotation member
 *   <prefix>done:<key>                      string  side effects already carried out
 */
export class RedisOnCallStore implements OnCallStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async addOverride(workspace: string, rotationId: string, override: CoverOverride, now: Date): Promise<void> {
    const key = this.coverKey(workspace);
    await this.redis
      .multi()
      .zadd(key, Date.parse(override.to), JSON.stringify({ rotationId, ...override }))
      .zremrangebyscore(key, '-inf', now.getTime())
      .exec();
  }

  async overrides(workspace: string, now: Date): Promise<Record<string, CoverOverride[]>> {
    const raw = await this.redis.zrangebyscore(this.coverKey(workspace), now.getTime(), '+inf');
    const out: Record<string, CoverOverride[]> = {};
    for (const item of raw) {
      const { rotationId, ...override } = JSON.parse(item) as CoverOverride & { rotationId: string };
      (out[rotationId] ??= []).push(override);
    }
    return out;
  }

  async done(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}done:${key}`)) === 1;
  }

  async markDone(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}done:${key}`, '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  private coverKey(workspace: string): string {
    return `${this.prefix}cover:{${encodeWorkspace(workspace)}}`;
  }
}
