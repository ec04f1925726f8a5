import { isOpenPage, totalSteps, type EscalationState, type Page } from '../../src/core/escalation.js';
import { IncidentError, PlatformError } from '../../src/core/errors.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { isActive, type Incident } from '../../src/core/model.js';
import { pageIdsOf } from '../../src/core/paging.js';
import { project } from '../../src/core/projection.js';
import type { SentDm } from './paging-platform.js';
import { WS, type World } from './paging-world.js';

/**
 * What must hold after a run has drained (issue 8, "what must hold" 4), checked against the
 * store's events, the order in which the harness saw every write and platform call, and the DMs
 * the platform received:
 *
 * 1. Every page was delivered exactly once (its DM linked, so a ✅ on it acknowledges), or its
 *    timeline says why not; nobody got two DMs for one page, except inside the documented
 *    at-least-once window: the platform took a DM and the bot did not learn it before the repeat
 *    (it died, the call timed out, the first send was still in flight), or the repeat's sender
 *    stalled between reading the page and sending for longer than the page-send claim lasts.
 * 2. Nobody is paged after the ack that stopped them: no policy step is recorded unless the
 *    incident waited for exactly that step, and no page DM goes out after its page ended, unless
 *    the sender read the page open before the end was written (the race docs/paging.md names);
 *    a delivered DM of an ended page shows the outcome instead of its buttons.
 * 3. Every due step runs once: per generation each step once, in order, never before its time,
 *    nothing still waits on a step (or an ack timeout) once the clock has passed it, and every
 *    step waited on has its timer (one only the minute audit would bring back is a late page).
 * 4. No DM is discarded without a timeline event that says why (an ack, the end of the incident,
 *    the platform refusing it), and no stand-down DM is lost either.
 */

/** The longest lease a sender may hold: the page-send claim of deliverPage (SEND_CLAIM_S, src/app/escalation.ts). */
const LONGEST_LEASE_MS = 25_000;

export interface Report {
  violations: string[];
  /**
   * Repeated DMs inside the at-least-once window, by cause of the one before: its sender died
   * after the platform took it, or the call failed after the platform took it (a timeout), or it
   * was still in flight; `stale`: the repeat's sender read the page open and then stalled for
   * longer than any lease (the page-send claim's 25 s) before calling the platform.
   */
  window: { crash: number; timeout: number; concurrent: number; stale: number };
  /** Page DMs sent while the end of their page was being written. */
  raced: number;
  pages: number;
  dms: number;
  /** Tasks a crash stopped half-way. */
  killed: number;
}

