import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { handleOnce, REPLAY_S } from '../../src/adapters/discord/replay-guard.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { MemoryLogger } from '../support/core.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * The claim that keeps a replayed Discord reaction from being handled twice
 * (src/adapters/discord/replay-guard.ts), on a real Redis: a run that stalled past its claim,
 * while another run took it, can neither take it back, nor keep it as its own, nor delete it.
 */

const RUNNING_MS = 300;

let redis: TestRedis;
let deps: Deps;
let log: MemoryLogger;

beforeEach(async () => {
  redis = await testRedis();
  log = new MemoryLogger();
  deps = { store: new RedisIncidentStore(redis.redis, redis.prefix), log } as unknown as Deps;
});

afterEach(async () => {
  await redis.cleanup();
});

/** A handler that runs until the test lets it end, well or badly. */
function gated() {
  let started: () => void = () => undefined;
  let end: (err?: Error) => void = () => undefined;
  const running = new Promise<void>((r) => (started = r));
  const ended = new Promise<void>((resolve, reject) => (end = (err) => (err ? reject(err) : resolve())));
  return { running, work: () => (started(), ended), succeed: () => end(), fail: () => end(new Error('the DM failed')) };
}

/** The process does nothing for this long (a long GC, a blocked event loop): its renewals do not run. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

const key = (identity: string) => `${redis.prefix}once:discord-event:${identity}`;

describe('handleOnce', () => {
  it('a run that stalled past its claim and then failed leaves the claim of the run that took it over', async () => {
    const a = gated();
    const ran: string[] = [];
    const runA = handleOnce(deps, 'rx:1', () => (ran.push('a'), a.work()), RUNNING_MS);
    await a.running;
    stall(RUNNING_MS * 2);
    // Right after the stall, before A's renewal runs: another replica handles the replay.
    const b = gated();
    const runB = handleOnce(deps, 'rx:1', () => (ran.push('b'), b.work()), RUNNING_MS);
    await b.running;
    a.fail();
    await expect(runA).rejects.toThrow('the DM failed');

    // B's claim is still there: a third delivery is kept out while B runs.
    expect(await handleOnce(deps, 'rx:1', async () => void ran.push('c'), RUNNING_MS)).toBe(false);
    b.succeed();
    expect(await runB).toBe(true);
    expect(await handleOnce(deps, 'rx:1', async () => void ran.push('d'), RUNNING_MS)).toBe(false);
    expect(ran).toEqual(['a', 'b']);
    expect(await redis.redis.pttl(key('rx:1'))).toBeGreaterThan((REPLAY_S - 5) * 1000);
  });

  it('a run that stalled past its claim and then finished does not take over the other run\'s claim, and says so', async () => {
    const a = gated();
    const runA = handleOnce(deps, 'rx:2', a.work, RUNNING_MS);
    await a.running;
    stall(RUNNING_MS * 2);
    const b = gated();
    const runB = handleOnce(deps, 'rx:2', b.work, RUNNING_MS);
    await b.running;
    a.succeed();
    expect(await runA).toBe(true);
    // Still B's running claim, not A's 15 minutes.
    expect(await redis.redis.pttl(key('rx:2'))).toBeLessThanOrEqual(RUNNING_MS);
    expect(log.lines.filter((l) => l.msg.startsWith('discord event was claimed by another run'))).toHaveLength(1);
    b.fail();
    await expect(runB).rejects.toThrow();
    // B failed and gave its claim back: a redelivery may try again.
    expect(await redis.redis.exists(key('rx:2'))).toBe(0);
  });

  it('a run whose claim ran out while nobody took it keeps it, and keeps the replay out once done', async () => {
    const a = gated();
    const runA = handleOnce(deps, 'rx:3', a.work, RUNNING_MS);
    await a.running;
    stall(RUNNING_MS * 2);
    a.succeed();
    expect(await runA).toBe(true);
    expect(await handleOnce(deps, 'rx:3', async () => undefined, RUNNING_MS)).toBe(false);
    expect(log.lines).toEqual([]);
  });
});
