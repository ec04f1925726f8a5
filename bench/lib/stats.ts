/** Latency summaries and the number formatting every bench prints with. */

export interface Stats {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  /** Samples below zero: for a lateness, steps that ran before they were due. */
  early: number;
}

/**
 * Which sample a percentile picks from the sorted ones. `nearest`: the ⌈q·n⌉-th smallest (nearest
 * rank; core, escalation and Discord). `above`: the (⌊q·n⌋ + 1)-th, the first sample past the q
 * fraction, which the Slack figures have always used.
 */
export type Rank = 'nearest' | 'above';

export function percentile(sorted: ArrayLike<number>, q: number, rank: Rank = 'nearest'): number {
  const i = rank === 'nearest' ? Math.ceil(q * sorted.length) - 1 : Math.floor(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, i))] ?? NaN;
}

/** n, min, p50, p99, max and the count below zero; NaN where there are no samples. */
export function stats(samples: readonly number[], rank: Rank = 'nearest'): Stats {
  const sorted = Float64Array.from(samples).sort();
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 0.5, rank),
    p99: percentile(sorted, 0.99, rank),
    max: sorted[sorted.length - 1] ?? NaN,
    early: samples.filter((s) => s < 0).length,
  };
}

/** Fixed digits, or `n/a` for NaN and infinities. */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
