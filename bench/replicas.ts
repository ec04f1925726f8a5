import { Redis } from 'ioredis';
import { clusterAvailable, startRedisCluster } from '../test/support/redis-cluster.js';
import type { RedisClusterHandle } from '../test/support/redis-cluster.js';
import type { RedisClient } from '../src/infra/redis-client.js';
import { openRedis, redisTarget } from '../src/infra/redis-connect.js';
import { maskUrl } from '../src/infra/redis-server.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';
import { calibrate } from './core-throughput.js';
import { KINDS } from './core/incident.js';
import type { Kind } from './core/incident.js';
import type { Tally } from './core/probes.js';
import { knobReader } from './lib/env.js';
import type { OptionsOf, Print } from './lib/env.js';
import { newClient, openFixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { redisCpuSeconds, serverInfo } from './lib/redis.js';
import { loadAverages, nodeAndCpu } from './lib/report.js';
import { stats } from './lib/stats.js';
import { printGoals, printRuns, type RunFigures } from './replicas/report.js';
import { workspaceOf } from './replicas/share.js';
import type { FloorResult } from './replicas/replica.js';
import { startReplicas } from './replicas/spawn.js';

/**
 * Replicas and Redis Cluster (issue 13): the core bench's mix (declare → 20 notes → resolve →
 * close) driven by 1, 2 and 4 bot processes at once on one Redis, then on a three-master Redis
 * Cluster started for the run. Each replica is its own Node process (bench/replicas/replica.ts)
 * with the bot's wiring; all share the Redis and the key prefix and drive their share of the
 * incidents, `BENCH_CONCURRENCY` in flight each. The incidents are spread over
 * `BENCH_WORKSPACES` workspaces: one workspace's keys live in one Cluster slot, so with one
 * workspace a single master would do all the work.
 *
 * The floor is measured in the same run by the same processes and users: per incident, as many
 * Redis round trips one after another as the bot takes for one (counted on one Redis, one
 * incident at a time), on a client with the bot's options.
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6379; a throwaway redis-server is started when
 * nothing answers), BENCH_INCIDENTS (1000, all replicas together), BENCH_CONCURRENCY (8 per
 * replica), BENCH_NOTES (20), BENCH_WORKSPACES (8), BENCH_CLUSTER (1; 0 skips the Cluster).
 */

const KNOBS = {
  incidents: ['BENCH_INCIDENTS', 1000],
  concurrency: ['BENCH_CONCURRENCY', 8],
  notes: ['BENCH_NOTES', 20],
  workspaces: ['BENCH_WORKSPACES', 8],
} as const;

const REPLICAS = [1, 2, 4];

export type ReplicasOptions = OptionsOf<typeof KNOBS> & { cluster: boolean };

export const replicasOptionsFromEnv = (env = process.env, print: Print = console.log): ReplicasOptions => ({
  ...knobReader(KNOBS)(env, print),
  cluster: env.BENCH_CLUSTER !== '0',
});

interface Topology {
  name: RunFigures['topology'];
  env: NodeJS.ProcessEnv;
  client: RedisClient;
  /** redis-server CPU seconds, all masters together. */
  cpuSeconds(): Promise<number>;
}

export async function replicasBench(o: ReplicasOptions): Promise<void> {
  const fx = await openFixture(o.redisUrl, 'bench', o.print);
  const counting = newClient(fx.url, o.print);
  let cluster: RedisClusterHandle | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const server = await serverInfo(fx.redis);
    o.print(`## Replicas and Redis Cluster: declare → ${o.notes} notes → resolve → close\n`);
    o.print(`- ${nodeAndCpu()}, ${process.platform}/${process.arch}. **Two cores**: with 4 replicas (plus redis-server) the processes contend for them, so the 4-replica rows measure contention, not scaling.`);
    o.print(`- Redis ${server.version} at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway, started for this run)' : ''}, AOF ${server.aof ? 'on' : 'off'}, hz ${server.hz}.`);
    o.print(
      `- ${o.incidents} incidents in all, dealt out over ${o.workspaces} workspaces (one workspace's keys share one Cluster slot, so several are needed for all masters to work) ` +
        `and over the replicas; ${o.concurrency} incidents in flight per replica. Each replica is a Node process with the bot's wiring (Redis client with auto-pipelining, BullMQ queues, the outbox relay).`,
    );
    const tally = await calibrate(counting, fx, new CountingLogger(), o.notes);
    const perIncident = tripsPerIncident(tally, o.notes);
    const tripsPerCommand = perIncident / (o.notes + 3);
    o.print(
      `- Floor: measured in each run by the same processes and users, each incident replaced by ${Math.round(perIncident)} Redis round trips one after another ` +
        `(what the bot takes for one: ${KINDS.map((k) => `${k} ${(tally.trips(k) / (tally.runs(k) || 1)).toFixed(1)}`).join(', ')}; counted on one Redis, one incident at a time), ` +
        `each an EXISTS of a missing key in the incident's workspace slot on a client with the bot's options; run just before and just after the measured run, the better pass counts. ` +
        `"% of floor" = commands/s ÷ floor commands/s. Bot CPU: all replicas together, % of one core; µs/command is that CPU time per command; writes/command: the replicas' write system calls (/proc/self/io) per command. ` +
        `"CPU ceiling ×": the most n replicas could do against one if each command cost the CPU it costs one replica: the machine's cores less redis-server's share, ÷ one replica's CPU, at most n.\n`,
    );
    const topologies: Topology[] = [{ name: 'one Redis', env: { REDIS_URL: fx.url, REDIS_CLUSTER_NODES: '' }, client: fx.redis, cpuSeconds: () => redisCpuSeconds(fx.redis) }];
    if (o.cluster && clusterAvailable()) {
      cluster = await startRedisCluster({ masters: 3 });
      const client = openRedis(redisTarget({ REDIS_URL: fx.url, REDIS_CLUSTER_NODES: cluster.nodes }), { maxRetriesPerRequest: 3 });
      const masters = cluster.ports.map((port) => new Redis(port, { maxRetriesPerRequest: 3 }));
      closers.push(() => client.quit(), ...masters.map((m) => () => m.quit()));
      topologies.push({
        name: 'Cluster, 3 masters',
        env: { REDIS_CLUSTER_NODES: cluster.nodes },
        client,
        cpuSeconds: async () => (await Promise.all(masters.map((m) => redisCpuSeconds(m)))).reduce((a, b) => a + b, 0),
      });
      o.print(`- Cluster: three masters started for the run (${cluster.nodes}), no replicas. Workspaces by master: ${await spread(cluster, fx.prefix, o.workspaces)}.\n`);
    } else {
      o.print(`- Cluster: skipped (${o.cluster ? 'redis-server or redis-cli not installed' : 'BENCH_CLUSTER=0'}).\n`);
    }
    const runs: RunFigures[] = [];
    for (const t of topologies) {
      for (const n of REPLICAS) {
        process.stderr.write(`bench: replicas, ${t.name}, ${n} replica(s)...\n`);
        runs.push(await oneRun(o, t, n, `${fx.prefix}${t === topologies[0] ? 's' : 'c'}${n}:`, fx.pmDir, Math.round(perIncident)));
      }
    }
    printRuns(o.print, runs);
    o.print('');
    printGoals(o.print, runs, { tripsPerCommand });
  } finally {
    await counting.quit().catch(() => undefined);
    for (const close of closers) await close().catch(() => undefined);
    await cluster?.stop();
    await fx.close();
  }
}

