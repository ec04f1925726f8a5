import type { Cluster, Redis } from 'ioredis';

/**
 * The one Redis client type the stores, the lease and the scripts take: a single node (or a
 * Sentinel-managed master, which ioredis presents as a plain `Redis`) or a Redis Cluster. Both
 * speak the same commands; what differs is that under Cluster every multi-key command, MULTI and
 * Lua script must touch one slot (the stores' keys share a `{workspace}` hash tag for that) and
 * SCAN runs per master (see `scanKeys` in redis-connect.ts).
 */
export type RedisClient = Redis | Cluster;
