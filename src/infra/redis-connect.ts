import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { ensureRedis, maskUrl } from './redis-server.js';

/**
 * Where the bot's Redis is, from the environment, in one of three shapes (docs/operations.md,
 * "Redis: single node, Sentinel, Cluster, managed"):
 *
 * - a single node: `REDIS_URL` (`redis://` or `rediss://` for TLS, `user:password@` for an ACL user);
 * - a Redis Cluster: `REDIS_CLUSTER_NODES=host:port,host:port,...` (some or all masters; the
 *   client finds the rest), each node also accepted as a `redis://`/`rediss://` URL;
 * - a Sentinel-managed master: `REDIS_SENTINELS=host:port,...` and `REDIS_SENTINEL_MASTER`.
 *
 * `REDIS_USERNAME`, `REDIS_PASSWORD`, `REDIS_TLS` and `REDIS_TLS_CA_FILE` apply to every shape
 * (they win over what a URL says), so a managed Redis with TLS and an ACL user is the same four
 * settings whatever its topology.
 */

export interface RedisEnv {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_MASTER?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: string | undefined;
  REDIS_TLS_CA_FILE?: string | undefined;
}

/** What every connection to the target shares: credentials and TLS. */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls?: { ca?: string };
}

export type RedisTarget =
  | { kind: 'single'; url: string; auth: RedisAuth }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; auth: RedisAuth }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; sentinelPassword?: string; auth: RedisAuth };

/** A list item `host:port` or `redis[s]://[user:pass@]host:port`; throws with the item on a bad one. */
function parseNode(item: string, what: string): { host: string; port: number; url?: URL } {
  const text = item.trim();
  // The item as an error message may show it: a password in it is masked.
  // Everything before the last @ may be a password (which may itself hold '/' or '@').
  const at = text.lastIndexOf('@');
  const shown = at < 0 ? text : `${/^rediss?:\/\//.exec(text)?.[0] ?? ''}***@${text.slice(at + 1)}`;
  if (/^rediss?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`${what}: "${shown}" is not a valid URL`);
    }
    return { host: url.hostname, port: Number(url.port || 6379), url };
  }
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`${what}: "${shown}" is not host:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

function parseList(value: string, what: string): { host: string; port: number; url?: URL }[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error(`${what}: no host:port given`);
  return items.map((item) => parseNode(item, what));
}

/** Credentials and TLS: the explicit variables first, then what the (first) URL carries. */
function authOf(env: RedisEnv, url: URL | undefined): RedisAuth {
  const auth: RedisAuth = {};
  const username = env.REDIS_USERNAME ?? (url?.username ? decodeURIComponent(url.username) : undefined);
  const password = env.REDIS_PASSWORD ?? (url?.password ? decodeURIComponent(url.password) : undefined);
  if (username) auth.username = username;
  if (password) auth.password = password;
  const tls = env.REDIS_TLS !== undefined ? /^(1|true|yes|on)$/i.test(env.REDIS_TLS) : url?.protocol === 'rediss:';
  if (tls || env.REDIS_TLS_CA_FILE) auth.tls = env.REDIS_TLS_CA_FILE ? { ca: readCa(env.REDIS_TLS_CA_FILE) } : {};
  return auth;
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`REDIS_TLS_CA_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The target the environment names; throws a one-line reason for a malformed setting. */
export function redisTarget(env: RedisEnv): RedisTarget {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) throw new Error('REDIS_CLUSTER_NODES: set it or REDIS_SENTINELS, not both');
  if (env.REDIS_CLUSTER_NODES) {
    const nodes = parseList(env.REDIS_CLUSTER_NODES, 'REDIS_CLUSTER_NODES');
    return { kind: 'cluster', nodes: nodes.map(({ host, port }) => ({ host, port })), auth: authOf(env, nodes.find((n) => n.url)?.url) };
  }
  if (env.REDIS_SENTINELS) {
    const sentinels = parseList(env.REDIS_SENTINELS, 'REDIS_SENTINELS');
    return {
      kind: 'sentinel',
      sentinels: sentinels.map(({ host, port }) => ({ host, port })),
      name: env.REDIS_SENTINEL_MASTER ?? 'mymaster',
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
      auth: authOf(env, sentinels.find((n) => n.url)?.url),
    };
  }
  return { kind: 'single', url: env.REDIS_URL, auth: authOf(env, new URL(env.REDIS_URL)) };
}

/** For logs and /readyz: never a password. */
export function describeTarget(t: RedisTarget): string {
  const user = t.auth.username ? ` as ${t.auth.username}` : '';
  const tls = t.auth.tls ? ', TLS' : '';
  if (t.kind === 'single') {
    // The user of REDIS_USERNAME is not in the URL: name it, so a refused login says who was refused.
    const named = t.auth.username && !new URL(t.url).username ? user : '';
    return maskUrl(t.url) + named + (t.auth.tls && !t.url.startsWith('rediss:') ? ' (TLS)' : '');
  }
  const list = (t.kind === 'cluster' ? t.nodes : t.sentinels).map((n) => `${n.host}:${n.port}`).join(',');
  return t.kind === 'cluster' ? `cluster ${list}${user}${tls}` : `sentinel ${t.name} via ${list}${user}${tls}`;
}

function authOptions(auth: RedisAuth): RedisOptions {
  return {
    ...(auth.username ? { username: auth.username } : {}),
    ...(auth.password ? { password: auth.password } : {}),
    ...(auth.tls ? { tls: auth.tls.ca ? { ca: auth.tls.ca } : {} } : {}),
  };
}

/** Marks BullMQ connection options as a Cluster's (see bull-clients.ts, which opens it). */
export const CLUSTER_NODES = 'icClusterNodes';

