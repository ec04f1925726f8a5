import { createHash } from 'node:crypto';
import type { RedisClient } from '../infra/redis-client.js';
import type { AlertStore } from '../core/ports.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * Alert groups on Redis, in the workspace's hash slot beside its incidents (redis-store.ts):
 *
 *   <prefix>inc:{ws}:alertgroup:<source>:<sha256 of groupKey>  string  incident number (TTL 30 d, renewed on each delivery)
 *   <prefix>inc:{ws}:alertseen:<n>                             hash    fingerprint -> last heard of (ms); TTL 30 d
 *   <prefix>inc:{ws}:alertlatest:<source>                      string  the source's latest incident; TTL 30 d
 *   <prefix>alertrate:<source>:<minute>                        string  alerts received that minute; TTL 2 min
 *
 * claimGroup also sets the source's latest incident, in the same script.
 * A group key can be long (Alertmanager's is every grouping label): it is hashed, so keys stay short.
 */

const KEEP_MS = 30 * 86_400_000;

const CLAIM_COMMAND = 'alertGroupClaim';
/**
 * KEYS: group, seq, the source's latest. ARGV: the number it may replace ('' for none), TTL ms.
 * A fresh number also becomes the source's latest incident (where a storm folds in).
 */
const CLAIM_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {tonumber(cur), 0}
end
local n = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], n, 'PX', ARGV[2])
redis.call('SET', KEYS[3], n, 'PX', ARGV[2])
return {n, 1}
`;

type ClaimCapable = RedisClient & { [CLAIM_COMMAND]: (...args: string[]) => Promise<[number, number]> };

export class RedisAlertStore implements AlertStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 3, lua: CLAIM_LUA });
  }

  async groupIncident(workspace: string, source: string, groupKey: string): Promise<number | null> {
    // Each delivery renews the group's 30 days: a group that keeps firing stays with its incident.
    const raw = await this.redis.getex(this.groupKey(workspace, source, groupKey), 'PX', KEEP_MS);
    return raw ? Number(raw) : null;
  }

  async claimGroup(workspace: string, source: string, groupKey: string, replace: number | null): Promise<{ number: number; fresh: boolean }> {
    const keys = [this.groupKey(workspace, source, groupKey), this.wsKey(workspace, 'seq'), this.wsKey(workspace, `alertlatest:${source}`)];
    const [[number, fresh]] = await Promise.all([
      (this.redis as ClaimCapable)[CLAIM_COMMAND](...keys, replace === null ? '' : String(replace), String(KEEP_MS)),
      // As nextNumber does: the workspace is known to the relay and the sweep before its first
      // incident (a set outside the workspace's slot, so not in the script; it is idempotent).
      this.redis.sadd(`${this.prefix}workspaces`, workspace),
    ]);
    return { number, fresh: fresh === 1 };
  }

  async bindGroup(workspace: string, source: string, groupKey: string, number: number): Promise<number> {
    const key = this.groupKey(workspace, source, groupKey);
    const set = await this.redis.set(key, String(number), 'PX', KEEP_MS, 'NX');
    return set === 'OK' ? number : Number(await this.redis.get(key));
  }

  async touch(workspace: string, number: number, fingerprints: readonly string[], atMs: number): Promise<void> {
    if (!fingerprints.length) return;
    const key = this.wsKey(workspace, `alertseen:${number}`);
    await this.redis
      .multi()
      .hset(key, Object.fromEntries(fingerprints.map((f) => [f, String(atMs)])))
      .pexpire(key, KEEP_MS)
      .exec();
  }

  async lastSeen(workspace: string, number: number): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.wsKey(workspace, `alertseen:${number}`));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async countAlerts(source: string, n: number, atMs: number): Promise<number> {
    const key = `${this.prefix}alertrate:${source}:${Math.floor(atMs / 60_000)}`;
    const [[, count]] = (await this.redis.multi().incrby(key, n).pexpire(key, 120_000).exec()) as [[Error | null, number], unknown];
    return count;
  }

  async latestIncident(workspace: string, source: string): Promise<number | null> {
    const raw = await this.redis.get(this.wsKey(workspace, `alertlatest:${source}`));
    return raw ? Number(raw) : null;
  }


  private groupKey(workspace: string, source: string, groupKey: string): string {
    return this.wsKey(workspace, `alertgroup:${source}:${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}`);
  }

  private wsKey(workspace: string, suffix: string): string {
    return `${this.prefix}inc:{${encodeWorkspace(workspace)}}:${suffix}`;
  }
}
