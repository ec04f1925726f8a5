import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import type { Deps, Invocation, Reply } from '../src/app/context.js';
import { dispatch } from '../src/app/dispatch.js';
import { LocalWorkspace } from '../src/adapters/local/local-workspace.js';
import { parseConfig } from '../src/config.js';
import { translator } from '../src/core/i18n/index.js';
import type { Logger } from '../src/core/ports.js';
import { systemClock } from '../src/infra/clock.js';
import { PostmortemFiles } from '../src/infra/postmortem-files.js';
import { ensureRedis, maskUrl } from '../src/infra/redis-server.js';
import { RedisOnCallStore } from '../src/store/redis-oncall.js';
import { BullScheduler } from '../src/scheduler/bullmq-scheduler.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';

/**
 * Core throughput: declare → 20 notes → resolve → close, for many incidents at once, driven
 * through dispatch() exactly like an adapter, against a real Redis. Beside it, in the same run,
 * the raw Redis round trip (PING) as the floor no command can beat.
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379; a throwaway redis-server is started when
 * nothing answers), BENCH_INCIDENTS (1000), BENCH_CONCURRENCY (8 incidents in flight),
 * BENCH_NOTES (20), BENCH_PINGS (20000).
 */

const KINDS = ['declare', 'note', 'resolve', 'close'] as const;
type Kind = (typeof KINDS)[number];

const WORKSPACE = 'local';
const CALIBRATION_INCIDENTS = 5;

export interface CoreThroughputOptions {
  redisUrl: string;
  incidents: number;
  concurrency: number;
  notes: number;
  pings: number;
  print: (line: string) => void;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): CoreThroughputOptions {
  return {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    incidents: positiveInt(env.BENCH_INCIDENTS, 1000, 'BENCH_INCIDENTS'),
    concurrency: positiveInt(env.BENCH_CONCURRENCY, 8, 'BENCH_CONCURRENCY'),
    notes: positiveInt(env.BENCH_NOTES, 20, 'BENCH_NOTES'),
    pings: positiveInt(env.BENCH_PINGS, 20_000, 'BENCH_PINGS'),
    print,
  };
}

