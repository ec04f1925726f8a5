import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { maskUrl } from '../src/infra/redis-server.js';
import { leaseTiming, worstTakeoverMs } from '../src/infra/lease-timing.js';
import { FakeDiscord } from '../test/fakes/fake-discord.js';
import type { BotProcess } from '../test/support/bot-process.js';
import { OPENED_LINE, startReplica, type ReplicaSetup } from '../test/support/discord-replicas.js';
import { knobReader } from './lib/env.js';
import type { OptionsOf } from './lib/env.js';
import { openFixture } from './lib/fixture.js';
import { runAsMain } from './lib/main.js';
import { loadAverages, nodeAndCpu, printTable } from './lib/report.js';
import { fmt, stats } from './lib/stats.js';

/**
 * Discord gateway failover between replicas (issue 13): two bot processes as `npm start` runs
 * them (the Discord credentials, one Redis, one key prefix) against FakeDiscord in this process.
 * Each run kills the replica holding the gateway lease with SIGKILL (at a random point of its
 * renewal cycle) and measures until the other replica's gateway is up again (RESUMED, or READY
 * after an IDENTIFY, sent by the fake); then a new standby is started for the next run. The baseline printed beside it is the configured
 * lease: its TTL, and TTL + poll, the longest a standby can wait for a dead holder's lease.
 *
 * Env: REDIS_URL, BENCH_LEASE_RUNS (10), DISCORD_LEASE_TTL_MS (10000), DISCORD_LEASE_POLL_MS (1000).
 */

const KNOBS = {
  runs: ['BENCH_LEASE_RUNS', 10],
  ttlMs: ['DISCORD_LEASE_TTL_MS', 10_000],
  pollMs: ['DISCORD_LEASE_POLL_MS', 1_000],
} as const;

export type LeaseFailoverOptions = OptionsOf<typeof KNOBS>;

export const leaseFailoverOptionsFromEnv = knobReader(KNOBS);

interface Run {
  /** SIGKILL sent → the survivor's gateway session up, as the fake saw it. */
  ms: number;
  how: string;
}

export async function leaseFailover(o: LeaseFailoverOptions): Promise<void> {
  const fx = await openFixture(o.redisUrl, 'bench:lease');
  const fake = await FakeDiscord.start();
  const dir = await mkdtemp(join(tmpdir(), 'bench-lease-'));
  const setup: ReplicaSetup = { fake, redisEnv: { REDIS_URL: fx.url }, prefix: fx.prefix, dir, leaseTtlMs: o.ttlMs, leasePollMs: o.pollMs };
  const bots: BotProcess[] = [];
  try {
    o.print('## Discord gateway lease: kill -9 of the holder → the other replica\'s gateway up\n');
    o.print(`- ${nodeAndCpu()}, Redis at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway)' : ''}; load average at start ${loadAverages()}`);
    o.print(`- two bot processes (\`node --import tsx src/main.ts\`) against FakeDiscord in the bench's process; ${o.runs} runs\n`);
    let holder = await startReplica('replica-0', setup, 'holder', 60_000);
    bots.push(holder);
    const runs: Run[] = [];
    for (let i = 1; i <= o.runs; i++) {
      const standby = await startReplica(`replica-${i}`, setup, 'standby', 60_000);
      bots.push(standby);
      const from = standby.out().length;
      // At a random point of the holder's renewal cycle (every TTL/3), as a crash would come.
      await new Promise((r) => setTimeout(r, Math.random() * (o.ttlMs / 3)));
      const killed = performance.now();
      await holder.kill('SIGKILL');
      await fake.until(() => !fake.gateway.connected, 5_000, 'the dead holder\'s connection to close');
      await fake.until(() => fake.gateway.connected, o.ttlMs + o.pollMs + 30_000, 'the standby to take the gateway');
      const ms = performance.now() - killed;
      const how = (await standby.waitFor(OPENED_LINE, 10_000, from))[1] ?? '?';
      runs.push({ ms, how });
      process.stderr.write(`  run ${i}: ${Math.round(ms)} ms (${how})\n`);
      holder = standby;
    }
    const s = stats(runs.map((r) => r.ms));
    const t = leaseTiming(o.ttlMs, o.pollMs);
    const resumed = runs.filter((r) => r.how === 'resumed').length;
    printTable(o.print, ['measure', 'runs', 'p50 ms', 'max ms'], [
      [`baseline: lease TTL (DISCORD_LEASE_TTL_MS)`, '', String(o.ttlMs), ''],
      [`baseline: TTL + poll (DISCORD_LEASE_POLL_MS ${o.pollMs}), the longest wait for the lease`, '', '', String(worstTakeoverMs(t))],
      ['kill -9 of the holder → the other replica\'s gateway up', String(s.n), fmt(s.p50, 0), fmt(s.max, 0)],
    ]);
    o.print('');
    o.print(`- ${resumed} of ${runs.length} takeovers resumed the previous holder's session, ${runs.length - resumed} identified anew; the gateway saw ${fake.gateway.counts.identify} IDENTIFY and ${fake.gateway.counts.resume} RESUME in all.`);
  } finally {
    await Promise.all(bots.map((b) => b.kill('SIGKILL')));
    await fake.close();
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runAsMain(import.meta.url, () => leaseFailover(leaseFailoverOptionsFromEnv()));
