import type { RedisClient } from '../infra/redis-client.js';
import type { StatsIndex, StatsRecord } from '../core/stats-types.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * The stats index on Redis: one compact record per closed or cancelled incident, so
 * `/incident stats` reads a few kilobytes per hundred incidents instead of every timeline.
 *
 *   <prefix>stats:{ws}:rec    hash    incident number -> StatsRecord JSON
 *   <prefix>stats:{ws}:by     zset    incident number, score = declaredAt (epoch ms)
 *   <prefix>stats:{ws}:built  string  the index was built from the store's finished incidents (once)
 *
 * Both keys share the workspace's hash tag, so the scripts below touch one Cluster slot.
 */
export class RedisStatsIndex implements StatsIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    redis.defineCommand(RANGE_COMMAND, { numberOfKeys: 2, lua: RANGE_LUA });
    redis.defineCommand(ADD_COMMAND, { numberOfKeys: 2, lua: ADD_LUA });
  }

  async putIfAbsent(workspace: string, record: StatsRecord): Promise<boolean> {
    const n = String(record.number);
    const added = await (this.redis as AddCapable)[ADD_COMMAND](this.key(workspace, 'rec'), this.key(workspace, 'by'), n, JSON.stringify(record), String(Date.parse(record.declaredAt)));
    return added === 1;
  }

  async built(workspace: string): Promise<boolean> {
    return (await this.redis.exists(this.key(workspace, 'built'))) === 1;
  }

  async markBuilt(workspace: string): Promise<void> {
    await this.redis.set(this.key(workspace, 'built'), '1');
  }

  async put(workspace: string, record: StatsRecord): Promise<void> {
    const n = String(record.number);
    await this.redis
      .multi()
      .hset(this.key(workspace, 'rec'), n, JSON.stringify(record))
      .zadd(this.key(workspace, 'by'), Date.parse(record.declaredAt), n)
      .exec();
  }

  async remove(workspace: string, number: number): Promise<void> {
    const n = String(number);
    await this.redis.multi().hdel(this.key(workspace, 'rec'), n).zrem(this.key(workspace, 'by'), n).exec();
  }

  async since(workspace: string, sinceMs: number, untilMs?: number): Promise<StatsRecord[]> {
    const max = untilMs === undefined ? '+inf' : `(${untilMs}`;
    // One round trip: the range and the records it names, read in the script.
    const raw = await (this.redis as RangeCapable)[RANGE_COMMAND](this.key(workspace, 'by'), this.key(workspace, 'rec'), String(sinceMs), max);
    const out: StatsRecord[] = [];
    for (const item of raw) if (item) out.push(JSON.parse(item) as StatsRecord);
    return out;
  }

  private key(workspace: string, part: 'rec' | 'by' | 'built'): string {
    return `${this.prefix}stats:{${encodeWorkspace(workspace)}}:${part}`;
  }
}

const RANGE_COMMAND = 'incidentStatsRange';
const ADD_COMMAND = 'incidentStatsAddNew';

type AddCapable = RedisClient & { [ADD_COMMAND]: (rec: string, by: string, n: string, json: string, score: string) => Promise<number> };

/** KEYS[1] the hash of records, KEYS[2] the zset; ARGV number, record, score. Writes only a number not there yet. */
const ADD_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

type RangeCapable = RedisClient & { [RANGE_COMMAND]: (by: string, rec: string, min: string, max: string) => Promise<(string | null)[]> };

/**
 * KEYS[1] the zset by declaredAt, KEYS[2] the hash of records; ARGV min and max scores.
 * HMGET in chunks: unpack() has a stack limit of a few thousand values.
 */
const RANGE_LUA = `
local numbers = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2])
local out = {}
for i = 1, #numbers, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #numbers) do chunk[#chunk + 1] = numbers[j] end
  local got = redis.call('HMGET', KEYS[2], unpack(chunk))
  for k = 1, #got do out[#out + 1] = got[k] end
end
return out
`;
