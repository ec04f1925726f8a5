import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FloorResult, ReplicaResult } from './replica.js';

/**
 * The replicas of one run of the replicas bench: `node --import tsx bench/replicas/replica.ts`
 * child processes (so replicas do not share Node's one thread), told in step what to do over
 * stdin, answering in JSON lines on stdout. A replica that exits early fails the run.
 */

const SCRIPT = fileURLToPath(new URL('./replica.ts', import.meta.url));

interface Replica {
  child: ChildProcess;
  /** The next message with this key; rejects when the process exits first. */
  next<T>(key: string): Promise<T>;
}

function startReplica(env: NodeJS.ProcessEnv): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const messages: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  let exited: string | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // Anything else on stdout (a library's notice) is not for us.
    if (!line.startsWith('{')) return;
    messages.push(JSON.parse(line) as Record<string, unknown>);
    wake?.();
  });
  child.on('exit', (code, signal) => {
    exited = `replica exited (${signal ?? code})`;
    wake?.();
  });
  return {
    child,
    async next<T>(key: string): Promise<T> {
      for (;;) {
        const i = messages.findIndex((m) => key in m);
        if (i >= 0) return messages.splice(i, 1)[0]![key] as T;
        if (exited) throw new Error(`${exited} before sending "${key}"`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

export interface Replicas {
  /** Every replica's measured run, started at once. */
  run(): Promise<ReplicaResult[]>;
  /** Every replica's floor, started at once. */
  floor(): Promise<FloorResult[]>;
  /** Asks them to exit and waits; throws when one did not exit cleanly (it logged a warning or error). */
  stop(): Promise<void>;
  /** kill -9 of whatever is still running (after a failure). */
  kill(): void;
}

/** Starts `count` replicas with `env` (plus BENCH_REPLICA, BENCH_REPLICAS) and waits until each has warmed up. */
export async function startReplicas(count: number, env: NodeJS.ProcessEnv): Promise<Replicas> {
  const all = Array.from({ length: count }, (_, r) => startReplica({ ...process.env, ...env, BENCH_REPLICA: String(r + 1), BENCH_REPLICAS: String(count) }));
  const kill = (): void => all.forEach((r) => r.child.exitCode === null && r.child.kill('SIGKILL'));
  try {
    await Promise.all(all.map((r) => r.next('ready')));
  } catch (err) {
    kill();
    throw err;
  }
  const ask = async <T>(word: string): Promise<T[]> => {
    for (const r of all) r.child.stdin!.write(`${word}\n`);
    return Promise.all(all.map((r) => r.next<T>(word === 'run' ? 'result' : word)));
  };
  return {
    run: () => ask<ReplicaResult>('run'),
    floor: () => ask<FloorResult>('floor'),
    async stop() {
      const codes = await Promise.all(
        all.map((r) => {
          const done = new Promise<number | null>((resolve) => (r.child.exitCode !== null ? resolve(r.child.exitCode) : r.child.once('exit', (code) => resolve(code))));
          r.child.stdin!.end('exit\n');
          return done;
        }),
      );
      if (codes.some((c) => c !== 0)) throw new Error(`bench: a replica exited with ${codes.join(', ')} (see its message above)`);
    },
    kill,
  };
}
