import type { Redis } from 'ioredis';
import { forEachConcurrently } from '../lib/pool.js';
import { fmt, msSince, stats } from '../lib/stats.js';
import type { Stats } from '../lib/stats.js';

/** Redis-side measures of the core bench: the PING floor and round trips counted per command. */

export type PingStats = Stats & { opsPerSec: number };

/** `count` PINGs, `concurrency` in flight: each one's latency and the rate. */
export async function pings(redis: Redis, count: number, concurrency: number): Promise<PingStats> {
  const samples: number[] = [];
  const started = process.hrtime.bigint();
  await forEachConcurrently(count, concurrency, async () => {
    const t0 = process.hrtime.bigint();
    await redis.ping();
    samples.push(msSince(t0));
  });
  const seconds = msSince(started) / 1000;
  return { ...stats(samples), opsPerSec: count / seconds };
}

export interface Tally<Kind extends string> {
  /** Requests sent from now on belong to one run of `kind`, until end(). */
  begin(kind: Kind): void;
  end(): void;
  total(kind: Kind): number;
  runs(kind: Kind): number;
  describe(kind: Kind): string;
}

/** Counts every request the client sends, by the bench command that was running when it left. */
export function countRoundTrips<Kind extends string>(redis: Redis): Tally<Kind> {
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
