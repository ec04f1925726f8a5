import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config.js';
import { openRedis, redisTarget, whenReady } from '../../src/infra/redis-connect.js';
import { freePort } from '../../src/infra/redis-server.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { startBot, type BotProcess } from '../support/bot-process.js';

/**
 * The Redis settings besides a plain node and the Cluster project (docs/operations.md, "Redis:
 * single node, Sentinel, Cluster, managed"), each on redis-server processes of the test's own: an
 * ACL user with a password, a Sentinel-managed master, TLS with a private CA. The bot runs as
 * `npm start` runs it (child process, local workspace): it must reach that Redis, never start one
 * of its own, and page bob through BullMQ (his tier is a delayed job a worker runs).
 */

const children: ChildProcess[] = [];
const bots: BotProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill('SIGKILL')));
  await Promise.all(
    children.splice(0).map((c) => {
      if (c.exitCode !== null || c.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      return exited;
    }),
  );
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-topo-'));
  dirs.push(dir);
  return dir;
}

/** True once a server answers at all: PONG, or a reply error such as NOAUTH (it is up, just strict). */
async function answers(opts: RedisOptions, command: (r: Redis) => Promise<unknown> = (r) => r.ping()): Promise<boolean> {
  const r = new Redis({ ...opts, lazyConnect: true, connectTimeout: 300, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return Boolean(await command(r));
  } catch (err) {
    return (err as Error).name === 'ReplyError';
  } finally {
    r.disconnect();
  }
}

/** Starts `redis-server args` and polls `ready` until it holds (deadline 10 s); fails with the server's output. */
async function server(args: string[], ready: () => Promise<boolean>): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server ${args.join(' ')} not ready:\n${output.slice(-2000)}`);
    await sleep(25);
  }
  return child;
}

const base = (port: number, dir: string): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];

/** `[DM @alice · m5] bot:` then `📟 You are paged: INC-1 (P1) DB down`. */
const pageDm = (user: string): RegExp => new RegExp(`\\[DM @${user} · m\\d+\\] bot:\\n[^\\n]*You are paged: INC-1 \\(P1\\) DB down`);

/** The child's environment: the test's own Redis settings only (none inherited), its own data dir. */
async function botEnv(redis: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const dir = await tempDir();
  // alice at once, bob a second later: bob's page is BullMQ's delayed escalation step.
  const policy = ['policies:', '  - id: default', '    tiers:', '      - targets: [{ user: alice }]', '        delay: 1s', '      - targets: [{ user: bob }]', '        delay: 60s'];
  await writeFile(join(dir, 'incident.yaml'), [...policy, 'defaultPolicy: default', 'postmortems:', `  dir: ${join(dir, 'pm')}`, ''].join('\n'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REDIS_') && k !== 'LOG_FILE'));
  return { ...inherited, ...redis, DATA_DIR: join(dir, 'data'), INCIDENT_CONFIG: join(dir, 'incident.yaml'), LOCAL_USER: 'dave', LOG_LEVEL: 'info' };
}

/** A bot on `redis` declares INC-1 and pages alice, then bob from the queue; exits cleanly. Returns what it printed and logged. */
async function declareAndPage(name: string, redis: Record<string, string>): Promise<{ out: string; err: string; log: string }> {
  const env = await botEnv(redis);
  const b = startBot(name, env);
  bots.push(b);
  await b.waitFor(/Local workspace\. You are @dave/, 20_000);
  b.type('/incident declare DB down --sev P1');
  await b.waitFor(/\[workspace\] channel #inc-1-db-down created/, 10_000);
  await b.waitFor(pageDm('alice'), 10_000);
  await b.waitFor(pageDm('bob'), 10_000);
  b.end();
  const exit = await b.waitForExit(15_000);
  const log = await readFile(join(env.DATA_DIR!, 'bot.log'), 'utf8');
  expect(exit.code, b.err()).toBe(0);
  // It used the Redis it was given: it started none of its own.
  expect(b.out()).not.toContain('redis-server:');
  expect(log).toMatch(/"spawnedRedis":false.*"msg":"core started"|"msg":"core started".*"spawnedRedis":false/);
  return { out: b.out(), err: b.err(), log };
}

/** A bot that must not start: its exit code and stderr. */
async function failedStart(name: string, redis: Record<string, string>): Promise<{ code: number | null; err: string; out: string }> {
  const b = startBot(name, await botEnv(redis));
  bots.push(b);
  const exit = await b.waitForExit(20_000);
  return { code: exit.code, err: b.err(), out: b.out() };
}

/** The declared incident, read back from a given Redis under `prefix`. */
async function recorded(opts: RedisOptions, prefix: string): Promise<string[]> {
  const r = new Redis({ ...opts, maxRetriesPerRequest: 1 });
  try {
    const events = await new RedisIncidentStore(r, prefix).events({ workspace: 'local', number: 1 });
    return events.map((e) => (e.type === 'paged' ? `paged ${e.users.map((u) => u.id).join(',')}` : e.type));
  } finally {
    r.disconnect();
  }
}

describe('Redis with an ACL user and password', () => {
  const PASSWORD = 's3cret-Pw_7';
  async function aclRedis(): Promise<number> {
    const port = await freePort();
    const dir = await tempDir();
    await server([...base(port, dir), '--user', 'default', 'off', '--user', 'bot', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'], () => answers({ port }));
    return port;
  }
  const asBot = (port: number): RedisOptions => ({ port, username: 'bot', password: PASSWORD });

  it('runs the bot with REDIS_USERNAME/REDIS_PASSWORD and with the credentials in REDIS_URL', async () => {
    const port = await aclRedis();
    // The server really refuses strangers: a bot that logged in as nobody could not have written anything.
    const stranger = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false, retryStrategy: () => null });
    await stranger.connect();
    await expect(stranger.get('x')).rejects.toThrow(/NOAUTH/);
    stranger.disconnect();

    const byVars = await declareAndPage('acl-vars', { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_USERNAME: 'bot', REDIS_PASSWORD: PASSWORD, KEY_PREFIX: 'acl1:' });
    const byUrl = await declareAndPage('acl-url', { REDIS_URL: `redis://bot:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, KEY_PREFIX: 'acl2:' });
    for (const prefix of ['acl1:', 'acl2:']) {
      const events = await recorded(asBot(port), prefix);
      expect(events[0], prefix).toBe('declared');
      expect(events, prefix).toEqual(expect.arrayContaining(['paged alice', 'paged bob']));
    }
    for (const run of [byVars, byUrl]) expect(run.out + run.err + run.log).not.toContain(PASSWORD);
    expect(byVars.log).toContain(`"redis":"redis://127.0.0.1:${port} as bot"`);
  }, 90_000);

  it('REDIS_USERNAME and REDIS_PASSWORD win over stale credentials in REDIS_URL', async () => {
    const port = await aclRedis();
    const t = redisTarget({ REDIS_URL: `redis://old:stale@127.0.0.1:${port}`, REDIS_USERNAME: 'bot', REDIS_PASSWORD: PASSWORD });
    const client = openRedis(t, { maxRetriesPerRequest: 1 });
    try {
      await whenReady(client, t, 5_000);
      expect(await client.call('ACL', 'WHOAMI')).toBe('bot');
    } finally {
      client.disconnect();
    }
  });

  it('a wrong password stops start-up with one line that names the Redis and leaves the password out', async () => {
    const port = await aclRedis();
    const wrong = 'not-the-Pw_42';
    for (const [name, redis] of [
      ['wrong-var', { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_USERNAME: 'bot', REDIS_PASSWORD: wrong }],
      ['wrong-url', { REDIS_URL: `redis://bot:${wrong}@127.0.0.1:${port}` }],
    ] as const) {
      const started = Date.now();
      const run = await failedStart(name, redis);
      expect(run.code, name).toBe(1);
      const lines = run.err.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(new RegExp(`^Redis at redis://(bot:\\*\\*\\*@)?127\\.0\\.0\\.1:${port}.* refused the login: WRONGPASS`));
      expect(run.err + run.out, name).not.toContain(wrong);
      expect(run.err + run.out, name).not.toContain(PASSWORD);
      expect(run.out, name).not.toContain('redis-server:');
      // Told at once, not after the connect timeout: retrying cannot fix a password.
      expect(Date.now() - started, name).toBeLessThan(12_000);
    }
  }, 60_000);
});

