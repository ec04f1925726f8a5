import { printTable } from '../lib/report.js';
import { fmt } from '../lib/stats.js';
import type { Stats } from '../lib/stats.js';
import type { BareResult } from './bare.js';
import { GOAL_P99_OVER_BARE_MS, GOAL_RSS_MB, MB, STEP_CONCURRENCY } from './options.js';
import type { EscalationTimersOptions } from './options.js';
import type { LoopDelay } from './probes.js';
import type { Memory, RssResult } from './rss.js';
import type { TimerResult } from './timers.js';

/** The escalation bench's Markdown: what ran, the lateness and memory tables, the goals. */

export interface EscalationFigures {
  before: Memory;
  rss: RssResult;
  bare: BareResult;
  timers: TimerResult;
}

export function printEscalationReport(o: EscalationTimersOptions, f: EscalationFigures): void {
  printSetup(o, f);
  o.print('');
  printLateness(o, f);
  o.print('');
  printMemory(o, f);
  o.print('');
  printFiring(o, f);
  printGoals(o, f);
}

function printSetup(o: EscalationTimersOptions, { rss, bare, timers }: EscalationFigures): void {
  o.print(
    `- RSS phase: ${o.rssIncidents} incidents declared through dispatch() at ${fmt(rss.declareRate, 0)}/s (step 0 paged at once, DM delivered), ` +
      `each waiting on a 1 h step timer: ${rss.open} open incidents, ${rss.delayed} delayed step jobs.`,
  );
  o.print(
    `- Bare: ${o.timers} jobs added with addBulk in ${fmt(bare.addS, 1)} s, due uniformly over ${o.windowS} s from ${o.bareLeadS} s after the first add; ` +
      `Worker concurrency ${STEP_CONCURRENCY}, no-op processor.`,
  );
  o.print(
    `- Bot: ${o.timers} incidents declared through dispatch() in ${fmt(timers.declareS, 1)} s (${fmt(o.timers / timers.declareS, 0)}/s, ${o.concurrency} in flight); ` +
      `step 1 of each (tier 2, the measured timer) due over ${fmt(timers.spreadS, 1)} s starting ${fmt(timers.firstDueS, 1)} s after the first declare, ` +
      `one policy per whole second of tier-1 delay (${timers.policiesUsed} used), routed by service. One timer per incident rather than fewer incidents with many tiers: ` +
      `an incident has one pending step at a time, so only this way are ${o.timers.toLocaleString('en')} timers pending at once.`,
  );
}

function printLateness(o: EscalationTimersOptions, { bare, timers: t }: EscalationFigures): void {
  const row = (label: string, s: Stats): string[] => [label, String(s.n), fmt(s.min, 0), fmt(s.p50, 0), fmt(s.p99, 0), fmt(s.max, 0), String(s.early)];
  printTable(o.print, ['timer', 'count', 'min ms', 'p50 ms', 'p99 ms', 'max ms', 'early'], [
    row('bare BullMQ: processor start − due', bare.lateness),
    row('bot step 1: runStep start − dueAt', t.lateness),
    row('bot step 1: BullMQ part (start − (add + delay))', t.queueLateness),
    row('bot step 1: dueAt → step timer added (offset)', t.addOffset),
    row('bot step 1: timer due → tier-2 DM call', t.dmFromDue),
    row('bot step 1: step start → tier-2 DM call', t.dmFromStart),
    row('bot step 1: runStep duration', t.runTime),
    row('bot step 0 (delay 0, during declares): start − dueAt', t.step0),
  ]);
}

function printMemory(o: EscalationTimersOptions, { before, rss, timers }: EscalationFigures): void {
  const row = (label: string, m: Memory): string[] => [label, fmt(m.rss / MB, 0), fmt(m.heapUsed / MB, 1), fmt(m.external / MB, 1)];
  printTable(o.print, ['memory (after forced GC)', 'RSS MB', 'heap used MB', 'external MB'], [
    row('before the bot was built', before),
    row('bot running, no incidents (baseline)', rss.baseline),
    row(`bot with ${o.rssIncidents} open incidents + ${rss.delayed} pending timers`, rss.loaded),
    row(`same, local adapter's transcript (${rss.transcript} messages) dropped`, rss.withoutTranscript),
    [`peak during the ${o.timers}-incident timer phase (no GC)`, fmt(timers.peakRss / MB, 0), '', ''],
  ]);
}

function gcLine(l: LoopDelay): string {
  return `${l.gcs} totalling ${fmt(l.gcMs, 0)} ms, longest ${fmt(l.gcMaxMs, 0)} ms`;
}

function printFiring(o: EscalationTimersOptions, { bare, timers }: EscalationFigures): void {
  o.print(
    `- Event-loop delay while timers fired (this process, 10 ms resolution): bare p99 ${fmt(bare.eventLoop.p99, 0)} ms, max ${fmt(bare.eventLoop.max, 0)} ms; ` +
      `bot p99 ${fmt(timers.eventLoop.p99, 0)} ms, max ${fmt(timers.eventLoop.max, 0)} ms. GC pauses: bare ${gcLine(bare.eventLoop)}; bot ${gcLine(timers.eventLoop)}.`,
  );
  o.print(
    `- CPU while timers fired: bare ${fmt(bare.cpuPct, 0)}% of one core (bench process), redis-server ${fmt(bare.redisPct, 0)}%; ` +
      `bot ${fmt(timers.cpuPct, 0)}% (bot process), redis-server ${fmt(timers.redisPct, 0)}%. ` +
      `Step runs per incident: ${timers.duplicates === 0 ? 'exactly one' : `${timers.duplicates} step 1 ran more than once`}.`,
  );
  const backlog = timers.step0.p50 > 1000;
  o.print(
    `- Step worker concurrency ${o.stepConcurrency ?? `${STEP_CONCURRENCY} (default)`}: during the declares it ran step 0 at ${fmt(timers.step0Rate, 0)}/s` +
      (backlog ? ', behind the declares (a backlog formed: that is its ceiling here)' : ', keeping up with the declares') +
      `; the step-1 timers then fell due at ${fmt(o.timers / timers.spreadS, 0)}/s on average.`,
  );
}

function printGoals(o: EscalationTimersOptions, { bare, rss, timers }: EscalationFigures): void {
  const diff = timers.lateness.p99 - bare.lateness.p99;
  const early = timers.lateness.early;
  const verdict = (ok: boolean): string => `**${ok ? 'PASS' : 'MISS'}**`;
  o.print(`- Goal: bot step p99 within ${GOAL_P99_OVER_BARE_MS} ms of bare BullMQ: ${fmt(timers.lateness.p99, 0)} − ${fmt(bare.lateness.p99, 0)} = ${fmt(diff, 0)} ms → ${verdict(diff <= GOAL_P99_OVER_BARE_MS)}`);
  o.print(`- Goal: no step early: ${early} of ${timers.lateness.n} ran before dueAt (min ${fmt(timers.lateness.min, 0)} ms) → ${verdict(early === 0)}`);
  o.print(`- Goal: RSS with ${o.rssIncidents} open incidents under ${GOAL_RSS_MB} MB: ${fmt(rss.loaded.rss / MB, 0)} MB → ${verdict(rss.loaded.rss / MB < GOAL_RSS_MB)}`);
}
