import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import type { Deps } from '../src/app/context.js';
import { dispatch } from '../src/app/dispatch.js';
import { startRelay } from '../src/app/relay.js';
import { ensureRedis, freePort } from '../src/infra/redis-server.js';
import { COMPLETED_KEPT, connectionOptions, QUEUES } from '../src/scheduler/bullmq-scheduler.js';
import { benchWorkers } from './lib/bot.js';
import { knobReader, type OptionsOf } from './lib/env.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { serverInfo } from './lib/redis.js';
import { nodeAndCpu, printTable } from './lib/report.js';
import { keyBreakdown, usedMemory, type KeyClass } from './memory/keys.js';
import { memoryDeps, NOTES, runIncident, WORKSPACE, type PagedChat } from './memory/incident.js';

/**
 * `npm run bench:memory`: Redis memory per open incident and per 10,000 closed ones (issue 13),
 * on a throwaway redis-server started for the run. An incident is declared (P1, paging the
 * on-call person), acknowledged by ✅ on its page DM, gets 20 notes, and (closed ones) is
 * resolved and closed with its postmortem draft, through dispatch() on the bot's real stores,
 * outbox, relay and BullMQ workers. Figures are INFO memory `used_memory` deltas from the same
 * Redis before the bot wrote anything (the baseline), then MEMORY USAGE per key pattern.
 *
 * Two moments for the closed incidents: right after they closed, while their finished BullMQ jobs
 * are still kept to deduplicate by id and their postmortem review reminders still wait (a day to
 * a week), and after those windows, when only the record is left (simulated by cleaning the
 * queues' completed and delayed jobs, which the age trimming and the reminders' runs would do).
 */

const KNOBS = {
  closed: ['BENCH_MEMORY_CLOSED', 2_000],
  open: ['BENCH_MEMORY_OPEN', 200],
  lanes: ['BENCH_MEMORY_LANES', 8],
} as const;

export type RedisMemoryOptions = OptionsOf<typeof KNOBS>;
export const redisMemoryOptionsFromEnv = knobReader(KNOBS);

const QUEUE_NAMES = [QUEUES.steps, QUEUES.outbound, 'handoff', 'followups'];

interface Run {
  deps: Deps;
  chat: PagedChat;
  queues: Queue[];
  /** Incidents started so far (their numbers are 1..started, in the order they were declared). */
  started: number;
}

/** `count` incidents in `lanes` concurrent lanes, each one after another. */
async function drive(run: Run, count: number, lanes: number, open: boolean): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await runIncident(run.deps, run.chat, ++run.started, { open });
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

