import { IncidentError } from './errors.js';
import { isOpenPage, openPagesOf, planStep, totalSteps, waitingOn, type EscalationState, type Page, type PageState, type PolicySnapshot } from './escalation.js';
import { event, type EventBody, type IncidentEvent } from './events.js';
import type { Actor, Incident } from './model.js';
import { isActive } from './model.js';
import { BOT } from './projection.js';
import type { Override } from './rotation-schema.js';
import type { StepRef } from './ports.js';

/**
 * Paging, in one place: what a page is, how it moves from state to state, and every decision
 * that pages, acknowledges or stops. docs/paging.md describes the same rules for people; keep
 * the two in step.
 *
 * Like lifecycle.ts, each `decide*` returns the events of a change (or [] for "nothing to do",
 * or throws why it is refused). The runner records them with a compare-and-set, in the same
 * atomic append as the effects they imply (the outbox, see src/app/record.ts), which is what
 * makes an acknowledgement and a racing step job exclusive and a crash between writes harmless.
 */

/**
 * The page state machine. Every arrow is an event:
 *   requested → sent          page_sent      (the DM went out; its message ref is linked)
 *   requested → failed        page_failed    (the platform refused the DM for good)
 *   requested | sent → acknowledged          acknowledged by the page's person
 *   requested | sent → stood_down            acknowledged by someone else, resolved, cancelled
 * A page that ended keeps its DM link: a late `page_sent` (the DM raced the ack) records the
 * ref without changing the state, so the DM still gets its outcome in place of its buttons; a
 * page given up on (`failed`) whose DM arrives after all becomes `sent`.
 */
export const PAGE_TRANSITIONS: Readonly<Record<PageState, readonly PageState[]>> = {
  requested: ['sent', 'failed', 'acknowledged', 'stood_down'],
  sent: ['acknowledged', 'stood_down'],
  acknowledged: [],
  stood_down: [],
  // Given up on, and then delivered after all (an earlier try that was only slow): it counts.
  failed: ['sent'],
};

export function canMove(from: PageState, to: PageState): boolean {
  return PAGE_TRANSITIONS[from].includes(to);
}

/** Policy pages are named by generation, step and person: one step of one generation pages a person once. */
export function policyPageId(generation: number, step: number, userId: string): string {
  return `g${generation}s${step}-${userId}`;
}

/**
 * Pages by hand are named by the incident version of the event that asked for them, so paging
 * someone again (after they acknowledged, or a second time) is a new page that is delivered.
 */
export function manualPageId(version: number, userId: string): string {
  return `m${version}-${userId}`;
}

/** The ids of the pages a `paged` event creates, given the incident version it is recorded at. */
export function pageIdsOf(e: Extract<EventBody, { type: 'paged' }>, version: number): string[] {
  return e.users.map((u) => (e.step < 0 ? manualPageId(version, u.id) : policyPageId(e.generation, e.step, u.id)));
}

export function findPage(inc: Incident, pageId: string): Page | undefined {
  return inc.escalation?.pages.find((p) => p.id === pageId);
}

/** True while a page DM should still go out: the incident is active and nobody ended the page. */
export function pageWanted(inc: Incident | null, pageId: string): boolean {
  if (!inc || !isActive(inc.status)) return false;
  return findPage(inc, pageId)?.state === 'requested';
}

/** True when the step job `ref` is the one the incident is waiting for. */
export function isDueStep(inc: Incident, ref: StepRef): boolean {
  const esc = inc.escalation;
  if (ref.kind === 'ack_timeout') return Boolean(esc && isActive(inc.status) && esc.phase === 'acknowledged' && esc.generation === ref.generation);
  return Boolean(esc && isActive(inc.status) && esc.phase === 'paging' && esc.generation === ref.generation && esc.nextStep === ref.step);
}

type Names = (userId: string) => string;

