import { IncidentError } from './errors.js';
import { openPagesOf, planStep, totalSteps, waitingOn, type PolicySnapshot } from './escalation.js';
import { event, type IncidentEvent } from './events.js';
import type { Actor, Incident } from './model.js';
import { isActive } from './model.js';
import { BOT } from './projection.js';
import type { Override } from './rotation-schema.js';
import type { StepRef } from './ports.js';

/**
 * Paging decisions. Like lifecycle.ts, each returns the events of a change or throws why it is
 * refused; the step runner and the commands record them with a compare-and-set, which is what
 * makes an acknowledgement and a racing step job exclusive: whichever writes second sees the other.
 */

export function decideStartEscalation(inc: Incident, policyId: string, snapshot: PolicySnapshot, now: Date): IncidentEvent[] {
  const generation = (inc.escalation?.generation ?? 0) + 1;
  return [event({ type: 'escalation_started', policyId, snapshot, generation }, BOT, now)];
}

/** True when the step job `ref` is the one the incident is waiting for. */
export function isDueStep(inc: Incident, ref: StepRef): boolean {
  const esc = inc.escalation;
  return Boolean(esc && isActive(inc.status) && esc.phase === 'paging' && esc.generation === ref.generation && esc.nextStep === ref.step);
}

/**
 * The events of policy step `ref`, or [] when the step is stale: acknowledged, resolved,
 * superseded by an escalate, or already done by an earlier run of the same job.
 */
export function decideStep(
  inc: Incident,
  ref: StepRef,
  now: Date,
  overrides: Record<string, Override[]>,
  name: (userId: string) => string,
): IncidentEvent[] {
  const esc = inc.escalation;
  if (!esc?.snapshot || !isDueStep(inc, ref)) return [];
  const plan = planStep(esc.snapshot, ref.step, now, overrides);
  if (plan === 'exhausted') return [event({ type: 'escalation_exhausted', generation: ref.generation }, BOT, now)];
  const users = plan.resolved.userIds.map((id) => ({ id, name: name(id) }));
  const next = plan.next && { step: plan.next.step, at: new Date(now.getTime() + plan.next.delayMs).toISOString() };
  const body = {
    type: 'paged' as const,
    users,
    generation: ref.generation,
    step: ref.step,
    tier: plan.tier,
    round: plan.round,
    ...(plan.resolved.uncovered.length ? { uncovered: plan.resolved.uncovered } : {}),
    ...(next ? { next } : {}),
  };
  return [event(body, BOT, now)];
}

export function decideAck(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
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
  return [event({ type: 'acknowledged', generation: esc?.generation ?? 0, ttaMs }, actor, now)];
}

/** `/incident escalate`: page the next tier now, whatever the timers say. */
export function decideEscalate(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
  const esc = inc.escalation;
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'escalated' });
  if (!esc?.snapshot) throw new IncidentError('no_policy', { ref: inc.ref });
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
