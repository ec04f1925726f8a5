import type { RedisClient } from '../infra/redis-client.js';
import { scanKeys } from '../infra/redis-connect.js';
import type { IncidentEvent } from '../core/events.js';
import type { Incident, IncidentKey } from '../core/model.js';
import { isTerminal } from '../core/model.js';
import type { AppendOptions, IncidentStore } from '../core/ports.js';

/**
 * The incident store on Redis.
 *
 * Key layout, per workspace (`{…}` is a Redis Cluster hash tag, so every key of a workspace
 * lives in one slot and the append script may touch them all):
 *
 *   <prefix>inc:{ws}:seq          string  last allocated incident number
 *   <prefix>inc:{ws}:<n>          hash    version, state (Incident JSON)
 *   <prefix>inc:{ws}:<n>:events   stream  one entry per event, field `e` = event JSON
 *   <prefix>inc:{ws}:channels     hash    channelId -> incident number
 *   <prefix>inc:{ws}:open         zset    open incidents, score = number
 *   <prefix>inc:{ws}:all          zset    every incident, score = number
 *   <prefix>inc:{ws}:once:<key>   string  idempotency keys taken by an append
 *   <prefix>inc:{ws}:outbox       hash    outbox entry id -> OutboxEntry JSON (see redis-outbox.ts)
 *   <prefix>inc:{ws}:outbox:due   zset    outbox entry id, score = when it may be claimed (ms)
 *   <prefix>inc:{ws}:pagemsg      hash    `<channel>:<message>` of a page DM -> `<number>/<pageId>`,
 *                                         while its incident is not closed or cancelled
 *   <prefix>inc:{ws}:<n>:pagemsg  set     the incident's fields in `pagemsg` (dropped with them at the end)
 *   <prefix>workspaces            set     every workspace with incidents (for the relay and the sweep)
 *   <prefix>once:<key>            string  idempotency claims (SET NX EX); a claim held by one run
 *                                         (claimAs) holds that run's value
 *
 * State and events are written by one Lua script, so a reader never sees a state without the
 * events that produced it, and the version compare-and-set cannot interleave with another writer.
 */