/** What policy step `step` of `generation` records at `now`: a page (maybe of nobody) or the end of the policy. */
function stepEvent(snapshot: PolicySnapshot, generation: number, step: number, now: Date, overrides: Record<string, Override[]>, name: Names): IncidentEvent {
  const plan = planStep(snapshot, step, now, overrides);
  if (plan === 'exhausted') return event({ type: 'escalation_exhausted', generation }, BOT, now);
  const users = plan.resolved.userIds.map((id) => ({ id, name: name(id) }));
  const next = plan.next && { step: plan.next.step, at: new Date(now.getTime() + plan.next.delayMs).toISOString() };
  const body = {
    type: 'paged' as const,
    users,
    generation,
    step,
    tier: plan.tier,
    round: plan.round,
    ...(plan.resolved.uncovered.length ? { uncovered: plan.resolved.uncovered } : {}),
    ...(next ? { next } : {}),
  };
  return event(body, BOT, now);
}

/**
 * Starts a policy and pages its first tier in the same events: tier 1's page is part of the
 * declaration (or the severity change) that called for it, never a write that may not happen.
 */
export function decideStartEscalation(
  inc: Incident,
  policyId: string,
  snapshot: PolicySnapshot,
  now: Date,
  overrides: Record<string, Override[]> = {},
  name: Names = (id) => id,
): IncidentEvent[] {
  const generation = (inc.escalation?.generation ?? 0) + 1;
  return [event({ type: 'escalation_started', policyId, snapshot, generation }, BOT, now), stepEvent(snapshot, generation, 0, now, overrides, name)];
}

/**
 * The events of timer `ref`, or [] when it is stale: acknowledged, resolved, superseded by an
 * escalate, or already done by an earlier run of the same job.
 */
export function decideStep(inc: Incident, ref: StepRef, now: Date, overrides: Record<string, Override[]>, name: Names): IncidentEvent[] {
  const esc = inc.escalation;
  if (!esc?.snapshot || !isDueStep(inc, ref)) return [];
  if (ref.kind === 'ack_timeout') return [event({ type: 'escalated', generation: esc.generation + 1, step: 0, reason: 'ack_timeout' }, BOT, now)];
  return [stepEvent(esc.snapshot, ref.generation, ref.step, now, overrides, name)];
}

/**
 * An acknowledgement by someone with an open page. The other people's open policy pages are
 * stood down by the same event (named in it, so the timeline says why their DMs stop); pages by
 * hand stay open: whoever was asked for help by name is still asked.
 */
export function decideAck(inc: Incident, actor: Actor, now: Date, admins: readonly string[] = []): IncidentEvent[] {
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'acknowledged' });
  const esc = inc.escalation;
  const open = openPagesOf(esc, actor.id);
  if (open.length === 0) {
    if (esc?.pages.some((p) => p.user.id === actor.id)) throw new IncidentError('already_acknowledged', { ref: inc.ref });
    const waiting = waitingOn(esc).map((a) => `<@${a.id}>`);
    throw new IncidentError('not_paged', { ref: inc.ref, paged: waiting.length ? waiting.join(', ') : '—' });
  }
  // The incident's time to acknowledge runs from its first page, whoever answers it.
  const first = esc?.pages[0]?.at ?? open[0]?.at ?? now.toISOString();
  const ttaMs = Math.max(0, now.getTime() - Date.parse(first));
  // `/incident page @me` then `/incident ack` must not silence the policy or take the credit, nor
  // may a bystander's page of a friend: only a page from the policy, or one sent by the
  // commander, the declarer or an admin, acknowledges the incident.
  const trusted = (id: string | undefined) => id !== undefined && id !== actor.id && (id === inc.roles.commander?.id || id === inc.declaredBy.id || admins.includes(id));
  if (open.every((p) => p.step < 0 && !trusted(p.requestedBy))) {
    return [event({ type: 'acknowledged', generation: esc?.generation ?? 0, ttaMs, own: true }, actor, now)];
  }
  const stoodDown = (esc?.pages ?? []).filter((p) => p.user.id !== actor.id && p.step >= 0 && isOpenPage(p)).map((p) => p.id);
  return [event({ type: 'acknowledged', generation: esc?.generation ?? 0, ttaMs, ...(stoodDown.length ? { stoodDown } : {}) }, actor, now)];
}

