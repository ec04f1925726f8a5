import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { TAKEN, whileClaimed } from '../../src/app/claims.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * The claim around a page DM or a channel post (src/app/claims.ts), on a real Redis, with two
 * replicas in mind: a run that stalled past its claim while another run took it over must not
 * delete that run's claim when it ends, or a third delivery of the same job sends it again.
 */

const CLAIM_MS = 300;

let redis: TestRedis;
let deps: Deps;

beforeEach(async () => {
  redis = await testRedis();
  deps = { store: new RedisIncidentStore(redis.redis, redis.prefix) } as unknown as Deps;
});

afterEach(async () => {
  await redis.cleanup();
});

function gated() {
  let started: () => void = () => undefined;
  let end: () => void = () => undefined;
  const running = new Promise<void>((r) => (started = r));
  const ended = new Promise<void>((r) => (end = r));
  return { running, work: () => (started(), ended), finish: () => end() };
}

/** A blocked event loop (a long GC): the claim's renewals do not run. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('whileClaimed', () => {
  it('keeps a second delivery out while the first runs, and lets one in after', async () => {
    const a = gated();
    const runA = whileClaimed(deps, 'sending:j1', a.work, CLAIM_MS);
    await a.running;
    expect(await whileClaimed(deps, 'sending:j1', async () => 'b', CLAIM_MS)).toBe(TAKEN);
    a.finish();
    await runA;
    expect(await whileClaimed(deps, 'sending:j1', async () => 'c', CLAIM_MS)).toBe('c');
  });

  it('a run that stalled past its claim does not delete the claim of the run that took over', async () => {
    const ran: string[] = [];
    const a = gated();
    const runA = whileClaimed(deps, 'sending:j2', () => (ran.push('a'), a.work()), CLAIM_MS);
    await a.running;
    stall(CLAIM_MS * 2);
    // Right after the stall, before A's renewal runs: another replica's worker takes the job.
    const b = gated();
    const runB = whileClaimed(deps, 'sending:j2', () => (ran.push('b'), b.work()), CLAIM_MS);
    await b.running;
    a.finish();
    await runA;
    // B still holds it: a third delivery is kept out while B sends.
    expect(await whileClaimed(deps, 'sending:j2', async () => void ran.push('c'), CLAIM_MS)).toBe(TAKEN);
    b.finish();
    await runB;
    expect(ran).toEqual(['a', 'b']);
  });
});
