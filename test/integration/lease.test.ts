import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/infra/redis-client.js';
import { LeaseKeeper, RedisLease, type LostReason } from '../../src/infra/lease.js';
import { openRedis } from '../../src/infra/redis-connect.js';
import { testRedis, testTarget, type TestRedis } from '../support/redis.js';

/**
 * The gateway lease on a real Redis (src/infra/lease.ts): one holder at a time, a fencing token
 * that grows with every holder, values only the holder may write, and keepers that hand the
 * lease over when its holder stops renewing, telling the old holder before the new one starts.
 */

const TTL = 1_500;
const POLL = 100;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

let redis: TestRedis;
const extra: RedisClient[] = [];
const keepers: LeaseKeeper[] = [];

beforeEach(async () => {
  redis = await testRedis();
});

afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.stop().catch(() => undefined)));
  for (const c of extra.splice(0)) c.disconnect();
  await redis.cleanup();
});

function connection(): RedisClient {
  const c = openRedis(testTarget(), { maxRetriesPerRequest: 1 });
  extra.push(c);
  return c;
}

function lease(on: RedisClient = redis.redis, name = 'gateway'): RedisLease {
  return new RedisLease(on, name, { prefix: redis.prefix, ttlMs: TTL });
}

/** A keeper whose events are recorded with the time they happened. */
function keeper(owner: string, on: RedisClient) {
  const seen: { what: 'acquired' | 'lost'; token?: number; reason?: LostReason; at: number }[] = [];
  const k = new LeaseKeeper(lease(on), { owner, pollMs: POLL, log: silent });
  keepers.push(k);
  const waitFor = (what: 'acquired' | 'lost', timeoutMs: number) =>
    new Promise<(typeof seen)[number]>((resolve, reject) => {
      const started = Date.now();
      const check = setInterval(() => {
        const found = seen.find((e) => e.what === what);
        if (found) resolve(found);
        else if (Date.now() - started > timeoutMs) reject(new Error(`${owner}: no ${what} within ${timeoutMs} ms`));
        if (found || Date.now() - started > timeoutMs) clearInterval(check);
      }, 10);
    });
  const start = () => k.start({ acquired: (token) => seen.push({ what: 'acquired', token, at: performance.now() }), lost: (reason) => seen.push({ what: 'lost', reason, at: performance.now() }) });
  return { k, seen, start, waitFor };
}

describe('RedisLease', () => {
  it('has one holder at a time, a token larger for each holder, and values only the holder may write', async () => {
    const l = lease();
    const first = await l.acquire('replica-a');
    expect(first).toBeGreaterThan(0);
    expect(await l.acquire('replica-b')).toBeNull();
    expect(await l.holder()).toMatchObject({ owner: 'replica-a', token: first });
    expect((await l.holder())?.ttlMs).toBeGreaterThan(TTL - 500);

    expect(await l.write('replica-a', first!, 'session:0', 'state of a', 60_000)).toBe(true);
    expect(await l.write('replica-b', first!, 'session:0', 'state of b', 60_000)).toBe(false);
    expect(await l.read('session:0')).toBe('state of a');
    expect(await redis.redis.pttl(l.key + ':session:0')).toBeGreaterThan(0);

    // Released by its holder (a clean stop): the next one takes it at once, with a larger token.
    expect(await l.release('replica-b', first!)).toBe(false);
    expect(await l.release('replica-a', first!)).toBe(true);
    const second = await l.acquire('replica-b');
    expect(second).toBeGreaterThan(first!);

    // The old holder, back from a pause, can neither renew nor write: it is fenced off.
    expect(await l.renew('replica-a', first!)).toBe(false);
    expect(await l.write('replica-a', first!, 'session:0', 'stale', 60_000)).toBe(false);
    expect(await l.read('session:0')).toBe('state of a');
    expect(await l.renew('replica-b', second!)).toBe(true);
  });

  it('an acquire retried by its holder (the reply was lost) gets the same token and a fresh TTL; another owner still cannot take it', async () => {
    const l = lease();
    const token = await l.acquire('replica-a|p1');
    await new Promise((r) => setTimeout(r, 300));
    expect(await l.acquire('replica-a|p1')).toBe(token);
    expect((await l.holder())?.ttlMs).toBeGreaterThan(TTL - 150);
    // Same replica id, another process: not its lease.
    expect(await l.acquire('replica-a|p2')).toBeNull();
    expect(await l.acquire('replica-b')).toBeNull();
    expect(await l.holder()).toMatchObject({ owner: 'replica-a', token });
  });

  it('runs out after its TTL when nobody renews it', async () => {
    const l = lease();
    const token = await l.acquire('replica-a');
    const started = Date.now();
    while ((await l.holder()) !== null) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - started).toBeGreaterThan(TTL - 300);
    expect(await l.acquire('replica-b')).toBe(token! + 1);
  });
});