export async function coreThroughput(o: CoreThroughputOptions): Promise<void> {
  const ensured = await ensureRedis(o.redisUrl, { dataDir: join(tmpdir(), 'incident-bench'), ephemeral: true });
  // Same client options as src/main.ts.
  const redis = new Redis(ensured.url, { maxRetriesPerRequest: 3, lazyConnect: false });
  const counting = new Redis(ensured.url, { maxRetriesPerRequest: 3, lazyConnect: false });
  redis.on('error', (err: Error) => o.print(`redis error: ${err.message}`));
  counting.on('error', (err: Error) => o.print(`redis error: ${err.message}`));
  const prefix = `bench:${Date.now()}:${process.pid}:`;
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-pm-'));
  try {
    const server = await serverInfo(redis);
    o.print(`## Core: declare → ${o.notes} notes → resolve → close\n`);
    o.print(`- Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model.trim() ?? '?'}), ${process.platform}/${process.arch}`);
    o.print(
      `- Redis ${server.version} at ${maskUrl(ensured.url)}${ensured.spawned ? ' (throwaway, started for this run)' : ''}` +
        `, AOF ${server.aof ? 'on' : 'off'}${server.aof ? ` (appendfsync ${server.fsync})` : ''}`,
    );
    o.print(`- ${o.incidents} incidents, ${o.concurrency} in flight, ${o.notes} notes each; key prefix ${prefix} (deleted afterwards)`);
    // Other work on the machine shows up directly in p99: say how busy it was.
    o.print(`- Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

    // Floor: the raw round trip on a client built like the bot's, sequential and with the same
    // number of requests in flight as the workload has incidents in flight.
    await pings(redis, 500, 1); // warm-up
    const pingSeq = await pings(redis, o.pings, 1);
    const pingConc = await pings(redis, o.pings, o.concurrency);

    // Round trips per command, counted on a separate client one incident at a time (so every
    // request belongs to the command being run). Also warms up the JIT and the Lua script cache.
    const tally = countRoundTrips(counting);
    const calib = makeDeps(counting, ensured.url, prefix, pmDir);
    for (let i = 0; i < CALIBRATION_INCIDENTS; i++) {
      await runIncident(calib.deps, `calibration-${i}`, o.notes, async (kind, run) => {
        tally.begin(kind);
        try {
          return await run();
        } finally {
          tally.end();
        }
      });
    }

    // The measured run.
    const measured = makeDeps(redis, ensured.url, prefix, pmDir);
    const { deps } = measured;
    const samples: Record<Kind, number[]> = { declare: [], note: [], resolve: [], close: [] };
    const timed = async (kind: Kind, run: () => Promise<Reply>): Promise<Reply> => {
      const start = process.hrtime.bigint();
      const reply = await run();
      samples[kind].push(Number(process.hrtime.bigint() - start) / 1e6);
      return reply;
    };
    const cpuBefore = process.cpuUsage();
    const redisCpuBefore = await redisCpuSeconds(redis);
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(o.concurrency, o.incidents) }, async () => {
        while (next < o.incidents) {
          const i = next++;
          await runIncident(deps, `u${i}`, o.notes, timed);
        }
      }),
    );
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;

    const stillOpen = await deps.store.list(WORKSPACE, { limit: 1 });
    if (stillOpen.length > 0) throw new Error(`bench: ${stillOpen[0]?.ref} is still open after the run`);
    if (calib.log.problems + measured.log.problems > 0) {
      throw new Error(`bench: ${calib.log.problems + measured.log.problems} warnings/errors were logged: ${calib.log.first ?? measured.log.first}`);
    }

    // Report.
    const all = KINDS.flatMap((k) => samples[k]);
    const totalCommands = all.length;
    const trips = (k: Kind): number => tally.total(k) / (tally.runs(k) || 1);
    const tripsAll = KINDS.reduce((s, k) => s + tally.total(k), 0) / KINDS.reduce((s, k) => s + tally.runs(k), 0);
    const floorMs = (rt: number): string => fmt(rt * pingSeq.p50);
    o.print('| operation | count | p50 ms | p99 ms | max ms | Redis round trips | floor ms (trips × PING p50) |');
    o.print('|---|--:|--:|--:|--:|--:|--:|');
    for (const k of KINDS) {
      const s = stats(samples[k]);
      o.print(`| ${k} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${fmt(trips(k), 1)} | ${floorMs(trips(k))} |`);
    }
    const s = stats(all);
    o.print(`| all commands | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${fmt(tripsAll, 1)} | ${floorMs(tripsAll)} |`);
    o.print(`| PING, sequential | ${pingSeq.n} | ${fmt(pingSeq.p50)} | ${fmt(pingSeq.p99)} | ${fmt(pingSeq.max)} | 1 | |`);
    o.print(`| PING, ${o.concurrency} in flight | ${pingConc.n} | ${fmt(pingConc.p50)} | ${fmt(pingConc.p99)} | ${fmt(pingConc.max)} | 1 | |`);
    o.print('');
    const cps = totalCommands / wallS;
    o.print(`- Commands: **${Math.round(cps).toLocaleString('en')}/s** (${totalCommands.toLocaleString('en')} in ${fmt(wallS, 1)} s wall, ${fmt(o.incidents / wallS, 1)} incidents/s).`);
    o.print(
      `- PING: ${Math.round(pingSeq.opsPerSec).toLocaleString('en')}/s sequential, ${Math.round(pingConc.opsPerSec).toLocaleString('en')}/s with ${o.concurrency} in flight.`,
    );
    o.print(
      `- Floor: at ${fmt(tripsAll, 1)} round trips per command, Redis round trips alone would allow ≈ ${Math.round(pingConc.opsPerSec / tripsAll).toLocaleString('en')} commands/s ` +
        `(PING ops/s with ${o.concurrency} in flight ÷ trips); measured is ${fmt((100 * cps) / (pingConc.opsPerSec / tripsAll), 0)}% of that.`,
    );
    o.print(
      `- CPU during the run: bot process ${fmt((100 * (cpu.user + cpu.system)) / 1e6 / wallS, 0)}% of one core, ` +
        `redis-server ${fmt((100 * redisCpu) / wallS, 0)}% of one core.`,
    );
    o.print(`- Round trips per command, by Redis command (${CALIBRATION_INCIDENTS} incidents counted one at a time):`);
    for (const k of KINDS) o.print(`  - ${k}: ${tally.describe(k)}`);
  } finally {
    await deleteKeys(redis, prefix).catch((err: Error) => o.print(`cleanup of ${prefix}* failed: ${err.message}`));
    await Promise.all([redis.quit().catch(() => undefined), counting.quit().catch(() => undefined)]);
    await ensured.stop();
    await rm(pmDir, { recursive: true, force: true });
  }
}

/** Deps as src/main.ts builds them, with a chat that prints nowhere and a logger that only counts. */
function makeDeps(redis: Redis, url: string, prefix: string, pmDir: string): { deps: Deps; log: CountingLogger } {
  const parsed = parseConfig({ postmortems: { dir: pmDir } });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const config = parsed.config;
  const log = new CountingLogger();
  const deps: Deps = {
    store: new RedisIncidentStore(redis, prefix),
    chat: new LocalWorkspace(() => {}, config.channels.announce),
    clock: systemClock,
    config,
    t: translator(config.locale),
    log,
    postmortems: new PostmortemFiles(config.postmortems.dir),
    scheduler: new BullScheduler({ connection: url, prefix: `${prefix}{q}` }),
    oncall: new RedisOnCallStore(redis, prefix),
  };
  return { deps, log };
}

type Runner = (kind: Kind, run: () => Promise<Reply>) => Promise<Reply>;

/** One incident's life, through dispatch() like an adapter; any unexpected reply stops the bench. */
async function runIncident(deps: Deps, userId: string, notes: number, run: Runner): Promise<void> {
  const user = { id: userId, name: userId };
  const inv = (channelId: string, text: string): Invocation => ({ platform: 'local', workspace: WORKSPACE, channelId, user, text });
  const declared = await run('declare', () => dispatch(deps, commands, inv('general', `declare Checkout latency for ${userId} --sev P2`)));
  const m = /^Declared (\S+):.*<#([^>]+)>/.exec(declared.text);
  if (!m?.[1] || !m[2]) throw new Error(`bench: declare answered "${declared.text}"`);
  const [, ref, channel] = m;
  const expect = (reply: Reply, wanted: string, what: string): void => {
    if (!reply.text.startsWith(wanted)) throw new Error(`bench: ${what} in #${channel} answered "${reply.text}"`);
  };
  for (let n = 1; n <= notes; n++) {
    const reply = await run('note', () => dispatch(deps, commands, inv(channel, `note step ${n}: checked the "${userId}" dashboards, p99 still high`)));
    expect(reply, deps.t('reply.note_added', { ref }), 'note');
  }
  expect(await run('resolve', () => dispatch(deps, commands, inv(channel, 'resolve rolled back the deploy'))), deps.t('reply.done'), 'resolve');
  expect(await run('close', () => dispatch(deps, commands, inv(channel, 'close'))), deps.t('reply.closed', { ref, path: '' }), 'close');
}

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

async function pings(redis: Redis, count: number, concurrency: number): Promise<Stats & { opsPerSec: number }> {
  const samples: number[] = [];
  let left = count;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        const t0 = process.hrtime.bigint();
        await redis.ping();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...stats(samples), opsPerSec: count / seconds };
}