/** Resolves and closes incidents left open by `drive(…, open: true)`. */
async function closeOpen(run: Run, numbers: number[], lanes: number): Promise<void> {
  const queue = [...numbers];
  const lane = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const inc = await run.deps.store.get({ workspace: WORKSPACE, number: n });
      const user = inc?.roles.commander ?? { id: 'ic0', name: 'ic0' };
      for (const [text, wanted] of [['resolve rolled back the deploy', /^Done\./], ['close', /^INC-\d+ is closed\./]] as const) {
        const reply = await dispatch(run.deps, commands, { platform: 'local', workspace: WORKSPACE, channelId: inc?.channelId ?? '', user, text });
        if (!wanted.test(reply.text)) throw new Error(`bench: "${text}" on INC-${n} answered "${reply.text}"`);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** Until nothing is queued to run now, no outbox entry is due soon, and three polls in a row agree. */
async function settle(run: Run): Promise<void> {
  for (let quiet = 0, tries = 0; quiet < 3; tries++) {
    if (tries > 3000) throw new Error('bench: the bot never went idle');
    await new Promise((r) => setTimeout(r, 20));
    const counts = await Promise.all(run.queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
    const outbox = await run.deps.outbox.pending(WORKSPACE, Date.now() + 1_000);
    const busy = outbox > 0 || counts.some((c) => Object.values(c).some((n) => n > 0));
    quiet = busy ? 0 : quiet + 1;
  }
}

/** Deletes every key with a TTL under `prefix` (dedupe marks, idempotency keys: they expire within 60 days), returns how many. */
async function expireAll(redis: Redis, prefix: string): Promise<number> {
  let n = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length === 0) continue;
    const ttls = await Promise.all(keys.map((k) => redis.pttl(k)));
    const gone = keys.filter((_, i) => (ttls[i] ?? -1) > 0);
    if (gone.length) await redis.unlink(...gone);
    n += gone.length;
  }
  return n;
}

/** Mean MEMORY USAGE of up to 100 of the queue's completed jobs (their hashes). */
async function completedJobBytes(redis: Redis, queue: Queue): Promise<number> {
  const jobs = await queue.getCompleted(0, 99);
  const sizes = await Promise.all(jobs.map((j) => redis.memory('USAGE', `${queue.opts.prefix}:${queue.name}:${j.id}`, 'SAMPLES', 0)));
  return sizes.length ? sizes.reduce((a: number, b) => a + Number(b ?? 0), 0) / sizes.length : NaN;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function redisMemory(o: RedisMemoryOptions): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  // A free port nobody listens on: ensureRedis finds no Redis there and starts a throwaway one.
  const server = await ensureRedis(`redis://127.0.0.1:${await freePort()}`, { dataDir, ephemeral: true });
  const redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-memory-pm-'));
  const prefix = 'ic:';
  const log = new CountingLogger();
  const t0 = Date.now();
  try {
    const info = await serverInfo(redis);
    const empty = await usedMemory(redis);
    const { deps, chat, scheduler } = memoryDeps(redis, server.url, prefix, pmDir, log);
    const workers = benchWorkers(deps, server.url, `${prefix}{q}`);
    const relay = startRelay(deps);
    const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: connectionOptions(server.url), prefix: `${prefix}{q}` }));
    const run: Run = { deps, chat, queues, started: 0 };
    try {
      // Warm-up: scripts loaded, queues' metadata written, connections open.
      await drive(run, 5, 1, false);
      await settle(run);
      const base = await usedMemory(redis);
      const warm = run.started;

      await drive(run, o.open, o.lanes, true);
      await settle(run);
      const openMem = await usedMemory(redis);
      const perOpen = (openMem - base) / o.open;
      const openBreakdown = await keyBreakdown(redis, prefix);

      const half = Math.max(o.open, Math.floor(o.closed / 2));
      await closeOpen(run, Array.from({ length: o.open }, (_, i) => warm + 1 + i), o.lanes);
      await drive(run, half - o.open, o.lanes, false);
      await settle(run);
      const halfMem = await usedMemory(redis);
      await drive(run, o.closed - half, o.lanes, false);
      await settle(run);
      const closedMem = await usedMemory(redis);
      const closedBreakdown = await keyBreakdown(redis, prefix);
      const completed = await Promise.all(queues.map((q) => q.getCompletedCount()));
      const completedBytes = await Promise.all(queues.map((q) => completedJobBytes(redis, q)));
      const delayed = await Promise.all(queues.map((q) => q.getDelayedCount()));

      // The windows pass: finished jobs age out, the review reminders run and are trimmed in turn.
      for (const q of queues) {
        await q.clean(0, 1_000_000, 'completed');
        await q.clean(0, 1_000_000, 'delayed');
      }
      const expired = await expireAll(redis, prefix);
      // The last review reminder takes its incident out of the awaiting set; cleaned here, it cannot.
      await redis.del(`${prefix}pm:{${WORKSPACE}}:awaiting`);
      await settle(run);
      const afterMem = await usedMemory(redis);
      const afterBreakdown = await keyBreakdown(redis, prefix);
      log.assertQuiet('redis-memory bench');

      report(o, {
        info, empty, base, warm, perOpen, expired, completedBytes, halfMem, closedMem, afterMem, half, completed, delayed,
        openBreakdown, closedBreakdown, afterBreakdown, seconds: (Date.now() - t0) / 1000,
      });
    } finally {
      await relay.stop();
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.close()));
      await scheduler.close();
    }
  } finally {
    await redis.quit().catch(() => undefined);
    await server.stop();
    await rm(pmDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Figures {
  info: { version: string };
  empty: number;
  base: number;
  warm: number;
  perOpen: number;
  half: number;
  halfMem: number;
  closedMem: number;
  afterMem: number;
  completed: number[];
  delayed: number[];
  expired: number;
  /** Mean MEMORY USAGE of a completed job, per queue (NaN without any). */
  completedBytes: number[];
  openBreakdown: KeyClass[];
  closedBreakdown: KeyClass[];
  afterBreakdown: KeyClass[];
  seconds: number;
}

function report(o: RedisMemoryOptions, f: Figures): void {
  const p = o.print;
  const perClosed = (f.closedMem - f.base) / o.closed;
  const perRecord = (f.afterMem - f.base) / o.closed;
  const firstHalf = (f.halfMem - f.base) / f.half;
  const secondHalf = (f.closedMem - f.halfMem) / (o.closed - f.half);
  const scale = 10_000 / o.closed;
  // Past COMPLETED_KEPT a queue drops its oldest completed jobs: what linear scaling over-counts.
  const overCap = f.completed.reduce((sum, n, i) => sum + Math.max(0, n * scale - COMPLETED_KEPT) * (f.completedBytes[i] || 0), 0);
  p('## Redis memory per incident (issue 13)');
  p('');
  p(`${nodeAndCpu()}; Redis ${f.info.version}, a throwaway redis-server started for the run; ${f.seconds.toFixed(0)} s.`);
  p(`An incident: declared (P1, paging one person), ✅ on its page DM, ${NOTES} notes; closed ones then resolved and closed (postmortem draft, stats record).`);
  p(`Baseline: used_memory of the empty Redis, ${mb(f.empty)} MB; the bot started with ${f.warm} warm-up incidents, ${mb(f.base)} MB (scripts, queue metadata, connections). Figures are used_memory deltas from the latter.`);
  p('');
  const extrapolated = o.closed === 10_000 ? 'measured' : `${o.closed.toLocaleString('en')} measured, × ${scale} (linear: ${kb(firstHalf)} kB each in the first half, ${kb(secondHalf)} kB in the second)`;
  printTable(p, ['what', 'per incident', 'per 10,000'], [
    [`open incident (${o.open} open at once: pending timers, page DM link, outbox empty)`, `${kb(f.perOpen)} kB`, `${mb(f.perOpen * 10_000)} MB`],
    ['closed incident, the first day (finished jobs still kept to deduplicate, review reminders waiting)', `${kb(perClosed)} kB`, `${mb(perClosed * 10_000)} MB (${extrapolated})`],
    ...(overCap > 0 ? [['… the same 10,000 with each queue trimmed to its completed-job count', '', `${mb(perClosed * 10_000 - overCap)} MB`]] : []),
    ['closed incident after the windows (the record: state, timeline, indexes; finished jobs trimmed, keys with a TTL expired)', `${kb(perRecord)} kB`, `${mb(perRecord * 10_000)} MB`],
  ]);
  p('');
  p(`Right after closing: completed jobs ${QUEUE_NAMES.map((q, i) => `${q} ${f.completed[i]}`).join(', ')} (at most ${COMPLETED_KEPT.toLocaleString('en')} each; a completed job ${QUEUE_NAMES.flatMap((q, i) => (Number.isFinite(f.completedBytes[i]) ? [`${q} ${Math.round(f.completedBytes[i] ?? 0)} B`] : [])).join(', ')}); delayed ${QUEUE_NAMES.map((q, i) => `${q} ${f.delayed[i]}`).join(', ')}. After the windows: ${f.expired.toLocaleString('en')} keys with a TTL expired.`);
  p('');
  breakdown(p, 'Open incidents', f.openBreakdown, o.open + f.warm);
  breakdown(p, 'Closed incidents, right after closing', f.closedBreakdown, o.closed + f.warm);
  breakdown(p, 'Closed incidents, after the windows', f.afterBreakdown, o.closed + f.warm);
}

function breakdown(p: (line: string) => void, title: string, classes: KeyClass[], incidents: number): void {
  p(`### ${title}: MEMORY USAGE by key (${incidents} incidents, warm-up included)`);
  p('');
  const total = classes.reduce((s, c) => s + c.bytes, 0);
  printTable(p, ['key', 'type', 'keys', 'bytes in all', 'per incident'], [
    ...classes.slice(0, 24).map((c) => [`\`${c.pattern}\``, c.type, c.keys, c.bytes.toLocaleString('en'), `${Math.round(c.bytes / incidents)} B`]),
    ['all keys', '', classes.reduce((s, c) => s + c.keys, 0), total.toLocaleString('en'), `${Math.round(total / incidents)} B`],
  ]);
  p('');
}

runAsMain(import.meta.url, () => redisMemory(redisMemoryOptionsFromEnv()));