export async function checkRun(w: World): Promise<Report> {
  const report: Report = { violations: [], window: { crash: 0, timeout: 0, concurrent: 0, stale: 0 }, raced: 0, pages: 0, dms: w.platform.dms.length, killed: w.tasks.filter((t) => t.dead && !t.done).length };
  const bad = (msg: string) => report.violations.push(msg);
  for (let number = 1; number <= w.maxNumber; number++) {
    const key = { workspace: WS, number };
    const inc = await w.base.store.get(key);
    if (!inc) continue; // a declaration that died between taking its number and its append wrote nothing
    const events = await w.base.store.events(key);
    const appends = w.committed.filter((c) => c.number === number);
    if (JSON.stringify(appends.flatMap((a) => a.events)) !== JSON.stringify(events)) bad(`harness: ${inc.ref}'s stored events differ from the appends the harness saw`);
    checkSteps(inc, events, w.clock.now(), bad);
    const pageEnd = new Map<string, number>();
    const linkedAt = new Map<string, number>();
    const standDowns: { user: string; after: number }[] = [];
    let state: Incident | null = null;
    for (const a of appends) {
      const before: Incident | null = state;
      state = project(state, a.events, key);
      for (const p of state.escalation?.pages ?? []) if (!isOpenPage(p) && !pageEnd.has(p.id)) pageEnd.set(p.id, a.seq);
      for (const e of a.events) {
        if (e.type === 'page_sent' && !linkedAt.has(e.pageId)) linkedAt.set(e.pageId, a.seq);
        // People whose DM went out hear that they can stand down.
        if (e.type === 'acknowledged') for (const id of e.stoodDown ?? []) {
          const p = before?.escalation?.pages.find((x) => x.id === id);
          if (p?.dm) standDowns.push({ user: p.user.id, after: a.seq });
        }
      }
    }
    for (const page of inc.escalation?.pages ?? []) {
      report.pages++;
      const dms = w.platform.dms.filter((d) => d.page?.number === number && d.page.pageId === page.id).sort((a, b) => a.seq - b.seq);
      const ctx = { w, inc, page, events, dms, ended: pageEnd.get(page.id), linked: linkedAt.get(page.id), report, bad };
      await checkPage(ctx);
    }
    // A stand-down the platform refused for good is logged for an operator (workers.ts), not lost.
    const standDown = (text: string) => text.startsWith('Stand down') && text.includes(` ${inc.ref}.`);
    const skippedIds = new Set(w.log.lines.filter((l) => l.msg === 'stand-down not sent: paged again meanwhile').map((l) => (l.data as { jobId?: string }).jobId));
    const skipped = w.queues.list('outbound').filter((j) => skippedIds.has(j.id) && standDown(j.outbound?.message.text ?? ''));
    const refused = w.queues.list('outbound').filter((j) => j.failedReason === 'cannot_dm_user' && !j.outbound?.page && standDown(j.outbound?.message.text ?? ''));
    for (const s of standDowns) {
      if (w.platform.dms.some((d) => d.user === s.user && !d.page && d.seq > s.after && standDown(d.text))) continue;
      if (refused.some((j) => j.outbound?.target === s.user)) continue;
      // deliver() skips a stand-down whose person was paged again meanwhile.
      if (skipped.some((j) => j.outbound?.target === s.user)) continue;
      bad(`${inc.ref}: @${s.user}'s page DM went out and was stood down, but no stand-down DM reached them`);
    }
  }
  checkOtherDms(w, bad);
  for (const lost of w.lostTimers) bad(`${lost}: only the minute audit would run it, up to a minute late`);
  const left = await w.base.outbox.pending(WS);
  if (left > 0) bad(`the outbox still holds ${left} entries after the drain`);
  // Anything thrown that is not a platform's or a user's error is a bug (a job's too: the queue would only retry it).
  for (const t of w.tasks) {
    for (const err of [t.error, t.jobError]) {
      const expected = err === undefined || err instanceof PlatformError || err instanceof IncidentError;
      if (!expected && !t.dead) bad(`task "${t.label}" failed: ${String((err as Error)?.stack ?? err)}`);
    }
  }
  for (const line of w.log.lines) if (line.msg === 'command failed') bad(`a command failed: ${JSON.stringify(line.data, errorJson)}`);
  return report;
}

interface PageCtx {
  w: World;
  inc: Incident;
  page: Page;
  events: readonly IncidentEvent[];
  dms: SentDm[];
  /** Op seq of the append that ended the page (acknowledged, stood down, failed). */
  ended: number | undefined;
  /** Op seq of the append that linked its DM (page_sent). */
  linked: number | undefined;
  report: Report;
  bad: (msg: string) => void;
}

