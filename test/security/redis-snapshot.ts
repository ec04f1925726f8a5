import type { Redis } from 'ioredis';

/**
 * Every key under a prefix with its content in a canonical form, to tell whether anything was
 * written. Not DUMP: a hash or set big enough for Redis's hashtable encoding serializes in an
 * order that rehashing changes on mere reads, so two DUMPs of an untouched key can differ.
 * Streams (the event logs, append-only) are summarized by length and first and last id.
 */
export type RedisSnapshot = Record<string, string>;

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
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    keys.push(...batch.filter((k) => !skip(k)));
  }
  const types = ((await keys.reduce((p, k) => p.type(k), redis.pipeline()).exec()) ?? []).map(([, t]) => String(t));
  const reads = redis.pipeline();
  keys.forEach((k, i) => (READ[types[i] ?? ''] ?? ((p) => p.exists(k)))(reads, k));
  const values = (await reads.exec()) ?? [];
  return Object.fromEntries(keys.map((k, i) => [k.slice(prefix.length), `${types[i]} ${canonical(types[i] ?? '', values[i]?.[1])}`]));
}

/** Keys added, removed or rewritten between two snapshots, named. */
export function snapshotChanges(before: RedisSnapshot, after: RedisSnapshot): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => (k in before ? (k in after ? `rewrote ${k}: ${before[k]?.slice(0, 200)} → ${after[k]?.slice(0, 200)}` : `removed ${k}`) : `added ${k}: ${after[k]?.slice(0, 200)}`));
}
