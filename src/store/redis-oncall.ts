import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../infra/redis-client.js';
import type { CoverOverride, OnCallStore } from '../core/ports.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * Paging memory on Redis:
 *
 *   <prefix>cover:{ws}                      zset    CoverOverride JSON by end time, per rotation member
 *   <prefix>done:<key>                      string  side effects already carried out
 *   <prefix>rate:<key>                      zset    one member per unit counted, scored by when (ms)
 */
export class RedisOnCallStore implements OnCallStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    redis.defineCommand(COUNT_RECENT_COMMAND, { numberOfKeys: 1, lua: COUNT_RECENT_LUA });
  }

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

  async countRecent(key: string, q: { by: number; limit: number; windowMs: number; now: Date }): Promise<{ added: boolean; count: number }> {
    const args = [q.now.getTime(), Math.max(1, Math.round(q.windowMs)), Math.max(0, Math.floor(q.by)), q.limit, randomUUID()].map(String);
    const [added, count] = await (this.redis as Scripted)[COUNT_RECENT_COMMAND](`${this.prefix}rate:${key}`, ...args);
    return { added: added === 1, count };
  }

  private coverKey(workspace: string): string {
    return `${this.prefix}cover:{${encodeWorkspace(workspace)}}`;
  }
}

const COUNT_RECENT_COMMAND = 'incidentCountRecent';

type Scripted = RedisClient & { [COUNT_RECENT_COMMAND]: (key: string, ...args: string[]) => Promise<[number, number]> };

/**
 * Check and add in one script, so two pages at the same moment cannot both pass a quota that
 * has room for one. Each unit is its own member (the nonce keeps members of the same
 * millisecond apart); entries older than the window drop first, and the key expires with its
 * newest entry's window.
 *
 * KEYS[1] the window; ARGV: now ms, window ms, by, limit, nonce.
 */
const COUNT_RECENT_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local by = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + by > tonumber(ARGV[4]) then return {0, count} end
for i = 1, by do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
if by > 0 then redis.call('PEXPIRE', KEYS[1], window) end
return {1, count + by}
`;
