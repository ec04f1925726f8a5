import type { Page } from '../../src/core/escalation.js';
import type { Outage } from './cluster.js';
import type { PageDm } from './platforms.js';
import type { Recorded } from './record.js';

/**
 * The figures of a run, from the record and what the platforms accepted. Every page in the
 * record is expected to reach its person once (unless it ended first: stood down or failed):
 *
 * - lost: a page that is requested, sent or acknowledged with no accepted DM;
 * - duplicated: a page with more than one accepted DM. An extra DM that was not the one linked
 *   to the page, sent by a process killed within 2 s after it (or just before Redis went away),
 *   is the at-least-once window (DM out, `page_sent` not yet recorded) and counted apart, as is
 *   a page whose only DM is such a one and stays unlinked (it ended before the retry resent it);
 * - delay after a restart: for each page that was due and not yet delivered while a bot or Redis
 *   was down, the time from that bot or Redis being back to the first accepted DM.
 *
 * It also checks the escalations themselves (each step recorded once, none left paging), so a
 * step that never ran (a page that never even reached the record) cannot pass for "0 lost".
 */

export interface PageResult {
  key: string;
  page: Page;
  dueAt?: number;
  dms: PageDm[];
  /** First accepted DM minus due time. */
  latenessMs?: number;
  /** Time from the end of the outage it waited on to its first DM (0 if delivered during it). */
  afterRestart?: { ms: number; outage: string };
  verdict: 'delivered' | 'ended before delivery' | 'lost' | 'failed';
  duplicates: number;
  windowDuplicates: number;
  /** Its only DM went out just before its sender was killed, so it was never linked (a ✅ on it does nothing). */
  windowUnlinked: boolean;
}

export interface Figures {
  incidents: number;
  expected: number;
  delivered: number;
  endedFirst: number;
  failed: number;
  lost: PageResult[];
  duplicated: PageResult[];
  windowDuplicated: PageResult[];
  /** Delivered, but no DM linked to the page: a ✅ on it would acknowledge nothing. */
  unlinked: PageResult[];
  unmatchedDms: PageDm[];
  stepsTwice: string[];
  stuck: string[];
  stepsMissing: string[];
  worstAfterRestart?: { ms: number; page: string; outage: string };
  afterRestartCount: number;
  /** Pages that went out more than LATE_MS after they were due without waiting on any outage. */
  lateWithoutOutage: PageResult[];
  lateness: { p50: number; p95: number; max: number; maxPage: string };
  pages: PageResult[];
}

const WINDOW_MS = 2_000;
/**
 * With nothing down, only the injected faults delay a page: a 429 waits 1 s, a 5xx retries
 * after 1, 2, 4 s... Four faults in a row on one page (15 s) is far beyond what 10 % can do.
 */
export const LATE_MS = 15_000;
/** A page_sent write retries for ~6 s while Redis is away; a DM that close before a Redis stop may miss its link. */
const REDIS_WINDOW_MS = 7_000;

