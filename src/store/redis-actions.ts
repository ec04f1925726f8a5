import type { RedisClient } from '../infra/redis-client.js';
import type { FollowupEntry, FollowupIndex } from '../core/followups.js';
import type { IncidentKey } from '../core/model.js';
import { encodeWorkspace } from './redis-store.js';

/**
 * The cross-incident index of open action items (issue 12), so `/incident actions`, the
 * reminders and the weekly digest read one hash instead of every incident. Per workspace:
 *
 *   <prefix>actions:{ws}           hash    incident number -> its open items (FollowupEntry[] JSON)
 *   <prefix>actions:{ws}:version   hash    incident number -> version of the incident last written
 *   <prefix>actions:{ws}:built     string  the index was built from the incidents (data older than it)
 *   <prefix>actions:workspaces     set     workspaces that have had open items (the sweep reads it)
 *
 * Written from the incident as it stands after each change to its items (the outbox effect
 * `sync_followups`), and compare-and-set on the incident's version: a late or repeated write of
 * an older state changes nothing. An incident whose items are all done leaves the hash.
 */
export class RedisActionIndex implements FollowupIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    if (/[{}]/.test(prefix)) throw new Error('RedisActionIndex: prefix must not contain { or }');
    redis.defineCommand(PUT_COMMAND, { numberOfKeys: 2, lua: PUT_LUA });
  }

  async put(key: IncidentKey, version: number, entries: readonly FollowupEntry[]): Promise<boolean> {
    const json = entries.length ? JSON.stringify(entries) : '';
    // Outside the script: the set is in another slot than the workspace's keys (cluster-safe); a stray member only costs the sweep one empty read.
    if (entries.length) await this.redis.sadd(this.workspacesKey(), key.workspace);
    const written = await (this.redis as PutCapable)[PUT_COMMAND](this.key(key.workspace), this.key(key.workspace, 'version'), String(key.number), String(version), json);
    return written === 1;
  }

  async list(workspace: string): Promise<FollowupEntry[]> {
    const all = await this.redis.hvals(this.key(workspace));
    return all.flatMap((json) => JSON.parse(json) as FollowupEntry[]);
  }

  async workspaces(): Promise<string[]> {
    return this.redis.smembers(this.workspacesKey());
  }

  async built(workspace: string): Promise<boolean> {
    return (await this.redis.exists(this.key(workspace, 'built'))) === 1;
  }

  async markBuilt(workspace: string): Promise<void> {
    await this.redis.set(this.key(workspace, 'built'), '1');
  }

  private workspacesKey(): string {
    return `${this.prefix}actions:workspaces`;
  }

  private key(workspace: string, suffix?: string): string {
    const base = `${this.prefix}actions:{${encodeWorkspace(workspace)}}`;
    return suffix ? `${base}:${suffix}` : base;
  }
}

const PUT_COMMAND = 'actionIndexPut';

type PutCapable = RedisClient & { [PUT_COMMAND]: (...args: string[]) => Promise<number> };

// KEYS: entries hash, versions hash. ARGV: incident number, version, entries JSON ('' = none).
// Returns 1 written, 0 when the index already holds this version or a newer one.
const PUT_LUA = `
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if seen >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
`;
