import type { Incident } from '../core/model.js';
import { isActive } from '../core/model.js';
import type { StepRef } from '../core/ports.js';
import type { Deps } from './context.js';
import { runStep } from './escalation.js';
import { arm, drillTimer, reminderTimer, rolesTimer, runGuidanceStep } from './guidance.js';
import { rearmAwaitingReviews, rearmReviewReminders } from './postmortem-review.js';

/** A step this late is no longer BullMQ being BullMQ: something lost or stalled it. */
export const OVERDUE_MS = 60_000;

export interface SweepResult {
  /** Incidents whose pending step timer was (re-)armed. */
  armed: number;
  /** Steps found more than OVERDUE_MS late and run by the sweep itself. */
  overdue: number;
}

/**
 * The escalation audit (Grafana OnCall's dead-man's switch), at start-up and every minute. Every
 * incident waiting on a policy step gets its timer (idempotent by job id, a failed job is
 * replaced); a step already more than a minute overdue is run here and now, and logged as an
 * error with the incident and the delay, because a page that late means a timer was lost or
 * stuck and an operator should know. Step runs are idempotent, so racing the timer is harmless.
 */
export async function rearmEscalations(deps: Deps): Promise<SweepResult> {
  const result: SweepResult = { armed: 0, overdue: 0 };
  const now = deps.clock.now().getTime();
  for (const workspace of await deps.store.workspaces()) {
    // Incidents still waiting for their postmortem review, resolved or closed: read from their own small set.
    await rearmAwaitingReviews(deps, workspace, now);
    for (const inc of await deps.store.list(workspace, { limit: 10_000 })) {
      await rearmGuidance(deps, inc, now);
      // Without that set (a Deps built without it) the open list is all the sweep has.
      if (!deps.postmortemIndex) await rearmReviewReminders(deps, inc, now);
      const timer = pendingTimer(inc, now);
      if (!timer) continue;
      const { ref, dueAt } = timer;
      const lateMs = now - Date.parse(dueAt);
      if (lateMs > OVERDUE_MS) {
        deps.log.error({ incidentId: inc.ref, workspace, step: ref.step, generation: ref.generation, lateMs }, 'escalation step overdue; running it now');
        deps.metrics?.stepLate(lateMs);
        await runStep(deps, ref);
        result.overdue++;
        continue;
      }
      await deps.scheduler.scheduleStep(ref, Math.max(0, -lateMs), dueAt, { replaceFailed: true });
      result.armed++;
    }
  }
  return result;
}

/**
 * The guided response's timers (the next update reminder, the roles check) are re-armed the same
 * way; one more than a minute late (the process was down when it fell due) runs now, once.
 */
async function rearmGuidance(deps: Deps, inc: Incident, now: number): Promise<void> {
  for (const timer of [reminderTimer(deps, inc), rolesTimer(deps, inc), drillTimer(inc)]) {
    if (!timer) continue;
    if (now - Date.parse(timer.dueAt) > OVERDUE_MS) await runGuidanceStep(deps, timer.ref);
    else await arm(deps, timer, { replaceFailed: true });
  }
}

/** The timer an incident waits on: its next policy step, or the acknowledgement timeout of its policy. */
function pendingTimer(inc: Incident, now: number): { ref: StepRef; dueAt: string } | undefined {
  const esc = inc.escalation;
  const key = { workspace: inc.workspace, number: inc.number, generation: esc?.generation ?? 0 };
  if (esc?.phase === 'paging' && esc.nextStep !== undefined) {
    return { ref: { ...key, step: esc.nextStep }, dueAt: esc.nextAt ?? new Date(now).toISOString() };
  }
  const timeout = esc?.snapshot?.policy.ackTimeoutMs;
  // From the latest acknowledgement: after an ack timeout paged again, the next ack restarts the clock.
  const lastAck = Math.max(...(esc?.pages ?? []).map((p) => (p.ackedAt ? Date.parse(p.ackedAt) : -Infinity)));
  if (esc?.phase === 'acknowledged' && timeout && Number.isFinite(lastAck) && isActive(inc.status)) {
    return { ref: { ...key, step: 0, kind: 'ack_timeout' }, dueAt: new Date(lastAck + timeout).toISOString() };
  }
  return undefined;
}