export class RedisIncidentStore implements IncidentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    // A brace in the prefix would become the hash tag and put every workspace in one slot, or
    // split a workspace across slots: either breaks the Cluster story.
    if (/[{}]/.test(prefix)) throw new Error('RedisIncidentStore: prefix must not contain { or }');
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (after a Redis restart or
    // failover), so the script body crosses the wire only when the server lacks it.
    redis.defineCommand(APPEND_COMMAND, { numberOfKeys: 10, lua: APPEND_LUA });
    redis.defineCommand(BY_CHANNEL_COMMAND, { numberOfKeys: 1, lua: BY_CHANNEL_LUA });
    redis.defineCommand(KEEP_AS_COMMAND, { numberOfKeys: 1, lua: KEEP_AS_LUA });
    redis.defineCommand(RELEASE_AS_COMMAND, { numberOfKeys: 1, lua: RELEASE_AS_LUA });
  }

  async nextNumber(workspace: string): Promise<number> {
    // Registered before its first incident exists, so a relay never misses a workspace's outbox:
    // the incident is written only once both replies are in. Sent together, one round trip.
    const [, number] = await Promise.all([this.redis.sadd(`${this.prefix}workspaces`, workspace), this.redis.incr(this.wsKey(workspace, 'seq'))]);
    return number;
  }

  async findPageByMessage(workspace: string, channelId: string, messageId: string): Promise<{ number: number; pageId: string } | null> {
    const raw = await this.redis.hget(this.wsKey(workspace, 'pagemsg'), `${channelId}:${messageId}`);
    const slash = raw ? raw.indexOf('/') : -1;
    if (!raw || slash < 0) return null;
    return { number: Number(raw.slice(0, slash)), pageId: raw.slice(slash + 1) };
  }

  async get(key: IncidentKey): Promise<Incident | null> {
    return parseState(await this.redis.hget(this.incKey(key), 'state'));
  }

  async findByChannel(workspace: string, channelId: string): Promise<Incident | null> {
    // One round trip (a channel command's first read): channel → number → state in one script.
    const raw = await (this.redis as ByChannelCapable)[BY_CHANNEL_COMMAND](this.wsKey(workspace, 'channels'), channelId, this.wsKey(workspace, ''));
    return parseState(raw);
  }

  async append(key: IncidentKey, expectedVersion: number, events: readonly IncidentEvent[], next: Incident, options: AppendOptions = {}): Promise<boolean | 'duplicate'> {
    const { once, outbox, pageLinks = [] } = options;
    const entries = outbox?.entries ?? [];
    // Guards against a caller handing a state that is not the projection of these events: the
    // version is the CAS token, so a wrong one would silently break the next writer's check.
    if (next.workspace !== key.workspace || next.number !== key.number) throw new Error('append: state does not belong to key');
    if (next.version !== expectedVersion + events.length) {
      throw new Error(`append: version ${next.version} is not ${expectedVersion} + ${events.length} events`);
    }
    const n = String(key.number);
    // The page DMs a finished incident's state names (links written before the per-incident set existed).
    const unlinks = isTerminal(next.status) ? (next.escalation?.pages ?? []).flatMap((p) => (p.dm ? [`${p.dm.channelId}:${p.dm.messageId}`] : [])) : [];
    const ok = await (this.redis as AppendCapable)[APPEND_COMMAND](
      this.incKey(key),
      this.incKey(key, 'events'),
      this.wsKey(key.workspace, 'channels'),
      this.wsKey(key.workspace, 'open'),
      this.wsKey(key.workspace, 'all'),
      // In the workspace's slot like the other keys, so one script may touch it under Cluster.
      once ? this.wsKey(key.workspace, `once:${once.key}`) : this.wsKey(key.workspace, 'once:-'),
      this.wsKey(key.workspace, 'outbox'),
      this.wsKey(key.workspace, 'outbox:due'),
      this.wsKey(key.workspace, 'pagemsg'),
      this.incKey(key, 'pagemsg'),
      once ? String(Math.max(1, Math.ceil(once.ttlSeconds))) : '0',
      String(expectedVersion),
      String(next.version),
      JSON.stringify(next),
      n,
      next.channelId ?? '',
      isTerminal(next.status) ? '0' : '1',
      String(Math.round(outbox?.leaseUntilMs ?? 0)),
      String(entries.length),
      String(pageLinks.length),
      String(unlinks.length),
      ...entries.flatMap((e) => [e.id, JSON.stringify(e)]),
      ...pageLinks.flatMap((l) => [`${l.channelId}:${l.messageId}`, `${n}/${l.pageId}`]),
      ...unlinks,
      ...events.map((e) => JSON.stringify(e)),
    );
    return ok === 2 ? 'duplicate' : ok === 1;
  }

  async events(key: IncidentKey): Promise<IncidentEvent[]> {
    const stream = this.incKey(key, 'events');
    const out: IncidentEvent[] = [];
    // Paged so a long-running incident with thousands of chat messages does not produce one
    // huge reply that blocks Redis and balloons memory on both sides.
    let start = '-';
    for (;;) {
      const page = await this.redis.xrange(stream, start, '+', 'COUNT', EVENTS_PAGE);
      for (const [, fields] of page) {
        const json = fieldValue(fields, 'e');
        if (json !== undefined) out.push(JSON.parse(json) as IncidentEvent);
      }
      const last = page[page.length - 1];
      if (!last || page.length < EVENTS_PAGE) return out;
      start = `(${last[0]}`; // exclusive start (Redis >= 6.2): the next page begins after it
    }
  }

  async list(workspace: string, options: { all?: boolean; limit?: number } = {}): Promise<Incident[]> {
    const limit = Math.floor(options.limit ?? 50);
    if (limit <= 0) return [];
    const set = this.wsKey(workspace, options.all ? 'all' : 'open');
    const numbers = await this.redis.zrevrange(set, 0, limit - 1);
    if (numbers.length === 0) return [];
    // One round trip for all states; the keys share the workspace's slot.
    const pipeline = this.redis.pipeline();
    for (const n of numbers) pipeline.hget(this.incKey({ workspace, number: Number(n) }), 'state');
    const replies = (await pipeline.exec()) ?? [];
    const out: Incident[] = [];
    for (const [err, raw] of replies) {
      if (err) throw err;
      const inc = parseState(raw as string | null);
      if (inc) out.push(inc);
    }
    return out;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    // EX rejects 0 and fractions; a claim shorter than a second would be useless anyway.
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    return (await this.redis.set(`${this.prefix}once:${key}`, '1', 'EX', ttl, 'NX')) === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}once:${key}`);
  }

  async keep(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.prefix}once:${key}`, '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async claimAs(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}once:${key}`, owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
  }

  async keepAs(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await (this.redis as OwnedCapable)[KEEP_AS_COMMAND](`${this.prefix}once:${key}`, owner, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }

  async releaseAs(key: string, owner: string): Promise<boolean> {
    return (await (this.redis as OwnedCapable)[RELEASE_AS_COMMAND](`${this.prefix}once:${key}`, owner)) === 1;
  }

  async workspaces(): Promise<string[]> {
    const known = await this.redis.smembers(`${this.prefix}workspaces`);
    if (this.scanned) return known;
    // Data written before the registry existed: found once by a scan, then registered.
    const out = new Set(known);
    const head = `${this.prefix}inc:{`;
    for await (const keys of scanKeys(this.redis, `${head}*}:seq`)) {
      for (const key of keys) out.add(decodeWorkspace(key.slice(head.length, -'}:seq'.length)));
    }
    const missing = [...out].filter((w) => !known.includes(w));
    if (missing.length) await this.redis.sadd(`${this.prefix}workspaces`, ...missing);
    this.scanned = true;
    return [...out];
  }

  private scanned = false;

  private wsKey(workspace: string, suffix: string): string {
    return `${this.prefix}inc:{${encodeWorkspace(workspace)}}:${suffix}`;
  }

  private incKey(key: IncidentKey, suffix?: string): string {
    return this.wsKey(key.workspace, suffix ? `${key.number}:${suffix}` : String(key.number));
  }
}

