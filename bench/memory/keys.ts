import type { Redis } from 'ioredis';
import { field } from '../lib/redis.js';

/**
 * What the Redis memory bench reads: INFO memory's `used_memory`, and MEMORY USAGE of every key
 * under the bench's prefix grouped by what the key is (its pattern: `inc:{ws}:<n>:events`, a
 * BullMQ job of one kind, ...), for the breakdown next to the used_memory deltas.
 */

/** `used_memory` in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(field(await redis.info('memory'), 'used_memory'));
}

export interface KeyClass {
  pattern: string;
  type: string;
  keys: number;
  bytes: number;
}

/** BullMQ's own keys of a queue (anything else under `<prefix>:<queue>:` is a job). */
const QUEUE_KEYS = new Set(['meta', 'id', 'events', 'completed', 'failed', 'delayed', 'wait', 'active', 'paused', 'prioritized', 'pc', 'marker', 'stalled', 'stalled-check', 'limiter', 'repeat', 'metrics', 'de']);

/** The kind of a job id (job-ids.ts): `esc-…-s<step>` → `esc s`, `rem-…-u<s>` → `rem u`, `out-fx-…` → `out-fx`. */
function jobKind(id: string): string {
  const [head = '', second = ''] = id.split('-');
  const last = (id.split('-').at(-1) ?? '').replace(/\d+/g, '');
  if (head === 'out') return `out-${second}`;
  if (head === 'esc' || head === 'rem') return `${head} ${last}`;
  return head;
}

/** The pattern of a key, without the prefix: ids, numbers and workspaces replaced by placeholders. */
export function patternOf(key: string, prefix: string): string {
  const k = key.slice(prefix.length);
  const bull = /^\{q\}:([^:]+):(.+)$/.exec(k);
  if (bull) {
    const [, queue = '', rest = ''] = bull;
    if (QUEUE_KEYS.has(rest)) return `{q}:${queue}:${rest}`;
    const [id = '', ...more] = rest.split(':');
    return `{q}:${queue}:<job ${jobKind(id)}>${more.length ? `:${more.join(':')}` : ''}`;
  }
  return k
    .replace(/\{[^}]*\}/, '{ws}')
    .replace(/^(.*?\b(?:once|done):[a-z]+(?:-[a-z]+)*):.*$/, '$1:…')
    .replace(/:\d+(?=:|$)/g, ':<n>');
}

/** Every key under `prefix`, grouped by pattern, with MEMORY USAGE (all nested values sampled). */
export async function keyBreakdown(redis: Redis, prefix: string): Promise<KeyClass[]> {
  const classes = new Map<string, KeyClass>();
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.type(key).memory('USAGE', key, 'SAMPLES', 0);
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const type = String(replies[2 * i]?.[1] ?? '?');
      const bytes = Number(replies[2 * i + 1]?.[1] ?? 0);
      const pattern = patternOf(key, prefix);
      const c = classes.get(pattern) ?? { pattern, type, keys: 0, bytes: 0 };
      c.keys++;
      c.bytes += bytes;
      classes.set(pattern, c);
    });
  }
  return [...classes.values()].sort((a, b) => b.bytes - a.bytes);
}