describe('LeaseKeeper', () => {
  it('a holder that cannot reach Redis stops before the standby takes over, and the token grows', async () => {
    const aConn = connection();
    const a = keeper('replica-a', aConn);
    expect(await a.start()).toBe(true);
    const b = keeper('replica-b', connection());
    expect(await b.start()).toBe(false);
    // Held across several renewals while healthy.
    await new Promise((r) => setTimeout(r, TTL * 1.5));
    expect(b.seen).toEqual([]);
    expect(a.seen.map((e) => e.what)).toEqual(['acquired']);

    const cut = performance.now();
    aConn.disconnect();
    const lost = await a.waitFor('lost', TTL * 2);
    const took = await b.waitFor('acquired', TTL * 3);
    expect(lost.reason).toBe('expired');
    // Fencing: the old holder was told before the new one could start, and within its TTL.
    expect(lost.at).toBeLessThan(took.at);
    expect(lost.at - cut).toBeLessThan(TTL);
    expect(took.token).toBeGreaterThan(a.seen[0]!.token!);
    expect(took.at - cut).toBeLessThan(TTL + POLL + 500);
    expect(await b.k.report()).toMatchObject({ holding: true, holder: 'replica-b', token: took.token, replica: 'replica-b' });
  });

  it('a holder whose lease another replica took is told at its next renewal', async () => {
    const a = keeper('replica-a', connection());
    await a.start();
    // Someone else holds it now (the lease ran out under a long pause, and another took it).
    await redis.redis.del(a.k.lease.key);
    const other = await lease(connection()).acquire('replica-c');
    const lost = await a.waitFor('lost', TTL);
    expect(lost.reason).toBe('taken');
    expect(await a.k.write('session:0', 'too late', 60_000)).toBe(false);
    expect(await a.k.report()).toMatchObject({ holding: false, holder: 'replica-c', token: other });
  });

  it('a keeper whose acquire reply was lost holds the lease at its next poll, not a TTL later', async () => {
    // The acquire runs in Redis, then its answer is lost (a connection cut at the wrong moment).
    let lost = 0;
    const conn = connection();
    const lossy = new Proxy(conn, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const fn = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (prop !== 'leaseAcquire') return fn;
        return async (...args: unknown[]) => {
          const reply = await fn(...args);
          if (reply !== null && lost++ === 0) throw new Error('Connection is closed.');
          return reply;
        };
      },
    });
    const a = keeper('replica-a', lossy);
    const started = performance.now();
    expect(await a.start()).toBe(false);
    expect(lost).toBe(1);
    const took = await a.waitFor('acquired', TTL * 2);
    expect(took.at - started).toBeLessThan(POLL + 300);
    expect(await a.k.report()).toMatchObject({ holding: true, holder: 'replica-a', token: took.token });
    expect((await lease().holder())?.token).toBe(took.token);
  });

  it('a clean stop hands the lease over within a poll, not a TTL', async () => {
    const a = keeper('replica-a', connection());
    await a.start();
    const b = keeper('replica-b', connection());
    await b.start();
    const stopped = performance.now();
    await a.k.stop();
    const took = await b.waitFor('acquired', TTL);
    expect(took.at - stopped).toBeLessThan(POLL + 300);
    expect(a.seen.map((e) => e.what)).toEqual(['acquired']);
  });
});
