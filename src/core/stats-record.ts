import type { IncidentEvent } from './events.js';
import { incidentTimes } from './metrics.js';
import { dueAtOf } from './followups.js';
import type { Incident } from './model.js';
import type { StatsFollowUp, StatsRecord } from './stats-types.js';

/**
 * The stats index record of a closed or cancelled incident: a fold over its events (through
 * incidentTimes, so the figures are the postmortem's) plus what the state says about its review
 * and follow-ups. Pure; src/app/stats-index.ts writes it whenever a finished incident changes.
 */
export function statsRecord(inc: Incident, events: readonly IncidentEvent[]): StatsRecord {
  const times = incidentTimes(events);
  // The state's, not the first review event's: a reopen clears a review (postmortem-review.ts). A
  // `postmortem` checklist step ticked by hand stops the reminders as a review does, so it counts as one.
  const reviewedAt = inc.postmortemReviewedAt ?? inc.checklist?.postmortem?.at;
  return {
    ref: inc.ref,
    number: inc.number,
    severity: inc.severity,
    ...(inc.service ? { service: inc.service } : {}),
    declaredAt: times.declaredAt,
    ...(times.detectedAt ? { detectedAt: times.detectedAt } : {}),
    ...(times.timeToDetectMs !== undefined ? { timeToDetectMs: times.timeToDetectMs } : {}),
    ...(times.firstPagedAt ? { firstPagedAt: times.firstPagedAt } : {}),
    ...(times.acknowledgedAt ? { acknowledgedAt: times.acknowledgedAt } : {}),
    ...(times.timeToAckMs !== undefined ? { timeToAckMs: times.timeToAckMs } : {}),
    ...(times.resolvedAt ? { resolvedAt: times.resolvedAt } : {}),
    ...(times.timeToResolveMs !== undefined ? { timeToResolveMs: times.timeToResolveMs } : {}),
    ...(times.closedAt ? { closedAt: times.closedAt } : {}),
    drill: Boolean(inc.drill),
    cancelled: inc.status === 'cancelled',
    ...(inc.private ? { private: true } : {}),
    ...(reviewedAt ? { postmortemReviewedAt: reviewedAt } : {}),
    followUps: followUps(inc, events, times.resolvedAt),
  };
}


/**
 * Each follow-up's due date and completion time: the item's own (followups.ts), else, for an item
 * recorded before those existed, its horizon after the resolve and its `action_completed` time.
 */
function followUps(inc: Incident, events: readonly IncidentEvent[], resolvedAt: string | undefined): StatsFollowUp[] {
  const completed = new Map<string, string>();
  for (const e of events) if (e.type === 'action_completed' && !completed.has(e.id)) completed.set(e.id, e.at);
  return inc.actionItems.map((item) => {
    const dueAt = dueAtOf(item, resolvedAt);
    const completedAt = item.status === 'done' ? (item.completedAt ?? completed.get(item.id)) : undefined;
    return { ...(dueAt ? { dueAt } : {}), ...(completedAt ? { completedAt } : {}) };
  });
}
