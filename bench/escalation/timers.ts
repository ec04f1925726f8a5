import { writeFile } from 'node:fs/promises';
import { newClient } from '../lib/fixture.js';
import { fmt, stats } from '../lib/stats.js';
import type { Stats } from '../lib/stats.js';
import { declareMany, stepKey, TIER1_USER, TIER2_USER } from './bot.js';
import type { Bot } from './bot.js';
import { MAX_LEAD_S } from './options.js';
import type { EscalationTimersOptions } from './options.js';
import { measureFiring, mulberry32, sleep, until } from './probes.js';
import type { Firing } from './probes.js';

/**
 * Phase 3 of the escalation bench, the bot's steps: `timers` incidents declared through
 * dispatch(), each with the policy that puts its step 1 (tier 2) at a target time drawn uniformly
 * from the window, placed after the declares end. Lateness = runStep start − the step's dueAt.
 */

const WS_TIMERS = 'timers';

export interface TimerSamples {
  lateness: number[];
  queueLateness: number[];
  addOffset: number[];
  dmFromDue: number[];
  dmFromStart: number[];
  runTime: number[];
  step0: number[];
}

export type TimerResult = Record<keyof TimerSamples, Stats> &
  Firing & {
    step0Rate: number;
    declareS: number;
    firstDueS: number;
    spreadS: number;
    policiesUsed: number;
    duplicates: number;
    peakRss: number;
  };

export async function botTimers(bot: Bot, o: EscalationTimersOptions, declareRate: number, maxDelayS: number): Promise<TimerResult> {
  // Step 1 must not fall due before the declares are over: lead = expected declare time × 1.2 + 5 s
  // (the calibration, on the RSS phase's cold JIT, has always been the slower of the two).
  const leadS = Math.ceil((1.2 * o.timers) / declareRate + 5);
  if (leadS > MAX_LEAD_S) throw new Error(`bench: declaring ${o.timers} incidents at ${fmt(declareRate, 0)}/s needs a ${leadS} s lead (max ${MAX_LEAD_S}); lower BENCH_TIMERS`);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const redisInfo = newClient(bot.url);
  try {
    const declared = await declareTimers(bot, o, leadS, maxDelayS);
    await until(() => bot.dms.count(WS_TIMERS, TIER1_USER) >= o.timers, 60_000, 'timer phase: tier-1 pages');
    // Every step 1 is now pending; measure CPU from the first due time on.
    const dues = [...Array(o.timers).keys()].map((i) => bot.steps.get(stepKey({ workspace: WS_TIMERS, number: i + 1, generation: 1, step: 1 }))?.dueAt ?? NaN);
    if (dues.some(Number.isNaN)) throw new Error('bench: some incident has no step 1 timer');
    const firstDue = Math.min(...dues);
    const lastDue = Math.max(...dues);
    if (firstDue < Date.now()) o.print(`- Note: the first step 1 fell due ${Date.now() - firstDue} ms before all step-0 pages were out (declares ran slower than calibrated).`);
    await sleep(Math.max(0, firstDue - Date.now()));
    const firing = await measureFiring(redisInfo, () => until(() => bot.dms.count(WS_TIMERS, TIER2_USER) >= o.timers, lastDue - Date.now() + 120_000, 'timer phase: tier-2 pages'));
    await sleep(500); // the steps' trailing summary updates
    const c = await collect(bot, o);
    return {
      ...summarize(c.samples),
      ...firing,
      step0Rate: c.samples.step0.length / ((c.step0Last - c.step0First) / 1000),
      declareS: declared.declareS,
      firstDueS: (firstDue - declared.t0) / 1000,
      spreadS: (lastDue - firstDue) / 1000,
      policiesUsed: declared.policiesUsed,
      duplicates: c.duplicates,
      peakRss,
    };
  } finally {
    clearInterval(sampler);
    await redisInfo.quit().catch(() => undefined);
  }
}

/** One policy per whole second of tier-1 delay: each declare picks the one that lands its target. */
async function declareTimers(bot: Bot, o: EscalationTimersOptions, leadS: number, maxDelayS: number): Promise<{ t0: number; declareS: number; policiesUsed: number }> {
  const random = mulberry32(o.seed + 1);
  const t0 = Date.now();
  const windowStart = t0 + leadS * 1000;
  const used = new Set<number>();
  await declareMany(bot.deps, WS_TIMERS, o.timers, o.concurrency, () => {
    const target = windowStart + random() * o.windowS * 1000;
    const delayS = Math.min(maxDelayS, Math.max(1, Math.round((target - Date.now()) / 1000)));
    used.add(delayS);
    return `t${delayS}`;
  });
  return { t0, declareS: (Date.now() - t0) / 1000, policiesUsed: used.size };
}

function summarize(s: TimerSamples): Record<keyof TimerSamples, Stats> {
  const keys = Object.keys(s) as (keyof TimerSamples)[];
  return Object.fromEntries(keys.map((k) => [k, stats(s[k])])) as Record<keyof TimerSamples, Stats>;
}

/** Every incident's step timings, checked (each step 1 ran, its DM went out), and the CSV dump. */
async function collect(bot: Bot, o: EscalationTimersOptions) {
  const samples: TimerSamples = { lateness: [], queueLateness: [], addOffset: [], dmFromDue: [], dmFromStart: [], runTime: [], step0: [] };
  let step0First = Infinity;
  let step0Last = 0;
  let duplicates = 0;
  const csv = ['number,due,added,bullmq_due,start,end,dm'];
  for (let n = 1; n <= o.timers; n++) {
    const s0 = bot.steps.get(stepKey({ workspace: WS_TIMERS, number: n, generation: 1, step: 0 }));
    if (s0?.dueAt !== undefined && s0.starts[0] !== undefined) {
      samples.step0.push(s0.starts[0] - s0.dueAt);
      step0First = Math.min(step0First, s0.starts[0]);
      step0Last = Math.max(step0Last, s0.starts[0]);
    }
    const s1 = bot.steps.get(stepKey({ workspace: WS_TIMERS, number: n, generation: 1, step: 1 }));
    const start = s1?.starts[0];
    if (!s1 || start === undefined || s1.dueAt === undefined || s1.addedAt === undefined || s1.delayMs === undefined) {
      throw new Error(`bench: INC-${n} step 1 did not run`);
    }
    if (s1.starts.length > 1) duplicates++;
    if (s1.ends[0] !== undefined) samples.runTime.push(s1.ends[0] - start);
    samples.lateness.push(start - s1.dueAt);
    samples.queueLateness.push(start - (s1.addedAt + s1.delayMs));
    samples.addOffset.push(s1.addedAt - s1.dueAt + s1.delayMs);
    const dm = bot.dms.get(WS_TIMERS, TIER2_USER, n);
    if (dm === undefined) throw new Error(`bench: INC-${n} tier-2 DM was not sent`);
    samples.dmFromDue.push(dm - s1.dueAt);
    samples.dmFromStart.push(dm - start);
    csv.push([n, s1.dueAt, s1.addedAt, s1.addedAt + s1.delayMs, start, s1.ends[0] ?? '', dm].join(','));
  }
  if (o.dump) await writeFile(o.dump, `${csv.join('\n')}\n`);
  return { samples, step0First, step0Last, duplicates };
}
