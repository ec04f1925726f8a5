import { maskUrl } from '../src/infra/redis-server.js';
import { bareBullmq } from './escalation/bare.js';
import { startBot } from './escalation/bot.js';
import type { Bot } from './escalation/bot.js';
import { escalationTimersOptionsFromEnv, MAX_LEAD_S } from './escalation/options.js';
import type { EscalationTimersOptions } from './escalation/options.js';
import { printEscalationReport } from './escalation/report.js';
import { forceGc, memory, rssPhase } from './escalation/rss.js';
import type { Gc } from './escalation/rss.js';
import { botTimers } from './escalation/timers.js';
import { openFixture } from './lib/fixture.js';
import type { Fixture } from './lib/fixture.js';
import { runAsMain } from './lib/main.js';
import { serverInfo } from './lib/redis.js';
import { loadAverages, nodeAndCpu } from './lib/report.js';

export { escalationTimersOptionsFromEnv };
export type { EscalationTimersOptions };

/**
 * Escalation timers: how late the bot's escalation steps run, next to a bare BullMQ delayed queue
 * measured in the same process just before, and how much memory the bot holds for open incidents.
 *
 * 1. RSS (escalation/rss.ts): the bot wired as src/main.ts wires it (stores, BullScheduler with
 *    prefix `<p>{q}`, startWorkers → runStep / deliver), then BENCH_RSS_INCIDENTS incidents
 *    declared through dispatch() whose policy keeps a step timer pending (1 h). RSS and heap
 *    after a forced GC, before and after. This phase also warms up the JIT and measures the
 *    declare rate used to place the bot's timers in phase 3.
 * 2. Bare BullMQ (escalation/bare.ts): one Queue + one Worker (same Redis, same concurrency as
 *    the step worker, no-op processor), BENCH_TIMERS delayed jobs due uniformly over
 *    BENCH_WINDOW_S seconds. Lateness = Date.now() in the processor − (job.timestamp + job.delay).
 * 3. The bot (escalation/timers.ts): BENCH_TIMERS incidents declared through dispatch(). Each
 *    policy pages tier 1 at once (step 0) and tier 2 after the tier-1 delay (step 1, the timer
 *    measured). One policy per whole second of delay, routed by service; each incident gets the
 *    delay that puts its step 1 at a target time drawn uniformly from the same window length,
 *    placed after the declares end. Lateness = runStep start (onStep wrapped) − the step's dueAt
 *    (what BullScheduler puts in the job). DM = LocalWorkspace.dm called (wrapped) for the tier-2
 *    page − dueAt, and − step start.
 *
 * Env: REDIS_URL, BENCH_TIMERS (10000), BENCH_WINDOW_S (40), BENCH_BARE_LEAD_S (5: seconds
 * between the start of the adds and the first bare job due), BENCH_RSS_INCIDENTS (1000),
 * BENCH_DECLARE_CONCURRENCY (8 declares in flight), BENCH_SEED (1), BENCH_STEP_CONCURRENCY (unset: the
 * step worker runs with startWorkers' default, as in src/main.ts; set it to try another), BENCH_DUMP
 * (a file path: one CSV line per bot step 1, for looking at when late steps happened).
 */
export async function escalationTimers(o: EscalationTimersOptions): Promise<void> {
  const gc = forceGc();
  const fx = await openFixture(o.redisUrl, 'bench-esc', o.print);
  const maxDelayS = MAX_LEAD_S + o.windowS;
  let bot: Bot | undefined;
  try {
    await printHeader(o, fx, gc);
    gc.run();
    const before = memory();
    bot = startBot(fx.redis, fx.url, fx.prefix, fx.pmDir, maxDelayS, o.stepConcurrency);
    const rss = await rssPhase(bot, o, gc);
    const bare = await bareBullmq(fx.url, `${fx.prefix}{bare}`, o);
    const timers = await botTimers(bot, o, rss.declareRate, maxDelayS);
    bot.log.assertQuiet('timer phase');
    printEscalationReport(o, { before, rss, bare, timers });
  } finally {
    if (bot) await bot.close().catch((err: Error) => o.print(`closing the bot failed: ${err.message}`));
    await fx.close();
  }
}

async function printHeader(o: EscalationTimersOptions, fx: Fixture, gc: Gc): Promise<void> {
  o.print(`## Escalation timers: ${o.timers.toLocaleString('en')} pending steps, bot vs bare BullMQ\n`);
  o.print(`- ${nodeAndCpu()}, ${process.platform}/${process.arch}`);
  const server = await serverInfo(fx.redis);
  o.print(`- Redis ${server.version} at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway)' : ''}, hz ${server.hz}; key prefix ${fx.prefix} (deleted afterwards)`);
  o.print(`- Load average at start: ${loadAverages()}; GC ${gc.how}`);
}

runAsMain(import.meta.url, () => escalationTimers(escalationTimersOptionsFromEnv()));
