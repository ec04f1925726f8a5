import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/infra/redis-server.js';

/**
 * A real Redis Cluster from the installed `redis-server`, for tests and benches: three masters
 * (and, with `replicas: 1`, one replica each) on free local ports, joined with
 * `redis-cli --cluster create`. Each node is a child process of ours, so a test can kill -9 a
 * master and watch its replica take over (node timeout 2 s: a failover takes a few seconds).
 */

export interface ClusterNodeProc {
  port: number;
  child: ChildProcess;
}

export interface RedisClusterHandle {
  /** `127.0.0.1:p1,127.0.0.1:p2,...` of the masters at start: the value for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  /** The port of the master serving `key`'s slot right now. */
  masterFor(key: string): Promise<number>;
  /** kill -9 of the master serving `key`; resolves once a replica serves its slot (replicas: 1 only). */
  killMasterOf(key: string, timeoutMs?: number): Promise<{ killed: number; promoted: number; ms: number }>;
  /** `CLUSTER FAILOVER` on the replica of `key`'s master; resolves once the roles have swapped. */
  failoverOf(key: string, timeoutMs?: number): Promise<{ from: number; to: number; ms: number }>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  replicas?: 0 | 1;
  /** cluster-node-timeout in ms (how long a dead master goes unnoticed). Default 2000. */
  nodeTimeoutMs?: number;
}

const READY_MS = 10_000;

export function clusterAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
}

export async function startRedisCluster(o: ClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = o.masters ?? 3;
  const replicas = o.replicas ?? 0;
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const procs: ClusterNodeProc[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => stopProc(p.child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) procs.push(await startNode(dir, o.nodeTimeoutMs ?? 2_000));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...procs.map((p) => `127.0.0.1:${p.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout.slice(-500)}${create.stderr.slice(-500)}`);
    await until(async () => (await Promise.all(procs.map((p) => clusterOk(p.port)))).every(Boolean), READY_MS, 'cluster_state:ok on every node');
    // Replicas show in CLUSTER SLOTS once they have synced with their master.
    if (replicas) await until(async () => ((s) => s.length > 0 && s.every((shard) => shard.length >= 4))(await slotsOf(procs[0]!.port)), READY_MS, 'a synced replica of every master');
  } catch (err) {
    await stop();
    throw err;
  }
  const masterPorts = procs.slice(0, masters).map((p) => p.port);
  const alive = (): ClusterNodeProc[] => procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);

  const slotOwner = async (key: string): Promise<{ master: number; replicas: number[] }> => {
    for (const p of alive()) {
      const r = new Redis(p.port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        const slot = Number(await r.call('CLUSTER', 'KEYSLOT', key));
        const shards = (await r.call('CLUSTER', 'SLOTS')) as [number, number, ...[string, number, string][]][];
        const shard = shards.find(([from, to]) => slot >= from && slot <= to);
        if (shard) {
          const [, , master, ...reps] = shard;
          return { master: master![1], replicas: reps.map((n) => n[1]) };
        }
      } catch {
        // try the next node
      } finally {
        r.disconnect();
      }
    }
    throw new Error(`no node knows the slot of ${key}`);
  };

  return {
    nodes: masterPorts.map((p) => `127.0.0.1:${p}`).join(','),
    ports: procs.map((p) => p.port),
    masterFor: async (key) => (await slotOwner(key)).master,
    async killMasterOf(key, timeoutMs = 20_000) {
      const { master, replicas: reps } = await slotOwner(key);
      if (!reps.length) throw new Error('killMasterOf needs a cluster started with replicas: 1');
      const proc = procs.find((p) => p.port === master)!;
      const started = Date.now();
      proc.child.kill('SIGKILL');
      await until(async () => reps.includes((await slotOwner(key).catch(() => ({ master: -1 }))).master) && (await clusterOk(reps[0]!)), timeoutMs, `a replica of ${master} promoted`);
      return { killed: master, promoted: (await slotOwner(key)).master, ms: Date.now() - started };
    },
    async failoverOf(key, timeoutMs = 20_000) {
      const { master, replicas: reps } = await slotOwner(key);
      if (!reps.length) throw new Error('failoverOf needs a cluster started with replicas: 1');
      const started = Date.now();
      const r = new Redis(reps[0]!, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.call('CLUSTER', 'FAILOVER');
      } finally {
        r.disconnect();
      }
      await until(async () => (await slotOwner(key)).master === reps[0], timeoutMs, `replica ${reps[0]} promoted`);
      return { from: master, to: reps[0]!, ms: Date.now() - started };
    },
    stop,
  };
}

async function startNode(dir: string, nodeTimeoutMs: number): Promise<ClusterNodeProc> {
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', String(nodeTimeoutMs),
    '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction',
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.on('exit', () => process.off('exit', killOnExit));
  await until(() => pingPort(port), 5_000, `redis-server on ${port}`);
  return { port, child };
}

async function pingPort(port: number): Promise<boolean> {
  const r = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 300 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function slotsOf(port: number): Promise<unknown[][]> {
  const r = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 300 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.call('CLUSTER', 'SLOTS')) as unknown[][];
  } catch {
    return [];
  } finally {
    r.disconnect();
  }
}

async function clusterOk(port: number): Promise<boolean> {
  const r = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 300 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return /cluster_state:ok/.test(String(await r.call('CLUSTER', 'INFO')));
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Polls `check` (a cluster has no event to await for its state) every 100 ms until true or the deadline. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`redis cluster: no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProc(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
