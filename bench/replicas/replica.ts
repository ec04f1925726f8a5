import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Reply } from '../../src/app/context.js';
import { startRelay } from '../../src/app/relay.js';
import { openRedis, redisTarget, whenReady } from '../../src/infra/redis-connect.js';
import { bullConnection } from '../../src/scheduler/bull-clients.js';
import { makeDeps, runIncident } from '../core/incident.js';
import type { Kind, Runner } from '../core/incident.js';
import { envInt } from '../lib/env.js';
import { CountingLogger } from '../lib/logger.js';
import { forEachConcurrently } from '../lib/pool.js';
import { msSince } from '../lib/stats.js';
import { shareOf, workspaceOf } from './share.js';

/**
 * One replica of the replicas bench (bench/replicas.ts starts 1, 2 or 4 of these, each its own
 * Node process): the bot's core as src/main.ts wires it (its own Redis client with
 * auto-pipelining, BullMQ queues, the outbox relay), driving its share of the incidents through
 * dispatch() when told to, then the round-trip floor with the same users.
 *
 * JSON lines with the parent: this process writes `ready`, `result` and `floor` on stdout; it
 * reads `run`, `floor` and `exit` on stdin.
 *
 * Env: REDIS_URL or REDIS_CLUSTER_NODES; BENCH_PREFIX (shared by the replicas of one run),
 * BENCH_PM_DIR, BENCH_REPLICA (1…), BENCH_REPLICAS, BENCH_INCIDENTS (all replicas together),
 * BENCH_WORKSPACES, BENCH_CONCURRENCY (per replica), BENCH_NOTES, BENCH_TRIPS (round trips per
 * incident, for the floor).
 */

export interface ReplicaResult {
  samples: Record<Kind, number[]>;
  /** Wall clock (ms since the epoch, sub-millisecond) when the work started and ended. */
  startMs: number;
  endMs: number;
  /** Percent of one core over the run. */
  cpuPct: number;
  /** Write and read system calls over the run (Linux; NaN elsewhere). */
  syscalls: { writes: number; reads: number };
}

export interface FloorResult {
  commands: number;
  startMs: number;
  endMs: number;
}

const env = process.env;
const prefix = env.BENCH_PREFIX ?? '';
const replica = envInt(env, 'BENCH_REPLICA', 1) - 1;
const replicas = envInt(env, 'BENCH_REPLICAS', 1);
const incidents = envInt(env, 'BENCH_INCIDENTS', 1000);
const workspaces = envInt(env, 'BENCH_WORKSPACES', 8);
const concurrency = envInt(env, 'BENCH_CONCURRENCY', 8);
const notes = envInt(env, 'BENCH_NOTES', 20);
const trips = envInt(env, 'BENCH_TRIPS', 1);

const nowMs = (): number => performance.timeOrigin + performance.now();
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const target = redisTarget({ REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES });
  // As src/main.ts opens the bot's main client.
  const redis = openRedis(target, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  await whenReady(redis, target);
  const log = new CountingLogger();
  const deps = makeDeps(redis, bullConnection(target), prefix, env.BENCH_PM_DIR ?? '', log);
  const relay = startRelay(deps);
  // Warm-up in a workspace of its own: the JIT, the script cache on this connection.
  for (let i = 0; i < 10; i++) await runIncident(deps, `warm${replica}-${i}`, notes, (_kind, run) => run(), `warm${replica}`);
  const mine = shareOf(replica, replicas, incidents, workspaces);
  const lines = createInterface({ input: process.stdin });
  say({ ready: true });
  for await (const line of lines) {
    if (line === 'run') say({ result: await measured(deps, mine) });
    else if (line === 'floor') say({ floor: await floor(redis, mine) });
    else if (line === 'exit') break;
  }
  await relay.stop();
  log.assertQuiet('replica');
}

async function measured(deps: Parameters<typeof runIncident>[0], mine: readonly number[]): Promise<ReplicaResult> {
  const samples: Record<Kind, number[]> = { declare: [], note: [], resolve: [], close: [] };
  const timed: Runner = async (kind: Kind, run: () => Promise<Reply>): Promise<Reply> => {
    const start = process.hrtime.bigint();
    const reply = await run();
    samples[kind].push(msSince(start));
    return reply;
  };
  const cpuBefore = process.cpuUsage();
  const ioBefore = syscalls();
  const startMs = nowMs();
  await forEachConcurrently(mine.length, concurrency, (j) => {
    const i = mine[j]!;
    return runIncident(deps, `u${i}`, notes, timed, workspaceOf(i, workspaces));
  });
  const endMs = nowMs();
  const cpu = process.cpuUsage(cpuBefore);
  const io = syscalls();
  return { samples, startMs, endMs, cpuPct: (100 * (cpu.user + cpu.system)) / 1e3 / (endMs - startMs), syscalls: { writes: io.writes - ioBefore.writes, reads: io.reads - ioBefore.reads } };
}

/** This process's write and read system calls so far (socket writes are most of them), from /proc. */
function syscalls(): { writes: number; reads: number } {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    return { writes: Number(/^syscw: (\d+)/m.exec(io)?.[1] ?? NaN), reads: Number(/^syscr: (\d+)/m.exec(io)?.[1] ?? NaN) };
  } catch {
    return { writes: NaN, reads: NaN };
  }
}

/**
 * The floor with the same users: per incident, as many round trips one after another as the bot
 * takes for one (BENCH_TRIPS), each a no-op keyed read (EXISTS of a missing key) in the
 * incident's workspace slot, so under Cluster it goes to the master that workspace's commands go to.
 */
async function floor(redis: ReturnType<typeof openRedis>, mine: readonly number[]): Promise<FloorResult> {
  const startMs = nowMs();
  await forEachConcurrently(mine.length, concurrency, async (j) => {
    const key = `${prefix}inc:{${workspaceOf(mine[j]!, workspaces)}}:floor`;
    for (let t = 0; t < trips; t++) await redis.exists(key);
  });
  return { commands: mine.length * (notes + 3), startMs, endMs: nowMs() };
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`replica ${replica}: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
