import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config.js';
import { CLUSTER_NODES, describeTarget, redisOptions, redisTarget, type RedisEnv } from '../../src/infra/redis-connect.js';

/**
 * Where the bot's Redis is, read from the environment (src/infra/redis-connect.ts): each of the
 * three shapes, the variables that override a URL, and the messages an operator gets for a
 * setting that cannot work. No Redis here; test/integration/redis-topologies.test.ts connects.
 */

const URL_ = 'redis://127.0.0.1:6379';
const target = (env: Partial<RedisEnv>) => redisTarget({ REDIS_URL: URL_, ...env });
const refusal = (env: Partial<RedisEnv>): string => {
  try {
    target(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

describe('redisTarget: a single node', () => {
  it('is REDIS_URL as given, with no credentials or TLS unless it says so', () => {
    expect(target({})).toEqual({ kind: 'single', url: URL_, auth: {} });
    expect(target({ REDIS_URL: 'rediss://cache.example.com:6380' }).auth).toEqual({ tls: {} });
  });

  it('takes an ACL user and a percent-encoded password from the URL', () => {
    expect(target({ REDIS_URL: 'redis://bot:p%40ss%3Aword@10.0.0.5:6379/2' }).auth).toEqual({ username: 'bot', password: 'p@ss:word' });
  });

  it('lets REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS win over what the URL says', () => {
    const t = target({ REDIS_URL: 'rediss://old:stale@h:6380', REDIS_USERNAME: 'bot', REDIS_PASSWORD: 'fresh', REDIS_TLS: 'false' });
    expect(t.auth).toEqual({ username: 'bot', password: 'fresh' });
    expect(target({ REDIS_TLS: 'true' }).auth).toEqual({ tls: {} });
    expect(target({ REDIS_URL: 'redis://bot@h:6379', REDIS_PASSWORD: 'fresh' }).auth).toEqual({ username: 'bot', password: 'fresh' });
  });

  it('hands ioredis a URL without credentials or TLS of its own, so the variables are what it uses', () => {
    const opts = redisOptions(target({ REDIS_URL: 'rediss://old:stale@h:6380/1', REDIS_USERNAME: 'bot', REDIS_PASSWORD: 'fresh', REDIS_TLS: 'false' }));
    expect(opts).toEqual({ url: 'redis://h:6380/1', username: 'bot', password: 'fresh' });
    expect(redisOptions(target({ REDIS_URL: 'rediss://h:6380' }))).toEqual({ url: 'rediss://h:6380', tls: {} });
  });
});

describe('redisTarget: a Redis Cluster', () => {
  it('reads host:port items, spaces and IPv6 brackets allowed, as the startup nodes', () => {
    const t = target({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ,[::1]:7002' });
    expect(t).toEqual({ kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: 'redis-b', port: 7001 }, { host: '::1', port: 7002 }], auth: {} });
    expect(redisOptions(t)[CLUSTER_NODES]).toEqual(t.kind === 'cluster' ? t.nodes : undefined);
  });

  it('accepts URL items, taking credentials and TLS from them unless the variables say otherwise', () => {
    const t = target({ REDIS_CLUSTER_NODES: 'rediss://bot:pw@node-1.cache.example.com:6379,node-2.cache.example.com:6379' });
    expect(t).toMatchObject({ kind: 'cluster', nodes: [{ host: 'node-1.cache.example.com', port: 6379 }, { host: 'node-2.cache.example.com', port: 6379 }] });
    expect(t.auth).toEqual({ username: 'bot', password: 'pw', tls: {} });
    expect(target({ REDIS_CLUSTER_NODES: 'redis://h:7000', REDIS_PASSWORD: 'x', REDIS_TLS: 'on' }).auth).toEqual({ password: 'x', tls: {} });
  });

  it('ignores REDIS_URL (the cluster is the target)', () => {
    expect(target({ REDIS_URL: 'redis://elsewhere:1', REDIS_CLUSTER_NODES: 'h:7000' }).kind).toBe('cluster');
  });
});

describe('redisTarget: Sentinel', () => {
  it('reads the sentinels and the master name (mymaster when unset), and a password for the sentinels themselves', () => {
    expect(target({ REDIS_SENTINELS: 's1:26379,s2:26379' })).toEqual({ kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'mymaster', auth: {} });
    const t = target({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'cache', REDIS_SENTINEL_PASSWORD: 'sp', REDIS_USERNAME: 'bot', REDIS_PASSWORD: 'pw', REDIS_TLS: 'yes' });
    expect(t).toMatchObject({ kind: 'sentinel', name: 'cache', sentinelPassword: 'sp', auth: { username: 'bot', password: 'pw', tls: {} } });
    expect(redisOptions(t)).toEqual({ sentinels: [{ host: 's1', port: 26379 }], name: 'cache', sentinelPassword: 'sp', enableTLSForSentinelMode: true, username: 'bot', password: 'pw', tls: {} });
  });
});

describe('redisTarget: settings that cannot work', () => {
  it('names the variable and the bad item', () => {
    expect(refusal({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' })).toBe('REDIS_CLUSTER_NODES: "10.0.0.2" is not host:port');
    expect(refusal({ REDIS_CLUSTER_NODES: 'h:0' })).toBe('REDIS_CLUSTER_NODES: "h:0" is not host:port');
    expect(refusal({ REDIS_CLUSTER_NODES: 'h:65536' })).toBe('REDIS_CLUSTER_NODES: "h:65536" is not host:port');
    expect(refusal({ REDIS_CLUSTER_NODES: 'h:port' })).toBe('REDIS_CLUSTER_NODES: "h:port" is not host:port');
    expect(refusal({ REDIS_SENTINELS: 's1 26379' })).toBe('REDIS_SENTINELS: "s1 26379" is not host:port');
    expect(refusal({ REDIS_SENTINELS: ' , ' })).toBe('REDIS_SENTINELS: no host:port given');
    expect(refusal({ REDIS_CLUSTER_NODES: 'redis://h:99999' })).toMatch(/^REDIS_CLUSTER_NODES: "redis:\/\/h:99999" is not a valid URL/);
  });

  it('does not echo a password that came with a bad item', () => {
    expect(refusal({ REDIS_CLUSTER_NODES: 'bot:hunter2@h:7000' })).not.toContain('hunter2');
    expect(refusal({ REDIS_CLUSTER_NODES: 'redis://bot:hunter2@h:99999' })).not.toContain('hunter2');
    // A password may itself hold '/' or '@': nothing before the last '@' is shown.
    expect(refusal({ REDIS_CLUSTER_NODES: 'redis://bot:pa/ss-SECRET@h:99999' })).toBe('REDIS_CLUSTER_NODES: "redis://***@h:99999" is not a valid URL');
    expect(refusal({ REDIS_CLUSTER_NODES: 'bot:p@ss-SECRET@h:7000x' })).toBe('REDIS_CLUSTER_NODES: "***@h:7000x" is not host:port');
  });

  it('refuses a cluster and a sentinel set at once', () => {
    expect(refusal({ REDIS_CLUSTER_NODES: 'h:7000', REDIS_SENTINELS: 's:26379' })).toBe('REDIS_CLUSTER_NODES: set it or REDIS_SENTINELS, not both');
  });
});

describe('describeTarget (logs, /readyz, start-up errors)', () => {
  const SECRET = 'pw-S3CRET-9';
  const shapes: [string, Partial<RedisEnv>][] = [
    ['URL', { REDIS_URL: `redis://bot:${SECRET}@10.0.0.5:6379` }],
    ['URL, TLS', { REDIS_URL: `rediss://:${SECRET}@cache:6380` }],
    ['variables', { REDIS_USERNAME: 'bot', REDIS_PASSWORD: SECRET, REDIS_TLS: 'true' }],
    ['cluster', { REDIS_CLUSTER_NODES: `redis://bot:${SECRET}@h1:7000,h2:7001`, REDIS_TLS: '1' }],
    ['sentinel', { REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_PASSWORD: SECRET, REDIS_PASSWORD: SECRET, REDIS_USERNAME: 'bot' }],
  ];
  it.each(shapes)('says where and as whom, never the password: %s', (_, env) => {
    expect(describeTarget(target(env))).not.toContain(SECRET);
  });

  it('reads as an operator would write it', () => {
    expect(describeTarget(target({ REDIS_URL: `redis://bot:${SECRET}@10.0.0.5:6379` }))).toBe('redis://bot:***@10.0.0.5:6379');
    expect(describeTarget(target({ REDIS_USERNAME: 'bot', REDIS_PASSWORD: SECRET, REDIS_TLS: 'true' }))).toBe(`${URL_} as bot (TLS)`);
    expect(describeTarget(target({ REDIS_CLUSTER_NODES: 'h1:7000,h2:7001', REDIS_USERNAME: 'bot', REDIS_TLS: 'true' }))).toBe('cluster h1:7000,h2:7001 as bot, TLS');
    expect(describeTarget(target({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'cache' }))).toBe('sentinel cache via s1:26379,s2:26379');
  });
});

describe('parseEnv and the Redis variables', () => {
  const problems = (env: NodeJS.ProcessEnv): string[] => {
    const r = parseEnv(env);
    return r.ok ? [] : r.problems;
  };
  it('reports a bad REDIS_CLUSTER_NODES under its own name', () => {
    expect(problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' })).toEqual(['REDIS_CLUSTER_NODES: "10.0.0.2" is not host:port']);
    expect(problems({ REDIS_SENTINELS: 'nope' })).toEqual(['REDIS_SENTINELS: "nope" is not host:port']);
  });

  it('reports both topologies set, and a REDIS_TLS that is not a yes or a no', () => {
    expect(problems({ REDIS_CLUSTER_NODES: 'h:7000', REDIS_SENTINELS: 's:26379' })).toEqual(['REDIS_CLUSTER_NODES: set it or REDIS_SENTINELS, not both']);
    expect(problems({ REDIS_TLS: 'maybe' })[0]).toMatch(/^REDIS_TLS: /);
  });

  it('takes an empty variable as unset (docker compose passes `${X:-}` as "")', () => {
    expect(parseEnv({ REDIS_CLUSTER_NODES: '', REDIS_SENTINELS: '', REDIS_PASSWORD: '' }).ok).toBe(true);
  });
});
