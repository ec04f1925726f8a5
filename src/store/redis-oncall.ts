import type { Redis } from 'ioredis';
import type { CoverOverride, MessageRef, OnCallStore, PageDelivery } from '../core/ports.js';
import { encodeWorkspace } from './redis-store.js';

const PAGE_TTL_S = 30 * 24 * 3600;

/**
 * Paging memory on Redis:
 *
 *   <prefix>page:{ws}:<channel>:<message>   string  PageDelivery JSON of a delivered page DM (30 days)
 *   <prefix>cover:{ws}                      zset    CoverOverride JSON by end time, per rotation member
 *   <prefix>done:<key>                      string  side effects already carried out
 */
export class RedisOnCallStore implements OnCallStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async rememberPage(workspace: string, ref: MessageRef, page: PageDelivery): Promise<void> {
    await this.redis.set(this.pageKey(workspace, ref.channelId, ref.messageId), JSON.stringify(page), 'EX', PAGE_TTL_S);
  }

  async findPage(workspace: string, channelId: string, messageId: string): Promise<PageDelivery | null> {
    const raw = await this.redis.get(this.pageKey(workspace, channelId, messageId));
    return raw ? (JSON.parse(raw) as PageDelivery) : null;
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

  private pageKey(workspace: string, channelId: string, messageId: string): string {
    return `${this.prefix}page:{${encodeWorkspace(workspace)}}:${channelId}:${messageId}`;
  }

  private coverKey(workspace: string): string {
    return `${this.prefix}cover:{${encodeWorkspace(workspace)}}`;
  }
}