async function checkPage({ w, inc, page, events, dms, ended, linked, report, bad }: PageCtx): Promise<void> {
  const who = `${inc.ref} page ${page.id} (@${page.user.id}, ${page.state})`;
  // (1) one outbound job per page, at most one DM, but for repeats inside the at-least-once window.
  const jobs = new Set(dms.map((d) => d.jobId));
  if (jobs.size > 1) bad(`${who}: DMs from ${jobs.size} different outbound jobs: ${[...jobs].join(', ')}`);
  for (const [i, dm] of dms.entries()) {
    const earlier = dms[i - 1];
    if (!earlier) continue;
    if (linked !== undefined && linked < dm.seq) {
      const stalled = dm.read !== undefined && dm.read.seq < linked && dm.wall - dm.read.wall > LONGEST_LEASE_MS;
      if (stalled) report.window.stale++;
      else bad(`${who}: DM #${i + 1} (${dm.ref.messageId}) sent after page_sent had linked an earlier one: paged twice`);
      continue;
    }
    if (earlier.task.dead) report.window.crash++;
    else if (earlier.timedOut) report.window.timeout++;
    else report.window.concurrent++;
  }
  // (2) no DM after the page ended, unless the sender had read it open before the end was written.
  for (const dm of dms) {
    if (ended === undefined || dm.seq < ended) continue;
    if (dm.read !== undefined && dm.read.seq < ended) report.raced++;
    else bad(`${who}: DM ${dm.ref.messageId} sent after the page ended (op ${ended}), by a sender that read it after that (op ${dm.read?.seq})`);
  }
  // Every DM page_sent linked (a repeat is linked too) finds its page when someone reacts ✅.
  for (const e of events) {
    if (e.type !== 'page_sent' || e.pageId !== page.id) continue;
    if (!dms.some((d) => d.ref.messageId === e.messageId)) bad(`${who}: linked to DM ${e.messageId}, which the platform never received for this page`);
    const link = await w.base.store.findPageByMessage(WS, e.channelId, e.messageId);
    if (link?.number !== inc.number || link.pageId !== page.id) bad(`${who}: a ✅ on its DM ${e.messageId} finds ${JSON.stringify(link)}, not the page`);
  }
  if (page.dm) {
    const dm = page.dm;
    const shown = w.platform.messages.get(dm.messageId)?.message;
    const over = !isActive(inc.status) || !isOpenPage(page);
    if (over && shown?.actions?.length && !w.platform.refusedEdits.has(dm.messageId)) bad(`${who}: its DM ${dm.messageId} still shows its buttons after the page ended`);
  }
  if (page.state === 'requested') {
    const jobs = [...w.queues.jobs.values()].filter((j) => j.outbound?.page?.pageId === page.id && j.outbound.page.number === inc.number);
    bad(`${who}: still requested after everything ran, ${dms.length} DM(s), no event says why; its jobs: ${JSON.stringify(jobs.map((j) => [j.id, j.state, j.failedReason]))}`);
    return;
  }
  if (page.state === 'sent' && !page.dm) bad(`${who}: sent without a linked DM`);
  if (dms.some((d) => !d.timedOut && !d.task.dead) || page.dm) return;
  // (4) never delivered: the first event that ended it says why, and it agrees with the state.
  const because = whyUndelivered(page, events);
  if (!because) bad(`${who}: never delivered and no event on the timeline says why`);
  else if (because.state !== page.state) bad(`${who}: never delivered; ${because.event} says ${because.state}`);
}

/** The event that ended a page before its DM went out, and the state it implies. */
function whyUndelivered(page: Page, events: readonly IncidentEvent[]): { event: string; state: Page['state'] } | undefined {
  const created = events.findIndex((e, i) => e.type === 'paged' && pageIdsOf(e, i + 1).includes(page.id));
  for (const e of events.slice(created + 1)) {
    if (e.type === 'acknowledged' && e.actor.id === page.user.id) return { event: 'an ack by them', state: 'acknowledged' };
    if (e.type === 'acknowledged' && e.stoodDown?.includes(page.id)) return { event: `@${e.actor.id}'s ack`, state: 'stood_down' };
    if (e.type === 'resolved' || e.type === 'cancelled' || e.type === 'closed') return { event: e.type, state: 'stood_down' };
    if (e.type === 'page_failed' && e.pageId === page.id) return { event: 'page_failed', state: 'failed' };
  }
  return undefined;
}

