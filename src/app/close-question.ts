import { authorize } from '../core/authz.js';
import { decideCloseAndAsk, decideNoFollowups } from '../core/followups-close.js';
import type { Actor, Incident } from '../core/model.js';
import type { ButtonAction } from '../core/ports.js';
import type { Deps, Reply } from './context.js';
import { errorRef as newErrorRef } from './dispatch.js';
import { record } from './record.js';

/**
 * `/incident close` with the follow-up question (issue 12; the rule: src/core/followups-close.ts):
 * the incident closes, and when it has no action items the commander is also asked, once,
 * whether that is deliberate, with No follow-ups needed / Add follow-up where the platform has buttons.
 */

/** Closes the incident; the reply carries the question when it was asked. */
export async function closeOrAsk(deps: Deps, incident: Incident, user: Actor): Promise<Reply> {
  const { after, events } = await record(deps, incident, (inc) => decideCloseAndAsk(inc, user, deps.clock.now()), { current: incident });
  const closed = closedReply(deps, after);
  if (!events.some((e) => e.type === 'followups_asked')) return closed;
  const value = String(after.number);
  return {
    text: `${closed.text}\n${deps.t('reply.close_ask', { ref: after.ref })}`,
    actions: [
      { id: 'no_followups', label: deps.t('close.button_none'), value },
      { id: 'add_followup', label: deps.t('close.button_add'), value, style: 'primary' },
    ],
  };
}

/** What the closer is told: where the postmortem draft is, or that it is missing (logged with a ref). */
export function closedReply(deps: Deps, after: Incident): Reply {
  if (after.postmortemPath) return { text: deps.t('reply.closed', { ref: after.ref, path: after.postmortemPath }) };
  // The close is recorded; only the draft is missing. The effect's failure is in the log already.
  const errorRef = newErrorRef();
  deps.log.error({ ref: errorRef, incidentId: after.ref, workspace: after.workspace }, 'postmortem draft missing after close');
  return { text: deps.t('reply.postmortem_failed', { ref: after.ref, errorRef }) };
}

/** No follow-ups needed (the same people as `/incident close`: the commander, the declarer or an admin) or Add follow-up. */
export async function pressCloseQuestion(deps: Deps, incident: Incident, user: Actor, action: Extract<ButtonAction, 'no_followups' | 'add_followup'>): Promise<string> {
  if (action === 'add_followup') return deps.t('reply.add_followup_how', { ref: incident.ref });
  authorize(incident, user, 'close', { admins: deps.config.admins });
  await record(deps, incident, (inc) => decideNoFollowups(inc, deps.t('close.none_reason'), user, deps.clock.now()), { current: incident });
  return deps.t('reply.no_followups', { ref: incident.ref });
}
