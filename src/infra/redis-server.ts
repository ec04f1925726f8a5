import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis, ReplyError } from 'ioredis';

export interface EnsuredRedis {
  url: string;
  /** Shuts down the server this call started; does nothing when it found one already running. */
  stop(): Promise<void>;
  spawned: boolean;
  /** Where the spawned server keeps its AOF (absent when none was spawned). */
  dataDir?: string;
}

export interface EnsureRedisOptions {
  dataDir: string;
  /** Throwaway server: fresh temp dir under dataDir, a free port, and the dir removed on stop. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;

/**
 * Makes sure a Redis answers, so `npm start` and the tests work on a laptop without Docker: use
 * the one at `url` if it is up, otherwise start `redis-server` as a child process with the same
 * durability settings as docker-compose (AOF everysec, noeviction, no RDB snapshots).
 */
export async function ensureRedis(url: string, opts: EnsureRedisOptions): Promise<EnsuredRedis> {
  let refused: Error | undefined;
  const onReply = (err: Error): void => {
    if (AUTH_REFUSED.test(err.message)) refused ??= err;
  };
  if (await ping(url, 500, onReply)) {
    // Retrying cannot fix a wrong password and starting a server of our own cannot either (the port
    // is taken): say which Redis refused, without the password, and let the caller stop.
    if (refused) throw new Error(`Redis at ${maskUrl(url)} refused the login: ${refused.message} Check the user and password in REDIS_URL.`);
    return { url, spawned: false, stop: async () => {} };
  }

  if (!(await onPath('redis-server'))) {
    throw new Error(`No Redis at ${maskUrl(url)} and redis-server is not installed. Start one with: docker compose up -d redis`);
  }
  const target = new URL(url);
  // A server started here listens on loopback only, so it cannot stand in for a remote host.
  if (!opts.ephemeral && !isLoopback(target.hostname)) {
    throw new Error(`No Redis at ${maskUrl(url)} and it is not a local address, so none was started.`);
  }

  await mkdir(opts.dataDir, { recursive: true });
  const dir = opts.ephemeral ? await mkdtemp(join(opts.dataDir, 'redis-')) : opts.dataDir;
  const log = opts.log ?? (() => {});
  // A free port can be taken by someone else between probing and binding: retry a few times.
  for (let attempt = 1; ; attempt++) {
    const port = opts.ephemeral ? await freePort() : Number(target.port || 6379);
    const ownUrl = opts.ephemeral ? `redis://127.0.0.1:${port}` : url;
    try {
      const child = await start(port, dir, ownUrl, log);
      return { url: ownUrl, spawned: true, dataDir: dir, stop: () => stopChild(child, opts.ephemeral ? dir : undefined) };
    } catch (err) {
      if (!opts.ephemeral || attempt >= 3) {
        if (opts.ephemeral) await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

/** A port nobody listens on right now, picked by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('freePort: no port assigned'))));
    });
  });
}

/** Redis's answers to a login it refuses: a wrong password or user, or a password it wants and did not get. */
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|ERR invalid password)/;

/**
 * True when something at `url` answers as Redis. A reply error (wrong password, NOAUTH) counts
 * as an answer: a server is there, and starting another on its port could only fail. `onReply`
 * sees that reply error.
 */
export async function ping(url: string, timeoutMs = 500, onReply?: (err: Error) => void): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // Without a listener ioredis reports connection errors as unhandled 'error' events. A failed
  // AUTH arrives only here; connect() itself then rejects with a bare "Connection is closed".
  let replied = false;
  client.on('error', (err: unknown) => {
    if (!(err instanceof ReplyError)) return;
    replied = true;
    onReply?.(err as Error);
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch (err) {
    if (err instanceof ReplyError) onReply?.(err as Error);
    return replied || err instanceof ReplyError;
  } finally {
    client.disconnect();
  }
}

/** The URL with its password replaced, fit for logs and error messages. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

async function start(port: number, dir: string, url: string, log: (line: string) => void): Promise<ChildProcess> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', '',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastLine = '';
  const onOutput = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lastLine = line;
      log(`redis-server: ${line}`);
    }
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  let exited: string | undefined;
  child.on('error', (err) => (exited = err.message));
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  // A crashed or killed parent must not leave an orphaned server holding the port.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.on('exit', () => process.off('exit', killOnExit));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`redis-server on port ${port} ${exited}: ${lastLine}`);
    if (await ping(url, 200)) {
      log(`redis-server: ready on port ${port}, data in ${dir}`);
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopChild(child);
  throw new Error(`redis-server on port ${port} did not answer within ${READY_TIMEOUT_MS} ms: ${lastLine}`);
}

/** SIGTERM makes Redis flush the AOF and exit cleanly; SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess, removeDir?: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  if (removeDir) await rm(removeDir, { recursive: true, force: true });
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Whether `host` is this machine only (localhost, 127.x, ::1). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}
