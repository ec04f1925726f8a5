import { event, type IncidentEvent } from './events.js';
import { decideChecklistTick } from './guidance.js';
import { decideClose } from './lifecycle.js';
import type { Actor, Incident } from './model.js';

/**
 * Closing without follow-ups (issue 12): the close goes through as always, and the first close of
 * an incident that has no action item also asks the commander whether that is deliberate (No
 * follow-ups needed / Add follow-up). The question is an event recorded with the close, so it is
 * asked once. A follow-up can still be added after the close (a postmortem review often finds
 * them). A drill is practice: it is never asked.
 */

/** Whether closing the incident now also asks the question. */
export function asksOnClose(inc: Incident): boolean {
  return inc.actionItems.length === 0 && !inc.drill && !inc.followupsAsked;
}

/** `decideClose`, with the question when it is due; every refusal of a close stays a refusal. */
export function decideCloseAndAsk(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
  const close = decideClose(inc, actor, now);
  return asksOnClose(inc) ? [...close, event({ type: 'followups_asked' }, actor, now)] : close;
}

/** "No follow-ups needed": the checklist's follow-ups step, ticked with that as the reason. */
export function decideNoFollowups(inc: Incident, reason: string, actor: Actor, now: Date): IncidentEvent[] {
  return inc.checklist?.followups ? [] : decideChecklistTick(inc, 'followups', reason, actor, now);
}