interface Tally {
  /** Requests sent from now on belong to one run of `kind`, until end(). */
  begin(kind: Kind): void;
  end(): void;
  total(kind: Kind): number;
  runs(kind: Kind): number;
  describe(kind: Kind): string;
}

/** Counts every request the client sends, by the bench command that was running when it left. */
function countRoundTrips(redis: Redis): Tally {
  const byKind = new Map<Kind, Map<string, number>>();
  const runs = new Map<Kind, number>();
  let current: Kind | undefined;
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    if (current) {
      const names = byKind.get(current) ?? new Map<string, number>();
      byKind.set(current, names);
      const name = command.name.toUpperCase();
      names.set(name, (names.get(name) ?? 0) + 1);
    }
    return send(command, ...rest);
  }) as typeof redis.sendCommand;
  return {
    begin(kind) {
      current = kind;
      runs.set(kind, (runs.get(kind) ?? 0) + 1);
    },
    end() {
      current = undefined;
    },
    total: (k) => [...(byKind.get(k)?.values() ?? [])].reduce((a, b) => a + b, 0),
    runs: (k) => runs.get(k) ?? 0,
    describe: (k) => {
      const n = runs.get(k) || 1;
      return [...(byKind.get(k) ?? [])].map(([name, c]) => `${name} ×${fmt(c / n, 1)}`).join(', ');
    },
  };
}

class CountingLogger implements Logger {
  problems = 0;
  first: string | undefined;
  info(): void {}
  warn(data: object, msg: string): void {
    this.note(data, msg);
  }
  error(data: object, msg: string): void {
    this.note(data, msg);
  }
  child(): Logger {
    return this;
  }
  private note(data: object, msg: string): void {
    this.problems++;
    this.first ??= `${msg} ${JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`;
  }
}

async function serverInfo(redis: Redis): Promise<{ version: string; aof: boolean; fsync: string }> {
  const info = await redis.info('server');
  const persistence = await redis.info('persistence');
  const fsync = await redis.config('GET', 'appendfsync').catch(() => [] as unknown[]);
  return {
    version: field(info, 'redis_version') ?? '?',
    aof: field(persistence, 'aof_enabled') === '1',
    fsync: Array.isArray(fsync) && typeof fsync[1] === 'string' ? fsync[1] : '?',
  };
}

/** redis-server's own CPU seconds (user + sys); NaN when INFO does not show them. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(field(info, 'used_cpu_user') ?? NaN) + Number(field(info, 'used_cpu_sys') ?? NaN);
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.unlink(...keys);
  }
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  coreThroughput(optionsFromEnv()).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
