import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { declareMany, TIER1_USER } from './bot.js';
import type { Bot } from './bot.js';
import type { EscalationTimersOptions } from './options.js';
import { sleep, until } from './probes.js';

/** Phase 1 of the escalation bench: the bot's memory with open incidents. */

export const WS_RSS = 'rss';

export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

export function memory(): Memory {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

export interface Gc {
  run: () => void;
  how: string;
}

/**
 * A full GC before each memory reading: the exposed `gc` when node runs with --expose-gc, else
 * the same function obtained through V8 flags (works on Node 20 without restarting).
 */
export function forceGc(): Gc {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { run: () => exposed(), how: 'forced (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const fromVm = runInNewContext('gc') as unknown;
    if (typeof fromVm === 'function') return { run: () => (fromVm as () => void)(), how: 'forced (v8.setFlagsFromString)' };
  } catch {
    // fall through
  }
  return { run: () => {}, how: 'not available (figures include garbage)' };
}

export interface RssResult {
  /** Bot running, no incidents. */
  baseline: Memory;
  /** With the open incidents and their pending timers. */
  loaded: Memory;
  /** Same, the local adapter's transcript dropped. */
  withoutTranscript: Memory;
  transcript: number;
  /** Declares per second: places the bot's timers in phase 3. */
  declareRate: number;
  open: number;
  delayed: number;
}

/**
 * `rssIncidents` incidents declared through dispatch(), each paged at once and then waiting on a
 * 1 h step timer; memory after a forced GC before and after. Also warms up the JIT.
 */
export async function rssPhase(b: Bot, o: EscalationTimersOptions, gc: Gc): Promise<RssResult> {
  await sleep(500); // workers connected
  gc.run();
  const baseline = memory();
  const rssStart = Date.now();
  await declareMany(b.deps, WS_RSS, o.rssIncidents, o.concurrency, () => 'rss');
  const declareRate = o.rssIncidents / ((Date.now() - rssStart) / 1000);
  await until(() => b.dms.count(WS_RSS, TIER1_USER) >= o.rssIncidents, 60_000, 'RSS phase: tier-1 pages');
  await sleep(1000); // let the last summary updates and DM bookkeeping finish
  const counts = await b.stepQueue.getJobCounts('delayed', 'active', 'wait');
  const open = (await b.deps.store.list(WS_RSS, { limit: o.rssIncidents + 10 })).length;
  gc.run();
  const loaded = memory();
  const transcript = b.chat.messages.size;
  b.chat.messages.clear(); // the local adapter's in-memory transcript; Slack/Discord keep none
  for (const id of [...b.chat.channels.keys()]) if (id.startsWith('inc-') || id.startsWith('dm-')) b.chat.channels.delete(id);
  gc.run();
  const withoutTranscript = memory();
  b.log.assertQuiet('RSS phase');
  return { baseline, loaded, withoutTranscript, transcript, declareRate, open, delayed: counts.delayed ?? 0 };
}