describe('Redis behind Sentinel', () => {
  it('finds the master through REDIS_SENTINELS and REDIS_SENTINEL_MASTER, and the incident is in the master', async () => {
    const dir = await tempDir();
    const master = await freePort();
    await server(base(master, dir), () => answers({ port: master }));
    const sentinel = await freePort();
    // The sentinel rewrites its config file as it learns: it lives in the temp dir.
    const conf = join(dir, 'sentinel.conf');
    await writeFile(conf, [`port ${sentinel}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${master} 1`, ''].join('\n'));
    const knowsMaster = (): Promise<boolean> =>
      answers({ port: sentinel }, async (r) => ((await r.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null)?.[1] === String(master));
    await server([conf, '--sentinel'], knowsMaster);

    const run = await declareAndPage('sentinel', { REDIS_SENTINELS: `127.0.0.1:${sentinel}`, REDIS_SENTINEL_MASTER: 'mymaster', KEY_PREFIX: 'sent:' });
    expect(run.log).toContain(`"redis":"sentinel mymaster via 127.0.0.1:${sentinel}"`);
    const events = await recorded({ port: master }, 'sent:');
    expect(events[0]).toBe('declared');
    expect(events).toEqual(expect.arrayContaining(['paged alice', 'paged bob']));
  }, 60_000);
});

/** Why the TLS case cannot run here, or undefined when it can. */
function tlsMissing(): string | undefined {
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  // A build without TLS rejects the tls-port directive; one with TLS gets as far as the bad policy after it.
  const probe = spawnSync('redis-server', ['--tls-port', '0', '--maxmemory-policy', 'bogus'], { encoding: 'utf8' });
  return `${probe.stdout}${probe.stderr}`.includes('maxmemory-policy') ? undefined : 'redis-server here is built without TLS';
}
const noTls = tlsMissing();
if (noTls) console.log(`[redis-topologies] TLS case skipped: ${noTls}`);

function openssl(dir: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

describe('Redis over TLS with a private CA', () => {
  it('a REDIS_TLS_CA_FILE that cannot be read is a start-up problem under its own name', async () => {
    const missing = join(await tempDir(), 'no-such-ca.pem');
    const r = parseEnv({ REDIS_URL: 'rediss://cache.example.com:6380', REDIS_TLS_CA_FILE: missing });
    expect(r.ok ? [] : r.problems).toEqual([`REDIS_TLS_CA_FILE: cannot read ${missing} (ENOENT)`]);
  });

  it.skipIf(noTls)(`connects with rediss:// and with REDIS_TLS=true, trusting REDIS_TLS_CA_FILE${noTls ? ` (skipped: ${noTls})` : ''}`, async () => {
    const dir = await tempDir();
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=throwaway test CA');
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext');
    const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
    const port = await freePort();
    const files = ['--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt')];
    await server(['--port', '0', '--tls-port', String(port), ...files, '--tls-auth-clients', 'no', '--bind', '127.0.0.1', '--dir', dir, '--save', ''], () => answers({ port, host: 'localhost', tls: { ca } }));
    // Plain text is refused: a bot that fell back to it could not have written anything.
    expect(await answers({ port, host: 'localhost' })).toBe(false);

    const caFile = join(dir, 'ca.crt');
    await declareAndPage('tls-url', { REDIS_URL: `rediss://localhost:${port}`, REDIS_TLS_CA_FILE: caFile, KEY_PREFIX: 'tls1:' });
    const flag = await declareAndPage('tls-flag', { REDIS_URL: `redis://localhost:${port}`, REDIS_TLS: 'true', REDIS_TLS_CA_FILE: caFile, KEY_PREFIX: 'tls2:' });
    expect(flag.log).toContain(`"redis":"redis://localhost:${port} (TLS)"`);
    for (const prefix of ['tls1:', 'tls2:']) {
      const events = await recorded({ port, host: 'localhost', tls: { ca } }, prefix);
      expect(events[0], prefix).toBe('declared');
      expect(events, prefix).toEqual(expect.arrayContaining(['paged alice', 'paged bob']));
    }
  }, 90_000);
});
