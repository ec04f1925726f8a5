import type { RedisClient as Redis } from '../../src/infra/redis-client.js';
import { scanKeys } from '../../src/infra/redis-connect.js';

/**
 * Every key under a prefix with its content in a canonical form, to tell whether anything was
 * written. Not DUMP: a hash or set big enough for Redis's hashtable encoding serializes in an
 * order that rehashing changes on mere reads, so two DUMPs of an untouched key can differ.
 * Streams (the event logs, append-only) are summarized by length and first and last id.
 */
export interface RedisSnapshot {
  /** Key (without the prefix) → its type and content. */
  values: Record<string, string>;
  /** When each key with a TTL expires (ms since the epoch): a key gone after that was not deleted by anyone. */
  expires: Record<string, number>;
}

const READ: Record<string, (p: ReturnType<Redis['pipeline']>, key: string) => unknown> = {
  string: (p, k) => p.get(k),
  hash: (p, k) => p.hgetall(k),
  set: (p, k) => p.smembers(k),
  zset: (p, k) => p.zrange(k, 0, -1, 'WITHSCORES'),
  list: (p, k) => p.lrange(k, 0, -1),
  stream: (p, k) => p.xinfo('STREAM', k),
};

function canonical(type: string, value: unknown): string {
  if (type === 'hash') return JSON.stringify(Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (type === 'set') return JSON.stringify([...(value as string[])].sort());
  if (type === 'stream') {
    const info = value as unknown[];
    const field = (name: string) => info[info.indexOf(name) + 1];
    return JSON.stringify([field('length'), field('last-generated-id'), (field('first-entry') as unknown[] | null)?.[0]]);
  }
  return JSON.stringify(value);
}

export async function redisSnapshot(redis: Redis, prefix: string, skip: (key: string) => boolean): Promise<RedisSnapshot> {
  const keys: string[] = [];
  for await (const batch of scanKeys(redis, `${prefix}*`, 1000)) {
    keys.push(...batch.filter((k) => !skip(k)));
  }
  const types = ((await keys.reduce((p, k) => p.type(k), redis.pipeline()).exec()) ?? []).map(([, t]) => String(t));
  const reads = redis.pipeline();
  keys.forEach((k, i) => (READ[types[i] ?? ''] ?? ((p) => p.exists(k)))(reads, k));
  keys.forEach((k) => reads.pttl(k));
  const now = Date.now();
  const replies = (await reads.exec()) ?? [];
  const values: Record<string, string> = {};
  const expires: Record<string, number> = {};
  keys.forEach((k, i) => {
    const key = k.slice(prefix.length);
    const ttl = Number(replies[keys.length + i]?.[1]);
    // Expired while being read (claims live 25-60 s): it is gone, whatever SCAN saw.
    if (types[i] === 'none' || ttl === -2) return;
    values[key] = `${types[i]} ${canonical(types[i] ?? '', replies[i]?.[1])}`;
    if (ttl > 0) expires[key] = now + ttl;
  });
  return { values, expires };
}

/** Keys added, removed or rewritten between two snapshots, named; keys that merely expired are not changes. */
export function snapshotChanges(before: RedisSnapshot, after: RedisSnapshot, at = Date.now()): string[] {
  const [b, a] = [before.values, after.values];
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  // A second of slack for the clocks of Redis and this process.
  const expired = (k: string) => (before.expires[k] ?? Infinity) <= at + 1000;
  return keys
    .filter((k) => b[k] !== a[k] && !(!(k in a) && expired(k)))
    .map((k) => (k in b ? (k in a ? `rewrote ${k}: ${b[k]?.slice(0, 200)} → ${a[k]?.slice(0, 200)}` : `removed ${k}${k in before.expires ? ` (its TTL had ${(before.expires[k]! - at) | 0} ms left)` : ''}`) : `added ${k}: ${a[k]?.slice(0, 200)}`));
}
