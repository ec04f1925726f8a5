import type { Redis } from 'ioredis';
import type { Reply } from '../src/app/context.js';
import { maskUrl } from '../src/infra/redis-server.js';
import { makeDeps, runIncident, WORKSPACE } from './core/incident.js';
import type { Kind, Runner } from './core/incident.js';
import { pings, countRoundTrips } from './core/probes.js';
import type { Tally } from './core/probes.js';
import { CALIBRATION_INCIDENTS, printCoreReport } from './core/report.js';
import { knobReader } from './lib/env.js';
import type { OptionsOf } from './lib/env.js';
import { newClient, openFixture } from './lib/fixture.js';
import type { Fixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { forEachConcurrently } from './lib/pool.js';
import { redisCpuSeconds, serverInfo } from './lib/redis.js';
import { loadAverages, nodeAndCpu } from './lib/report.js';
import { msSince } from './lib/stats.js';

/**
 * Core throughput: declare → 20 notes → resolve → close, for many incidents at once, driven
 * through dispatch() exactly like an adapter, against a real Redis. Beside it, in the same run,
 * the raw Redis round trip (PING) as the floor no command can beat.
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379; a throwaway redis-server is started when
 * nothing answers), BENCH_INCIDENTS (1000), BENCH_CONCURRENCY (8 incidents in flight),
 * BENCH_NOTES (20), BENCH_PINGS (20000).
 */

const KNOBS = {
  incidents: ['BENCH_INCIDENTS', 1000],
  concurrency: ['BENCH_CONCURRENCY', 8],
  notes: ['BENCH_NOTES', 20],
  pings: ['BENCH_PINGS', 20_000],
} as const;

export type CoreThroughputOptions = OptionsOf<typeof KNOBS>;

export const optionsFromEnv = knobReader(KNOBS);

export async function coreThroughput(o: CoreThroughputOptions): Promise<void> {
  const fx = await openFixture(o.redisUrl, 'bench', o.print);
  const counting = newClient(fx.url, o.print);
  try {
    await printHeader(o, fx);
    // Floor: the raw round trip on a client built like the bot's, sequential and with the same
    // number of requests in flight as the workload has incidents in flight.
    await pings(fx.redis, 500, 1); // warm-up
    const pingSeq = await pings(fx.redis, o.pings, 1);
    const pingConc = await pings(fx.redis, o.pings, o.concurrency);
    const log = new CountingLogger();
    const tally = await calibrate(counting, fx, log, o.notes);
    const run = await measuredRun(fx, log, o);
    const stillOpen = await run.deps.store.list(WORKSPACE, { limit: 1 });
    if (stillOpen.length > 0) throw new Error(`bench: ${stillOpen[0]?.ref} is still open after the run`);
    log.assertQuiet();
    printCoreReport(o.print, { ...o, ...run, tally, pingSeq, pingConc });
  } finally {
    await counting.quit().catch(() => undefined);
    await fx.close();
  }
}

async function printHeader(o: CoreThroughputOptions, fx: Fixture): Promise<void> {
  const server = await serverInfo(fx.redis);
  o.print(`## Core: declare → ${o.notes} notes → resolve → close\n`);
  o.print(`- ${nodeAndCpu()}, ${process.platform}/${process.arch}`);
  o.print(
    `- Redis ${server.version} at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway, started for this run)' : ''}` +
      `, AOF ${server.aof ? 'on' : 'off'}${server.aof ? ` (appendfsync ${server.fsync})` : ''}`,
  );
  o.print(`- ${o.incidents} incidents, ${o.concurrency} in flight, ${o.notes} notes each; key prefix ${fx.prefix} (deleted afterwards)`);
  // Other work on the machine shows up directly in p99: say how busy it was.
  o.print(`- Load average at start: ${loadAverages()}\n`);
}

/**
 * Round trips per command, counted on a separate client one incident at a time (so every
 * request belongs to the command being run). Also warms up the JIT and the Lua script cache.
 */
export async function calibrate(counting: Redis, fx: Fixture, log: CountingLogger, notes: number): Promise<Tally<Kind>> {
  const tally = countRoundTrips<Kind>(counting);
  const deps = makeDeps(counting, fx.url, fx.prefix, fx.pmDir, log);
  for (let i = 0; i < CALIBRATION_INCIDENTS; i++) {
    await runIncident(deps, `calibration-${i}`, notes, async (kind, run) => {
      tally.begin(kind);
      try {
        return await run();
      } finally {
        tally.end();
      }
    });
  }
  return tally;
}

/** The measured run: every incident's life, `concurrency` incidents in flight, each command timed. */
async function measuredRun(fx: Fixture, log: CountingLogger, o: CoreThroughputOptions) {
  const deps = makeDeps(fx.redis, fx.url, fx.prefix, fx.pmDir, log);
  const samples: Record<Kind, number[]> = { declare: [], note: [], resolve: [], close: [] };
  const timed: Runner = async (kind: Kind, run: () => Promise<Reply>): Promise<Reply> => {
    const start = process.hrtime.bigint();
    const reply = await run();
    samples[kind].push(msSince(start));
    return reply;
  };
  const cpuBefore = process.cpuUsage();
  const redisCpuBefore = await redisCpuSeconds(fx.redis);
  const started = process.hrtime.bigint();
  await forEachConcurrently(o.incidents, o.concurrency, (i) => runIncident(deps, `u${i}`, o.notes, timed));
  const wallS = msSince(started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuSeconds(fx.redis)) - redisCpuBefore;
  return { deps, samples, wallS, cpuPct: (100 * (cpu.user + cpu.system)) / 1e6 / wallS, redisPct: (100 * redisCpu) / wallS };
}

runAsMain(import.meta.url, () => coreThroughput(optionsFromEnv()));
