import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports.js';
import { ensureRedis, freePort } from '../../src/infra/redis-server.js';
import { logLateRedisErrors, openBullClient } from '../../src/scheduler/bull-clients.js';
import { connectionOptions } from '../../src/scheduler/bullmq-scheduler.js';

/**
 * A queue or worker closed while its connection is failing (Redis refusing a rotated password)
 * used to leave its ioredis client retrying with no error listener: ioredis then printed
 * "[ioredis] Unhandled error event: ReplyError: WRONGPASS..." on stderr, forever, outside the log
 * (CI failed on it in test/security/logs.test.ts). Now the leftover client is dropped at its
 * next failure and that is logged once.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  logLateRedisErrors(undefined);
  while (cleanups.length) await cleanups.pop()?.();
});

interface Said {
  log: Logger;
  lines: string[];
  /** Resolves at the first line with this message. */
  next(msg: string): Promise<void>;
  /** Resolves once `n` lines have this message. */
  count(msg: string, n: number): Promise<void>;
}

function recorder(): Said {
  const lines: string[] = [];
  const waiting: Array<{ msg: string; n: number; resolve: () => void }> = [];
  const times = (msg: string): number => lines.filter((l) => l === msg).length;
  const say = (_data: object, msg: string): void => {
    lines.push(msg);
    for (const w of waiting.filter((x) => x.msg === msg && times(msg) >= x.n)) w.resolve();
  };
  const count = (msg: string, n: number): Promise<void> => (times(msg) >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ msg, n, resolve })));
  const log: Logger = { info: say, warn: say, error: say, child: () => log };
  return { log, lines, next: (msg) => count(msg, 1), count };
}

async function passwordRotatedRedis(): Promise<{ url: string; admin: Redis; rotate(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ic-bull-clients-'));
  const server = await ensureRedis(`redis://127.0.0.1:${await freePort()}`, { dataDir: dir, ephemeral: true });
  cleanups.push(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const admin = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await admin.connect();
  return {
    url: server.url,
    admin,
    async rotate() {
      await admin.config('SET', 'requirepass', 'rotated-secret');
      await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      admin.disconnect();
    },
  };
}

const DROPPED = 'a redis connection left by a closed queue failed; dropped it';

describe('BullMQ clients that outlive their queue or worker', () => {
  it('a client whose owner stopped listening is dropped at its next failure and logged, not printed and retried forever', async () => {
    const redis = await passwordRotatedRedis();
    const said = recorder();
    logLateRedisErrors(said.log);
    const client = openBullClient({ url: redis.url });
    // A worker's blocking connection is a duplicate of its command one.
    const blocking = client.duplicate();
    const owner = (): void => undefined;
    for (const c of [client, blocking]) c.on('error', owner);
    await Promise.all([client.ping(), blocking.ping()]);
    await redis.rotate();
    // BullMQ's close takes its listener off while the clients are still reconnecting.
    for (const c of [client, blocking]) c.off('error', owner);
    await said.count(DROPPED, 2);
    await Promise.all([client, blocking].map((c) => (c.status === 'end' ? undefined : new Promise((r) => c.once('end', r)))));
    expect([client.status, blocking.status]).toEqual(['end', 'end']);
  }, 20_000);

  it('a client with its owner listening is left to the owner', async () => {
    const redis = await passwordRotatedRedis();
    const said = recorder();
    logLateRedisErrors(said.log);
    const client = openBullClient({ url: redis.url, maxRetriesPerRequest: 1 });
    let owned = 0;
    client.on('error', () => owned++);
    await client.ping();
    await redis.rotate();
    await new Promise<void>((resolve) => client.on('error', () => owned >= 2 && resolve()));
    expect(client.status).not.toBe('end');
    expect(said.lines).not.toContain(DROPPED);
    client.disconnect();
  }, 20_000);

  it('the queues and workers the bot makes open their clients this way', async () => {
    const redis = await passwordRotatedRedis();
    const prefix = `bc${Date.now()}`;
    const queue = new Queue('x', { connection: connectionOptions(redis.url), prefix });
    const worker = new Worker('x', async () => undefined, { connection: connectionOptions(redis.url, true), prefix });
    cleanups.push(async () => {
      await worker.close();
      await queue.close();
    });
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    // BullMQ's own listener and ours.
    expect(((await queue.backend.client) as unknown as Redis).listenerCount('error')).toBeGreaterThanOrEqual(2);
    expect(((await worker.backend.client) as unknown as Redis).listenerCount('error')).toBeGreaterThanOrEqual(2);
  }, 20_000);
});
