import type { RedisClient } from '../infra/redis-client.js';
import type { PostmortemIndex } from '../core/postmortem-index.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * The postmortem index on Redis (src/core/postmortem-index.ts):
 *
 *   <prefix>pm:{ws}:awaiting   zset   incident number, score = its next review reminder's due time (epoch ms)
 *   <prefix>pm:{ws}:posted     hash   incident number -> digest of the draft last posted in its channel
 *
 * The set holds only incidents resolved in the last two days or so and not reviewed: an entry
 * leaves it with the review, the last reminder, a reopen, or when the sweep finds nothing due
 * for it any more. A digest is 64 hex characters per incident that ever had a draft posted.
 */
export class RedisPostmortemIndex implements PostmortemIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async awaiting(workspace: string, number: number, dueMs: number): Promise<void> {
    await this.redis.zadd(this.key(workspace, 'awaiting'), dueMs, String(number));
  }

  async notAwaiting(workspace: string, number: number): Promise<void> {
    await this.redis.zrem(this.key(workspace, 'awaiting'), String(number));
  }

  async awaitingReview(workspace: string, limit: number): Promise<{ number: number; dueMs: number }[]> {
    const flat = await this.redis.zrange(this.key(workspace, 'awaiting'), 0, Math.max(0, limit - 1), 'WITHSCORES');
    const out: { number: number; dueMs: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ number: Number(flat[i]), dueMs: Number(flat[i + 1]) });
    return out;
  }

  async postedDraft(workspace: string, number: number): Promise<string | undefined> {
    return (await this.redis.hget(this.key(workspace, 'posted'), String(number))) ?? undefined;
  }

  async draftPosted(workspace: string, number: number, digest: string): Promise<void> {
    await this.redis.hset(this.key(workspace, 'posted'), String(number), digest);
  }

  private key(workspace: string, part: 'awaiting' | 'posted'): string {
    return `${this.prefix}pm:{${encodeWorkspace(workspace)}}:${part}`;
  }
}
