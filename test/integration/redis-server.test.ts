import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRedis, freePort, maskUrl, ping } from '../../src/infra/redis-server.js';

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'redis-server-test-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('ensureRedis', () => {
  it('spawns an ephemeral server with AOF under dataDir, and stop() ends it', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const server = await ensureRedis(nobody, { dataDir: base, ephemeral: true, log: (l) => lines.push(l) });
    try {
      expect(server.spawned).toBe(true);
      expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await ping(server.url)).toBe(true);
      const client = new Redis(server.url);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await client.set('k', 'v');
      await client.quit();
      expect(server.dataDir?.startsWith(base)).toBe(true);
      const aof = await readdir(join(server.dataDir!, 'appendonlydir'));
      expect(aof.some((f) => f.endsWith('.incr.aof'))).toBe(true);
      expect(lines.some((l) => l.includes('ready'))).toBe(true);
    } finally {
      await server.stop();
    }
    expect(await ping(server.url)).toBe(false);
    expect(existsSync(server.dataDir!)).toBe(false);
  });

  it('uses a Redis that already answers instead of spawning one', async () => {
    const first = await ensureRedis(`redis://127.0.0.1:${await freePort()}`, { dataDir: base, ephemeral: true });
    try {
      const second = await ensureRedis(first.url, { dataDir: base });
      expect(second).toMatchObject({ url: first.url, spawned: false });
      await second.stop();
      expect(await ping(first.url)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  it('says in one line how to get a Redis when redis-server is missing, without the password', async () => {
    const url = `redis://user:s3cret@127.0.0.1:${await freePort()}`;
    const path = process.env.PATH;
    process.env.PATH = join(base, 'empty-bin');
    try {
      const err = await ensureRedis(url, { dataDir: base }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe(
        `No Redis at ${maskUrl(url)} and redis-server is not installed. Start one with: docker compose up -d redis`,
      );
      expect(err?.message).not.toContain('s3cret');
      expect(err?.message).toContain('user:***@');
      expect(err?.message.split('\n')).toHaveLength(1);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('freePort', () => {
  it('returns a port the OS assigned', async () => {
    const [a, b] = await Promise.all([freePort(), freePort()]);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});