/** (2) and (3) on the timeline: steps only when due, once, in order; nothing left waiting. */
function checkSteps(inc: Incident, events: readonly IncidentEvent[], now: Date, bad: (msg: string) => void): void {
  const seen = new Map<number, Set<number>>();
  const notBefore = new Map<number, string>();
  const stoppedBy = new Map<number, string>();
  let state: Incident | null = null;
  for (const [i, e] of events.entries()) {
    const esc: EscalationState | undefined = state?.escalation;
    const after: Incident = project(state, [e], inc);
    if (e.type === 'paged' && e.step >= 0) {
      const g = e.generation;
      if (esc?.phase !== 'paging' || esc.generation !== g || esc.nextStep !== e.step) {
        const why = stoppedBy.get(g) ?? `phase ${esc?.phase}, generation ${esc?.generation}, next step ${esc?.nextStep}`;
        bad(`${inc.ref}: step ${e.step} of generation ${g} recorded (event ${i + 1}) while the incident did not wait for it (${why})`);
      }
      const steps = seen.get(g) ?? new Set<number>();
      if (steps.has(e.step)) bad(`${inc.ref}: step ${e.step} of generation ${g} recorded twice`);
      seen.set(g, steps.add(e.step));
      const due = notBefore.get(g);
      if (due && Date.parse(e.at) < Date.parse(due)) bad(`${inc.ref}: step ${e.step} of generation ${g} ran at ${e.at}, before it was due at ${due}`);
      if (e.next) notBefore.set(g, e.next.at);
    }
    if (e.type === 'escalation_exhausted') {
      const total = esc?.snapshot ? totalSteps(esc.snapshot.policy) : -1;
      if (esc?.phase !== 'paging' || esc.generation !== e.generation || esc.nextStep !== total) bad(`${inc.ref}: generation ${e.generation} exhausted (event ${i + 1}) while not waiting for its end`);
    }
    if (e.type === 'acknowledged' && esc?.phase === 'paging' && after.escalation?.phase === 'acknowledged') stoppedBy.set(e.generation, `stopped by @${e.actor.id}'s ack, event ${i + 1}`);
    state = after;
  }
  const esc = inc.escalation;
  if (!esc || !isActive(inc.status)) return;
  if (esc.phase === 'paging') bad(`${inc.ref}: generation ${esc.generation} still waits on step ${esc.nextStep} (due ${esc.nextAt}) at ${now.toISOString()}: a due step never ran`);
  const timeout = esc.snapshot?.policy.ackTimeoutMs;
  const lastAck = [...events].reverse().find((e) => e.type === 'acknowledged' && e.generation === esc.generation);
  if (esc.phase === 'acknowledged' && timeout && lastAck && Date.parse(lastAck.at) + timeout <= now.getTime()) {
    bad(`${inc.ref}: acknowledged at ${lastAck.at} and unresolved at ${now.toISOString()}, but its ${timeout / 60_000} min ack timeout never paged again`);
  }
}

/** Stand-down DMs (outbound jobs without a page): delivered once, but inside the window. */
function checkOtherDms(w: World, bad: (msg: string) => void): void {
  for (const job of w.queues.list('outbound')) {
    const data = job.outbound;
    if (!data || data.kind !== 'dm' || data.page) continue;
    const sent = w.platform.dms.filter((d) => d.jobId === data.id);
    const skipped = w.log.lines.some((l) => l.msg === 'stand-down not sent: paged again meanwhile' && (l.data as { jobId?: string }).jobId === job.id);
    if (sent.length === 0 && job.state !== 'failed' && !skipped) bad(`DM job ${job.id} to @${data.target} is ${job.state} but was never delivered`);
    if (job.state === 'failed' && job.failedReason !== 'cannot_dm_user') bad(`DM job ${job.id} to @${data.target} failed for good: ${job.failedReason}`);
    const mark = w.marks.get(`sent:${data.id}`);
    for (const dm of sent.slice(1)) if (mark !== undefined && mark < dm.seq) bad(`DM job ${job.id} delivered again after it was marked sent`);
  }
}

function errorJson(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
