import type { RedisClient } from '../../src/infra/redis-client.js';
import { forEachConcurrently } from '../lib/pool.js';
import { fmt, msSince, stats } from '../lib/stats.js';
import type { Stats } from '../lib/stats.js';

/** Redis-side measures of the core bench: the PING floor and round trips counted per command. */

export type PingStats = Stats & { opsPerSec: number };

/** `count` PINGs, `concurrency` in flight: each one's latency and the rate. */
export async function pings(redis: RedisClient, count: number, concurrency: number): Promise<PingStats> {
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
  /** Redis commands sent (a MULTI … EXEC counts each of its commands). */
  total(kind: Kind): number;
  /**
   * Round trips: waits for Redis, one after another. Commands sent while others are still
   * unanswered (a pipeline, a MULTI, auto-pipelined calls) share the round trip they overlap.
   */
  trips(kind: Kind): number;
  runs(kind: Kind): number;
  describe(kind: Kind): string;
}

/** Counts every request the client sends, by the bench command that was running when it left. */
export function countRoundTrips<Kind extends string>(redis: RedisClient): Tally<Kind> {
  const byKind = new Map<Kind, Map<string, number>>();
  const runs = new Map<Kind, number>();
  const trips = new Map<Kind, number>();
  let current: Kind | undefined;
  let unanswered = 0;
  const answered = (): void => void unanswered--;
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  redis.sendCommand = ((command: { name: string; promise: Promise<unknown> }, ...rest: unknown[]) => {
    if (current) {
      const names = byKind.get(current) ?? new Map<string, number>();
      byKind.set(current, names);
      const name = command.name.toUpperCase();
      names.set(name, (names.get(name) ?? 0) + 1);
      if (unanswered === 0) trips.set(current, (trips.get(current) ?? 0) + 1);
      unanswered++;
      // Attached before the caller's own await, so this runs first: a command sent once the reply
      // is in starts a new round trip.
      command.promise.then(answered, answered);
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
    trips: (k) => trips.get(k) ?? 0,
    runs: (k) => runs.get(k) ?? 0,
    describe: (k) => {
      const n = runs.get(k) || 1;
      return [...(byKind.get(k) ?? [])].map(([name, c]) => `${name} ×${fmt(c / n, 1)}`).join(', ');
    },
  };
}
