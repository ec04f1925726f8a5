import { availableParallelism } from 'node:os';
import type { Print } from '../lib/env.js';
import { printTable } from '../lib/report.js';
import { fmt } from '../lib/stats.js';

/** The replicas bench's Markdown: one row per topology and replica count, then the goals. */

export interface RunFigures {
  topology: 'one Redis' | 'Cluster, 3 masters';
  replicas: number;
  inFlight: number;
  commands: number;
  wallS: number;
  cps: number;
  p50: number;
  p99: number;
  noteP99: number;
  /** Commands/s the round trips alone allow, measured with the same replicas and users. */
  floorCps: number;
  /** All replicas together, percent of one core. */
  botCpuPct: number;
  redisCpuPct: number;
  /** The replicas' write system calls per command (socket writes, mostly). */
  writesPerCommand: number;
  load: string;
}

export interface Goals {
  /** Round trips per command of the mix (weighted), as counted. */
  tripsPerCommand: number;
}

const round = (n: number): string => Math.round(n).toLocaleString('en');

const cores = (): number => availableParallelism();

/**
 * The most `r.replicas` replicas could do against one if every command cost what it costs one
 * replica: the CPU the machine has besides redis-server, over one replica's CPU, at most n.
 */
function ceiling(r: RunFigures, one: RunFigures | undefined): number {
  if (!one) return NaN;
  return Math.min(r.replicas, (cores() * 100 - r.redisCpuPct) / one.botCpuPct);
}

export function printRuns(print: Print, runs: readonly RunFigures[]): void {
  const one = (r: RunFigures): RunFigures | undefined => runs.find((x) => x.topology === r.topology && x.replicas === 1);
  printTable(
    print,
    ['Redis', 'replicas', 'in flight', 'commands/s', '× one replica', 'CPU ceiling ×', 'p50 ms', 'p99 ms', 'note p99 ms', 'floor commands/s', '% of floor', 'bot CPU', 'bot CPU µs/command', 'writes/command', 'redis CPU', 'load (1 min) start → end'],
    runs.map((r) => [
      r.topology,
      r.replicas,
      r.inFlight,
      round(r.cps),
      fmt(r.cps / (one(r)?.cps ?? NaN)),
      fmt(ceiling(r, one(r))),
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.noteP99),
      round(r.floorCps),
      `${fmt((100 * r.cps) / r.floorCps, 0)}%`,
      `${fmt(r.botCpuPct, 0)}%`,
      fmt((r.botCpuPct / 100) * r.wallS * 1e6 / r.commands, 0),
      fmt(r.writesPerCommand, 1),
      `${fmt(r.redisCpuPct, 0)}%`,
      r.load,
    ]),
  );
}

/** The goals of issue 13, pass or fail, on one Redis (and the same ratios on the Cluster for comparison). */
export function printGoals(print: Print, runs: readonly RunFigures[], g: Goals): void {
  const at = (topology: RunFigures['topology'], n: number): RunFigures | undefined => runs.find((r) => r.topology === topology && r.replicas === n);
  const verdict = (ok: boolean): string => (ok ? '**pass**' : '**fail**');
  for (const topology of ['one Redis', 'Cluster, 3 masters'] as const) {
    const r1 = at(topology, 1);
    const r2 = at(topology, 2);
    if (!r1) continue;
    const share = r1.cps / r1.floorCps;
    const oneTrip = r1.floorCps * g.tripsPerCommand;
    print(
      `- ${topology}, one replica: ${round(r1.cps)} commands/s = ${fmt(100 * share, 0)}% of its floor (${round(r1.floorCps)}/s): goal ≥ 40%, ${verdict(share >= 0.4)}. ` +
        `At one round trip per command (the least a command can take) the same round-trip rate would allow ${round(oneTrip)}/s; measured is ${fmt((100 * r1.cps) / oneTrip, 0)}% of that.`,
    );
    if (r2) {
      print(
        `- ${topology}, two replicas: ${fmt(r2.cps / r1.cps)}× one (${round(r2.cps)} vs ${round(r1.cps)} commands/s): goal ≥ 1.7×, ${verdict(r2.cps / r1.cps >= 1.7)}; ` +
          `the CPU left on ${cores()} cores caps it at ${fmt(ceiling(r2, r1))}× (one replica uses ${fmt(r1.botCpuPct, 0)}% of a core, its main thread and GC and I/O threads; redis-server ${fmt(r2.redisCpuPct, 0)}% with two).`,
      );
    }
  }
}