/** Round trips of one incident's life: declare, `notes` notes, resolve, close. */
function tripsPerIncident(tally: Tally<Kind>, notes: number): number {
  const per = (k: Kind): number => tally.trips(k) / (tally.runs(k) || 1);
  return per('declare') + notes * per('note') + per('resolve') + per('close');
}

/** `w0 → :port, …` and how many masters got at least one workspace. */
async function spread(cluster: RedisClusterHandle, prefix: string, workspaces: number): Promise<string> {
  const owners = await Promise.all(Array.from({ length: workspaces }, (_, i) => cluster.masterFor(`${prefix}inc:{${workspaceOf(i, workspaces)}}:seq`)));
  const counts = cluster.ports.map((port) => `:${port} ${owners.filter((p) => p === port).length}`);
  return `${counts.join(', ')} (of ${workspaces})`;
}

/** One run: `n` replicas on `t`, each its share of the incidents, then the floor with the same users. */
async function oneRun(o: ReplicasOptions, t: Topology, n: number, prefix: string, pmDir: string, trips: number): Promise<RunFigures> {
  const load = loadAverages().split(' ')[0] ?? '?';
  const replicas = await startReplicas(n, {
    ...t.env,
    BENCH_PREFIX: prefix,
    BENCH_PM_DIR: pmDir,
    BENCH_INCIDENTS: String(o.incidents),
    BENCH_WORKSPACES: String(o.workspaces),
    BENCH_CONCURRENCY: String(o.concurrency),
    BENCH_NOTES: String(o.notes),
    BENCH_TRIPS: String(trips),
  });
  try {
    // The floor just before and just after the run, the better of the two: the machine's other
    // load moves it, and a floor is what could not be beaten.
    const floorBefore = await replicas.floor();
    const cpuBefore = await t.cpuSeconds();
    const results = await replicas.run();
    const redisCpu = (await t.cpuSeconds()) - cpuBefore;
    const floorAfter = await replicas.floor();
    await replicas.stop();
    const store = new RedisIncidentStore(t.client, prefix);
    for (let w = 0; w < o.workspaces; w++) {
      const open = await store.list(workspaceOf(w, o.workspaces), { limit: 1 });
      if (open.length > 0) throw new Error(`bench: ${open[0]?.ref} in ${workspaceOf(w, o.workspaces)} is still open after the run`);
    }
    const wallS = (Math.max(...results.map((r) => r.endMs)) - Math.min(...results.map((r) => r.startMs))) / 1000;
    const all = results.flatMap((r) => KINDS.flatMap((k) => r.samples[k]));
    const s = stats(all);
    return {
      topology: t.name,
      replicas: n,
      inFlight: n * o.concurrency,
      commands: all.length,
      wallS,
      cps: all.length / wallS,
      p50: s.p50,
      p99: s.p99,
      noteP99: stats(results.flatMap((r) => r.samples.note)).p99,
      floorCps: Math.max(floorRate(floorBefore), floorRate(floorAfter)),
      botCpuPct: results.reduce((s, r) => s + r.cpuPct, 0),
      redisCpuPct: (100 * redisCpu) / wallS,
      writesPerCommand: results.reduce((s, r) => s + r.syscalls.writes, 0) / all.length,
      load: `${load} → ${loadAverages().split(' ')[0] ?? '?'}`,
    };
  } catch (err) {
    replicas.kill();
    throw err;
  }
}

/** Commands/s of one floor pass of all replicas together. */
function floorRate(floors: readonly FloorResult[]): number {
  const seconds = (Math.max(...floors.map((f) => f.endMs)) - Math.min(...floors.map((f) => f.startMs))) / 1000;
  return floors.reduce((s, f) => s + f.commands, 0) / seconds;
}

runAsMain(import.meta.url, () => replicasBench(replicasOptionsFromEnv()));
