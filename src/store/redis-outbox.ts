import type { RedisClient } from '../infra/redis-client.js';
import type { OutboxEntry, OutboxStore } from '../core/ports.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * The claim side of the transactional outbox (the write side is the append script in
 * redis-store.ts, which writes entries together with the events that imply them).
 *
 *   <prefix>inc:{ws}:outbox       hash   entry id -> OutboxEntry JSON
 *   <prefix>inc:{ws}:outbox:due   zset   entry id, score = when it may be claimed (ms, wall clock)
 *
 * An entry's score is its lease: the writer gets the entry leased to itself at write time and
 * runs it at once; a claim moves the score to the claimer's lease end; a retry moves it to the
 * retry time; completion removes it. An entry whose claimer died becomes due when the lease ends.
 * Both keys share the workspace's hash tag, so every script here touches one Cluster slot.
 */
export class RedisOutbox implements OutboxStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 2, lua: CLAIM_LUA });
    redis.defineCommand(EXTEND_COMMAND, { numberOfKeys: 1, lua: EXTEND_LUA });
    redis.defineCommand(COMPLETE_COMMAND, { numberOfKeys: 2, lua: COMPLETE_LUA });
  }

  async claim(workspace: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboxEntry[]> {
    const raw = await (this.redis as Scripted)[CLAIM_COMMAND](this.key(workspace), this.dueKey(workspace), String(nowMs), String(leaseUntilMs), String(limit));
    const out: OutboxEntry[] = [];
    for (const json of raw) if (json) out.push(JSON.parse(json) as OutboxEntry);
    return out;
  }

  async extend(workspace: string, ids: readonly string[], leaseUntilMs: number): Promise<void> {
    if (ids.length === 0) return;
    await (this.redis as Scripted)[EXTEND_COMMAND](this.dueKey(workspace), String(leaseUntilMs), ...ids);
  }

  async complete(workspace: string, ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : [...ids];
    if (list.length === 0) return;
    // One script, not MULTI … EXEC: a single command, which auto-pipelining sends in the same
    // write as what was issued in the same tick (a post's sent mark, see relay.ts).
    await (this.redis as Scripted)[COMPLETE_COMMAND](this.dueKey(workspace), this.key(workspace), ...list);
  }

  async retry(entry: OutboxEntry, atMs: number): Promise<void> {
    // XX: an entry completed meanwhile (by a claimer whose lease we outlived) stays completed.
    await this.redis
      .multi()
      .zadd(this.dueKey(entry.workspace), 'XX', Math.round(atMs), entry.id)
      .hset(this.key(entry.workspace), entry.id, JSON.stringify(entry))
      .exec();
    // The hash write above could re-create an entry whose due member is gone: drop it again.
    if ((await this.redis.zscore(this.dueKey(entry.workspace), entry.id)) === null) await this.redis.hdel(this.key(entry.workspace), entry.id);
  }

  async pending(workspace: string, dueBeforeMs?: number): Promise<number> {
    if (dueBeforeMs === undefined) return this.redis.zcard(this.dueKey(workspace));
    return this.redis.zcount(this.dueKey(workspace), '-inf', Math.round(dueBeforeMs));
  }

  private key(workspace: string): string {
    return `${this.prefix}inc:{${encodeWorkspace(workspace)}}:outbox`;
  }

  private dueKey(workspace: string): string {
    return `${this.key(workspace)}:due`;
  }
}

const CLAIM_COMMAND = 'outboxClaim';
const EXTEND_COMMAND = 'outboxExtend';
const COMPLETE_COMMAND = 'outboxComplete';

type Scripted = RedisClient & {
  [CLAIM_COMMAND]: (...args: string[]) => Promise<(string | null)[]>;
  [EXTEND_COMMAND]: (...args: string[]) => Promise<number>;
  [COMPLETE_COMMAND]: (...args: string[]) => Promise<number>;
};

// KEYS: due zset, entries hash. ARGV: ids. Removes them from both, atomically (a batch of ids
// at a time: unpack has a stack limit).
const COMPLETE_LUA = `
for i = 1, #ARGV, 1000 do
  local j = math.min(i + 999, #ARGV)
  redis.call('ZREM', KEYS[1], unpack(ARGV, i, j))
  redis.call('HDEL', KEYS[2], unpack(ARGV, i, j))
end
return 1
`;

// KEYS: entries hash, due zset. ARGV: now (ms), lease end (ms), limit.
// Takes the due entries oldest-written first (ids sort in write order) and leases them.
const CLAIM_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
if #ids == 0 then return {} end
table.sort(ids)
local out = {}
for i, id in ipairs(ids) do
  redis.call('ZADD', KEYS[2], ARGV[2], id)
  out[i] = redis.call('HGET', KEYS[1], id) or false
  if not out[i] then redis.call('ZREM', KEYS[2], id) end
end
return out
`;

// KEYS: due zset. ARGV: lease end (ms), then ids. Only entries still in the outbox are extended.
const EXTEND_LUA = `
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
end
return 1
`;
