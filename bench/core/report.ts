import type { Print } from '../lib/env.js';
import { printTable } from '../lib/report.js';
import { fmt, stats } from '../lib/stats.js';
import { KINDS } from './incident.js';
import type { Kind } from './incident.js';
import type { PingStats, Tally } from './probes.js';

/** The core bench's Markdown: the latency table, then the rates, the floor and the round trips. */

export const CALIBRATION_INCIDENTS = 5;

export interface CoreFigures {
  incidents: number;
  concurrency: number;
  samples: Record<Kind, number[]>;
  tally: Tally<Kind>;
  pingSeq: PingStats;
  pingConc: PingStats;
  wallS: number;
  /** Percent of one core over the measured run. */
  cpuPct: number;
  redisPct: number;
}

export function printCoreReport(print: Print, f: CoreFigures): void {
  const tripsAll = KINDS.reduce((s, k) => s + f.tally.trips(k), 0) / KINDS.reduce((s, k) => s + f.tally.runs(k), 0);
  printLatencies(print, f, tripsAll);
  print('');
  const totalCommands = KINDS.reduce((s, k) => s + f.samples[k].length, 0);
  const cps = totalCommands / f.wallS;
  const perConc = Math.round(f.pingConc.opsPerSec).toLocaleString('en');
  print(`- Commands: **${Math.round(cps).toLocaleString('en')}/s** (${totalCommands.toLocaleString('en')} in ${fmt(f.wallS, 1)} s wall, ${fmt(f.incidents / f.wallS, 1)} incidents/s).`);
  print(`- PING: ${Math.round(f.pingSeq.opsPerSec).toLocaleString('en')}/s sequential, ${perConc}/s with ${f.concurrency} in flight.`);
  print(
    `- Floor: at ${fmt(tripsAll, 1)} round trips per command, Redis round trips alone would allow ≈ ${Math.round(f.pingConc.opsPerSec / tripsAll).toLocaleString('en')} commands/s ` +
      `(PING ops/s with ${f.concurrency} in flight ÷ trips); measured is ${fmt((100 * cps) / (f.pingConc.opsPerSec / tripsAll), 0)}% of that. ` +
      `A round trip is one wait for Redis: commands sent together (a MULTI, a pipeline, auto-pipelined calls) count once, as ` +
      `the PINGs do (${f.concurrency} sequential PINGers on a client with the bot's options, auto-pipelining included).`,
  );
  print(`- CPU during the run: bot process ${fmt(f.cpuPct, 0)}% of one core, redis-server ${fmt(f.redisPct, 0)}% of one core.`);
  print(`- Round trips per command, and the Redis commands sent in them (${CALIBRATION_INCIDENTS} incidents counted one at a time):`);
  for (const k of KINDS) {
    const n = f.tally.runs(k) || 1;
    print(`  - ${k}: ${fmt(f.tally.trips(k) / n, 1)} round trips, ${fmt(f.tally.total(k) / n, 1)} commands: ${f.tally.describe(k)}`);
  }
}

function printLatencies(print: Print, f: CoreFigures, tripsAll: number): void {
  const trips = (k: Kind): number => f.tally.trips(k) / (f.tally.runs(k) || 1);
  const floorMs = (rt: number): string => fmt(rt * f.pingSeq.p50);
  const latency = (label: string, samples: number[], rt: number): string[] => {
    const s = stats(samples);
    return [label, String(s.n), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(rt, 1), floorMs(rt)];
  };
  const ping = (label: string, s: PingStats): string[] => [label, String(s.n), fmt(s.p50), fmt(s.p99), fmt(s.max), '1', ''];
  printTable(print, ['operation', 'count', 'p50 ms', 'p99 ms', 'max ms', 'Redis round trips', 'floor ms (trips × PING p50)'], [
    ...KINDS.map((k) => latency(k, f.samples[k], trips(k))),
    latency('all commands', KINDS.flatMap((k) => f.samples[k]), tripsAll),
    ping('PING, sequential', f.pingSeq),
    ping(`PING, ${f.concurrency} in flight`, f.pingConc),
  ]);
}
