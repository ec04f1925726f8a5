import { optionsFromKnobs, positiveInt } from '../lib/env.js';
import type { OptionsOf, Print } from '../lib/env.js';

const KNOBS = {
  timers: ['BENCH_TIMERS', 10_000],
  windowS: ['BENCH_WINDOW_S', 40],
  bareLeadS: ['BENCH_BARE_LEAD_S', 5],
  rssIncidents: ['BENCH_RSS_INCIDENTS', 1000],
  concurrency: ['BENCH_DECLARE_CONCURRENCY', 8],
  seed: ['BENCH_SEED', 1],
} as const;

export type EscalationTimersOptions = OptionsOf<typeof KNOBS> & {
  /** Step worker concurrency; undefined = startWorkers' default, as src/main.ts runs it. */
  stepConcurrency: number | undefined;
  /** Writes one CSV line per bot step 1 (due, add, start, end, DM, ms since epoch) when set. */
  dump: string | undefined;
};

export function escalationTimersOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, print: Print = console.log): EscalationTimersOptions {
  return {
    ...optionsFromKnobs(KNOBS, env, print),
    stepConcurrency: env.BENCH_STEP_CONCURRENCY ? positiveInt(env.BENCH_STEP_CONCURRENCY, 4, 'BENCH_STEP_CONCURRENCY') : undefined,
    dump: env.BENCH_DUMP || undefined,
  };
}

/** Goals from the issue. */
export const GOAL_P99_OVER_BARE_MS = 20;
export const GOAL_RSS_MB = 250;

/**
 * The bare worker's concurrency, and the step worker's as printed when BENCH_STEP_CONCURRENCY is
 * unset: startWorkers' default step concurrency (src/scheduler/workers.ts), so both sides run alike.
 */
export const STEP_CONCURRENCY = 8;
/** Longest bot lead (declare phase + margin) the generated policies allow, seconds. */
export const MAX_LEAD_S = 240;
export const MB = 1024 * 1024;
