import type { Redis } from 'ioredis';

export interface ServerInfo {
  version: string;
  aof: boolean;
  fsync: string;
  hz: string;
}

/** Redis version, persistence and timer frequency, '?' where the server does not say. */
export async function serverInfo(redis: Redis): Promise<ServerInfo> {
  const info = await redis.info('server');
  const persistence = await redis.info('persistence');
  const fsync = await configValue(redis, 'appendfsync');
  const hz = await configValue(redis, 'hz');
  return { version: field(info, 'redis_version') ?? '?', aof: field(persistence, 'aof_enabled') === '1', fsync, hz };
}

async function configValue(redis: Redis, name: string): Promise<string> {
  const reply = await redis.config('GET', name).catch(() => [] as unknown[]);
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '?';
}

/** One `name:value` line of an INFO reply. */
export function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** redis-server's own CPU seconds (user + sys); NaN when INFO does not show them. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(field(info, 'used_cpu_user') ?? NaN) + Number(field(info, 'used_cpu_sys') ?? NaN);
}

/** SCAN + UNLINK of every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.unlink(...keys);
  }
}