export function analyze(records: Recorded[], dms: readonly PageDm[], outages: readonly Outage[]): Figures {
  const pages: PageResult[] = [];
  const claimed = new Set<PageDm>();
  const stepsTwice: string[] = [];
  const stuck: string[] = [];
  const stepsMissing: string[] = [];
  for (const { incident: inc, events } of records) {
    const esc = inc.escalation;
    const name = `${inc.workspace.split(':')[0]} ${inc.ref}`;
    if (esc?.phase === 'paging') stuck.push(`${name} still paging (next step ${esc.nextStep ?? '?'})`);
    const dueOf = dueTimes(events);
    const steps = events.filter((e) => e.type === 'paged' && e.step >= 0).map((e) => (e.type === 'paged' ? `g${e.generation}s${e.step}` : ''));
    for (const s of new Set(steps)) if (steps.filter((x) => x === s).length > 1) stepsTwice.push(`${name} ${s}`);
    const total = esc?.snapshot ? esc.snapshot.policy.tiers.length * (esc.snapshot.policy.repeat + 1) : 0;
    if (esc?.phase === 'exhausted') for (let s = 0; s < total; s++) if (!steps.includes(`g${esc.generation}s${s}`)) stepsMissing.push(`${name} g${esc.generation}s${s}`);
    for (const page of esc?.pages ?? []) {
      const mine = dms.filter((d) => !claimed.has(d) && d.workspace === inc.workspace && d.number === inc.number && d.user === page.user.id);
      // One page per person per incident in this scenario (three tiers of one person each, no
      // repeat, no escalate), so every page DM to that person in that incident belongs to it.
      mine.forEach((d) => claimed.add(d));
      const dueAt = dueOf.get(`g${page.generation}s${page.step}`);
      pages.push(judge(`${name} ${page.id}`, page, dueAt, mine, outages, inc.workspace));
    }
  }
  const unmatchedDms = dms.filter((d) => !claimed.has(d));
  const late = pages.filter((p) => p.latenessMs !== undefined).sort((a, b) => (a.latenessMs ?? 0) - (b.latenessMs ?? 0));
  const q = (f: number) => late[Math.min(late.length - 1, Math.floor(f * late.length))]?.latenessMs ?? 0;
  const restarts = pages.filter((p) => p.afterRestart).sort((a, b) => (b.afterRestart?.ms ?? 0) - (a.afterRestart?.ms ?? 0));
  const worst = restarts[0];
  return {
    incidents: records.length,
    expected: pages.length,
    delivered: pages.filter((p) => p.verdict === 'delivered').length,
    endedFirst: pages.filter((p) => p.verdict === 'ended before delivery').length,
    failed: pages.filter((p) => p.verdict === 'failed').length,
    lost: pages.filter((p) => p.verdict === 'lost'),
    duplicated: pages.filter((p) => p.duplicates > 0),
    windowDuplicated: pages.filter((p) => p.windowDuplicates > 0 || p.windowUnlinked),
    unlinked: pages.filter((p) => p.verdict === 'delivered' && !p.page.dm && !p.windowUnlinked),
    unmatchedDms,
    stepsTwice,
    stuck,
    stepsMissing,
    ...(worst?.afterRestart ? { worstAfterRestart: { ms: worst.afterRestart.ms, page: worst.key, outage: worst.afterRestart.outage } } : {}),
    afterRestartCount: restarts.length,
    lateWithoutOutage: pages.filter((p) => !p.afterRestart && (p.latenessMs ?? 0) > LATE_MS),
    lateness: { p50: q(0.5), p95: q(0.95), max: late.at(-1)?.latenessMs ?? 0, maxPage: late.at(-1)?.key ?? '-' },
    pages,
  };
}

/** When each policy step fell due: step 0 at the start of its generation, step s at the `next.at` the step before gave it. */
function dueTimes(events: Recorded['events']): Map<string, number> {
  const due = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'escalation_started') due.set(`g${e.generation}s0`, Date.parse(e.at));
    if (e.type === 'paged' && e.next) due.set(`g${e.generation}s${e.next.step}`, Date.parse(e.next.at));
  }
  return due;
}

function judge(key: string, page: Page, dueAt: number | undefined, dms: PageDm[], outages: readonly Outage[], workspace: string): PageResult {
  const linked = page.dm?.messageId;
  const extras = dms.filter((d) => d.messageId !== linked || !linked).slice(linked ? 0 : 1);
  const windowed = extras.filter((d) => inWindow(d, outages));
  const first = dms[0];
  const verdict: PageResult['verdict'] = first
    ? 'delivered'
    : page.state === 'stood_down'
      ? 'ended before delivery'
      : page.state === 'failed'
        ? 'failed'
        : 'lost';
  const windowUnlinked = Boolean(first && !linked && inWindow(first, outages));
  const result: PageResult = { key, page, dms, verdict, duplicates: extras.length - windowed.length, windowDuplicates: windowed.length, windowUnlinked };
  if (dueAt !== undefined) result.dueAt = dueAt;
  if (first && dueAt !== undefined) {
    result.latenessMs = first.at - dueAt;
    const after = afterRestart(first.at, dueAt, outages, workspace);
    if (after) result.afterRestart = after;
  }
  return result;
}

/** The extra DM went out just before its sender was killed, or just before Redis went away. */
function inWindow(d: PageDm, outages: readonly Outage[]): boolean {
  return outages.some((o) =>
    o.what === 'redis' ? o.down >= d.at && o.down - d.at <= REDIS_WINDOW_MS : o.what.startsWith(`bot ${d.bot} `) && o.down >= d.at && o.down - d.at <= WINDOW_MS,
  );
}

/**
 * The outage the page waited on: it was due before the outage ended and not delivered before
 * the outage began. The latest such outage counts (a page may wait through several). Discord
 * pages can only go out from bot A, so bot B's outages do not hold them up.
 */
function afterRestart(firstAt: number, dueAt: number, outages: readonly Outage[], workspace: string): { ms: number; outage: string } | undefined {
  const held = outages.filter((o) => o.up !== undefined && dueAt <= o.up && firstAt > o.down && !(workspace.startsWith('discord:') && o.what.startsWith('bot B ')));
  const last = held.sort((a, b) => (b.up ?? 0) - (a.up ?? 0))[0];
  if (!last?.up) return undefined;
  return { ms: Math.max(0, firstAt - last.up), outage: last.what };
}