/**
 * Where the policy stands: its generation and the latest policy step paged in it (-1 before the
 * first). The Escalate button of a page DM carries this, as it was when the DM was made.
 */
export interface EscalatePosition {
  generation: number;
  step: number;
}

export function escalatePosition(esc: EscalationState | undefined): EscalatePosition {
  const generation = esc?.generation ?? 0;
  const steps = (esc?.pages ?? []).filter((p) => p.step >= 0 && p.generation === generation).map((p) => p.step);
  return { generation, step: Math.max(-1, ...steps) };
}

/**
 * `/incident escalate`: page the next tier now, whatever the timers say. `from` is where the
 * policy stood when the pressed Escalate button was made: once the incident has moved on (an
 * escalation, a timer, a restart) the press is old, or a replay, and does nothing ([]), so
 * pressing one DM's button again never pages one more tier. Without `from` (the command, a
 * button from before buttons carried it) it escalates from wherever the policy is.
 */
export function decideEscalate(inc: Incident, actor: Actor, now: Date, from?: EscalatePosition): IncidentEvent[] {
  const esc = inc.escalation;
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'escalated' });
  if (!esc?.snapshot) throw new IncidentError('no_policy', { ref: inc.ref });
  if (from) {
    const at = escalatePosition(esc);
    if (at.generation !== from.generation || at.step !== from.step) return [];
  }
  const lastStep = Math.max(-1, ...esc.pages.filter((p) => p.step >= 0).map((p) => p.step));
  const step = esc.phase === 'paging' && esc.nextStep !== undefined ? esc.nextStep : lastStep + 1;
  if (step >= totalSteps(esc.snapshot.policy)) throw new IncidentError('nothing_to_escalate', { ref: inc.ref });
  return [event({ type: 'escalated', generation: esc.generation + 1, step }, actor, now)];
}

/** `/incident page`: page people by hand, outside the policy; they can acknowledge like anyone paged. */
export function decidePage(inc: Incident, users: Actor[], message: string | undefined, actor: Actor, now: Date): IncidentEvent[] {
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'paged' });
  const generation = inc.escalation?.generation ?? 0;
  return [event({ type: 'paged', users, generation, step: -1, ...(message ? { message } : {}) }, actor, now)];
}

/** The DM of page `pageId` went out as `dm`: links it (once), whatever the page's state by now. */
export function decidePageSent(inc: Incident, pageId: string, dm: { channelId: string; messageId: string }, now: Date): IncidentEvent[] {
  const page = findPage(inc, pageId);
  // A second DM of one page (a retry that could not know the first went out) is linked too, so a
  // ✅ on either acknowledges; the page keeps pointing at the latest.
  if (!page || (page.dm?.channelId === dm.channelId && page.dm.messageId === dm.messageId)) return [];
  return [event({ type: 'page_sent', pageId, ...dm }, BOT, now)];
}

/** The platform refused page `pageId` for good: the timeline says so, and nobody waits on that DM. */
export function decidePageFailed(inc: Incident, pageId: string, reason: string, now: Date): IncidentEvent[] {
  const page = findPage(inc, pageId);
  if (!page || !canMove(page.state, 'failed')) return [];
  return [event({ type: 'page_failed', pageId, user: page.user, reason: reason.slice(0, 300) }, BOT, now)];
}

/**
 * Raising the severity to one whose route names another policy starts that policy (a new
 * generation: the old one's timers are superseded), unless someone already acknowledged: then
 * the incident has its responder, and paging again would only wake more people.
 */
export function policyStartsOnRaise(inc: Incident, policyId: string, severityRank: (id: string) => number, to: string): boolean {
  if (!isActive(inc.status) || severityRank(to) >= severityRank(inc.severity)) return false;
  const esc = inc.escalation;
  if (!esc?.snapshot) return true;
  return esc.policyId !== policyId && esc.phase !== 'acknowledged';
}