/**
 * The ioredis options (single node and Sentinel) that BullMQ and our own clients are built from.
 * For a Cluster the startup nodes ride along under CLUSTER_NODES and the rest is each node's options.
 */
export function redisOptions(t: RedisTarget): RedisOptions & { url?: string; [CLUSTER_NODES]?: ClusterNode[] } {
  const auth = authOptions(t.auth);
  if (t.kind === 'single') {
    // ioredis lets a URL's user, password and rediss:// win over the options: leave them out of
    // the URL it gets, so REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS win as documented.
    const url = new URL(t.url);
    url.username = '';
    url.password = '';
    if (!t.auth.tls) url.protocol = 'redis:';
    return { url: url.toString(), ...auth };
  }
  if (t.kind === 'cluster') return { ...auth, [CLUSTER_NODES]: t.nodes };
  return { sentinels: t.sentinels, name: t.name, ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}), ...(t.auth.tls ? { enableTLSForSentinelMode: true } : {}), ...auth };
}

/**
 * Opens a client from options made by `redisOptions` (plus per-use ones: retries, lazyConnect).
 * A Cluster client retries through a failover: a moved slot or a promoted replica is followed
 * (MOVED/ASK, TRYAGAIN, CLUSTERDOWN) instead of failing the command.
 */
export function openFromOptions(opts: RedisOptions & { url?: string; [CLUSTER_NODES]?: ClusterNode[] }): RedisClient {
  const { url, [CLUSTER_NODES]: nodes, ...rest } = opts;
  if (nodes) {
    const { enableAutoPipelining, lazyConnect, ...redisOpts } = rest;
    const options: ClusterOptions = {
      redisOptions: redisOpts,
      ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      // TLS certificates name hosts, not the IPs the cluster reports: keep the names.
      ...(rest.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2_000,
      maxRedirections: 32,
    };
    return new Cluster(nodes, options);
  }
  return url ? new Redis(url, rest) : new Redis(rest);
}

/** The bot's own client for `t` (the stores, scripts, lease), with `extra` options on top. */
export function openRedis(t: RedisTarget, extra: RedisOptions = {}): RedisClient {
  return openFromOptions({ ...redisOptions(t), ...extra });
}

/**
 * SCAN for `match` on every master (a Cluster's keys are spread over its masters; a single node
 * is its own one master), batch by batch. For rare jobs only (a backfill, a test's cleanup).
 */
export async function* scanKeys(redis: RedisClient, match: string, count = 500): AsyncIterable<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match, count }) as AsyncIterable<string[]>) if (keys.length) yield keys;
  }
}

/** Deletes keys a batch at a time, one command per slot under Cluster (UNLINK of several keys must stay in one slot). */
export async function unlinkKeys(redis: RedisClient, keys: readonly string[]): Promise<void> {
  if (!keys.length) return;
  if (!(redis instanceof Cluster)) {
    await redis.unlink(...keys);
    return;
  }
  await Promise.all(keys.map((k) => redis.unlink(k)));
}

/** Redis's answers to a login it refuses (a wrong password or user, none given where one is wanted). */
const AUTH_REFUSED = /\b(WRONGPASS|NOAUTH)\b|invalid password/;

/**
 * Resolves once `client` is ready; after `timeoutMs` rejects with what it last failed on and
 * where it tried (no password), instead of the bot hanging on a Redis it cannot reach. A refused
 * login rejects at once: retrying cannot fix a password.
 */
export async function whenReady(client: RedisClient, target: RedisTarget, timeoutMs = 15_000): Promise<void> {
  if (client.status === 'ready') return;
  let onError = (_err: Error): void => {};
  try {
    await new Promise<void>((resolve, reject) => {
      let last = '';
      const timer = setTimeout(() => reject(new Error(`Redis ${describeTarget(target)} not ready after ${timeoutMs} ms${last ? `: ${last}` : ''}`)), timeoutMs);
      onError = (err) => {
        // A Cluster's "Failed to refresh slots cache." carries the nodes' own reply beside it.
        const node = (err as { lastNodeError?: Error }).lastNodeError?.message;
        last = node ? `${err.message} ${node}` : err.message;
        if (!AUTH_REFUSED.test(last)) return;
        clearTimeout(timer);
        const inUrl = target.kind === 'single' && /\/\/[^/]*@/.test(target.url);
        const where = inUrl ? 'the user and password in REDIS_URL (or REDIS_USERNAME and REDIS_PASSWORD)' : 'REDIS_USERNAME and REDIS_PASSWORD';
        reject(new Error(`Redis at ${describeTarget(target)} refused the login: ${last} Check ${where}.`));
      };
      client.on('error', onError);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    client.off('error', onError);
  }
}

export interface ReachedRedis {
  target: RedisTarget;
  /** True when no Redis answered at a loopback REDIS_URL and one was started (see redis-server.ts). */
  spawned: boolean;
  stop(): Promise<void>;
}

/**
 * The target, with a Redis started for it when it is a plain local REDIS_URL that nothing
 * answers (a laptop without Docker). A Cluster, a Sentinel set, or a Redis with settings a
 * spawned one would not have (TLS, a separate user or password) is only ever connected to.
 */
export async function reachRedis(env: RedisEnv, dataDir: string, log?: (line: string) => void): Promise<ReachedRedis> {
  const target = redisTarget(env);
  // From the target, not the variables: a user, password or rediss:// in REDIS_URL counts too.
  const { username, password, tls } = target.auth;
  if (target.kind !== 'single' || username || password || tls) return { target, spawned: false, stop: async () => {} };
  const server = await ensureRedis(target.url, { dataDir, ...(log ? { log } : {}) });
  return { target: { ...target, url: server.url }, spawned: server.spawned, stop: () => server.stop() };
}