/**
 * Makes a workspace id safe inside the key layout. Braces would move the hash tag, `:` could make
 * two workspaces' keys look alike, whitespace and control characters make keys hard to operate
 * on with redis-cli. `%` is escaped too, so the mapping stays one-to-one (ids never collide).
 * The empty id becomes a lone `%`, which no escape produces, because an empty hash tag `{}` is
 * ignored by Cluster and would scatter the workspace's keys across slots.
 */
export function encodeWorkspace(workspace: string): string {
  const escaped = workspace.replace(/[%{}:\x7f]|[^\x21-\uffff]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped === '' ? '%' : escaped;
}

export function decodeWorkspace(encoded: string): string {
  if (encoded === '%') return '';
  return encoded.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const APPEND_COMMAND = 'incidentStoreAppend';
const EVENTS_PAGE = 500;

type AppendCapable = RedisClient & { [APPEND_COMMAND]: (...args: string[]) => Promise<number> };

const BY_CHANNEL_COMMAND = 'incidentStoreByChannel';

type ByChannelCapable = RedisClient & { [BY_CHANNEL_COMMAND]: (channels: string, channelId: string, stateKeyHead: string) => Promise<string | null> };

// KEYS: channel index. ARGV: channel id, the workspace's key head (`<prefix>inc:{ws}:`).
// The state hash's name is built here from the number found; it carries the same `{ws}` hash
// tag as KEYS[1], so under Cluster the script still touches one slot.
const BY_CHANNEL_LUA = `
local n = redis.call('HGET', KEYS[1], ARGV[1])
if not n then return false end
return redis.call('HGET', ARGV[2] .. n, 'state')
`;

// A claim held by one run (claimAs): compare-and-set on its one key. Kept when it is the run's
// own or has run out (nobody else took it); released only when it is the run's own.
const KEEP_AS_COMMAND = 'incidentStoreKeepAs';
const KEEP_AS_LUA = `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE_AS_COMMAND = 'incidentStoreReleaseAs';
const RELEASE_AS_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;
type OwnedCapable = RedisClient & Record<typeof KEEP_AS_COMMAND | typeof RELEASE_AS_COMMAND, (...args: string[]) => Promise<number>>;

// KEYS: state hash, event stream, channel index, open set, all set, idempotency key, outbox hash,
//       outbox due set, page DM index, the incident's set of its fields in the page DM index.
// ARGV: idempotency TTL in seconds ('0' = no key), expected version, new version, state JSON,
//       number, channel id ('' = none), '1' if open / '0' if finished, outbox lease end (ms),
//       number of outbox entries E, number of page links L, number of page DMs to forget U,
//       then E pairs (id, entry JSON), L pairs (`channel:message`, `number/pageId`), U fields
//       `channel:message`, then one event JSON each.
// A finished (closed, cancelled) incident leaves the open set and its page DMs leave the page DM
// index: they only serve acknowledgements, and the index would otherwise grow with every page.
// A missing hash reads as version 0, which is how a new incident's first append passes the check.
// Returns 1 written, 0 version conflict, 2 idempotency key already taken (nothing written).
const APPEND_LUA = `
if ARGV[1] ~= '0' and redis.call('EXISTS', KEYS[6]) == 1 then return 2 end
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[3], 'state', ARGV[4])
local entries = tonumber(ARGV[9])
local links = tonumber(ARGV[10])
local unlinks = tonumber(ARGV[11])
local i = 12
for _ = 1, entries do
  redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[8], ARGV[8], ARGV[i])
  i = i + 2
end
for _ = 1, links do
  redis.call('HSET', KEYS[9], ARGV[i], ARGV[i + 1])
  redis.call('SADD', KEYS[10], ARGV[i])
  i = i + 2
end
for _ = 1, unlinks do
  redis.call('HDEL', KEYS[9], ARGV[i])
  i = i + 1
end
for j = i, #ARGV do
  redis.call('XADD', KEYS[2], '*', 'e', ARGV[j])
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[3], ARGV[6], ARGV[5]) end
if ARGV[7] == '1' then
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[5])
else
  redis.call('ZREM', KEYS[4], ARGV[5])
  for _, field in ipairs(redis.call('SMEMBERS', KEYS[10])) do redis.call('HDEL', KEYS[9], field) end
  redis.call('DEL', KEYS[10])
end
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[5])
if ARGV[1] ~= '0' then redis.call('SET', KEYS[6], '1', 'EX', tonumber(ARGV[1])) end
return 1
`;

function parseState(raw: string | null | undefined): Incident | null {
  return raw ? (JSON.parse(raw) as Incident) : null;
}

/** Stream entries come back as a flat [field, value, field, value, ...] list. */
function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
