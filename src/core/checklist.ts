import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { CHECKLIST_STEPS, type ChecklistStep, type ChecklistTick, type Incident } from './model.js';
import type { OutboundMessage } from './ports.js';
import { chatTime } from './chat-time.js';

/**
 * The response checklist of seed 004 (appendix A): grade, page, record, scope, notify,
 * mitigate, verify, close, review the postmortem, track the follow-ups. A step ticks itself when
 * the timeline shows it happened; a step the bot cannot see (the scope of the impact, the
 * postmortem review) is ticked by hand with `/incident checklist tick <step> <reason>`.
 */

/** The steps an event shows to be done (before any earlier tick is taken into account). */
export function stepsTickedBy(e: IncidentEvent): ChecklistStep[] {
  switch (e.type) {
    case 'declared':
      // A declaration always carries its severity: the incident is graded from the start.
      return ['graded'];
    case 'severity_changed':
      return ['graded'];
    case 'paged':
    case 'acknowledged':
      return ['paged'];
    case 'message_posted':
    case 'note_added':
    case 'key_event':
      return ['recording'];
    case 'update_posted':
    case 'notice_posted':
      return ['notified'];
    case 'status_changed':
      // With a message it is a status update too: people were told.
      return [...(e.to === 'monitoring' ? (['mitigated'] as const) : []), ...(e.message ? (['notified'] as const) : [])];
    case 'resolved':
      return ['verified'];
    case 'closed':
      return ['closed'];
    case 'action_added':
      return ['followups'];
    case 'postmortem_reviewed':
      return ['postmortem'];
    case 'checklist_ticked':
      return [e.step];
    default:
      return [];
  }
}

/** The checklist after one more event: a step keeps its first tick; reopening un-verifies. */
export function applyChecklist(current: Incident['checklist'], e: IncidentEvent): Incident['checklist'] {
  let next = current;
  if (e.type === 'reopened' && next?.verified) {
    const { verified: _v, ...rest } = next;
    next = rest;
  }
  // The postmortem is reviewed again after the next resolve (postmortem-review.ts).
  if (e.type === 'reopened' && next?.postmortem) {
    const { postmortem: _p, ...rest } = next;
    next = rest;
  }
  for (const step of stepsTickedBy(e)) {
    if (next?.[step]) continue;
    const tick: ChecklistTick = { at: e.at, by: e.actor, ...(e.type === 'checklist_ticked' ? { reason: e.reason } : {}) };
    next = { ...next, [step]: tick };
  }
  return next;
}

export function checklistDone(inc: Incident): number {
  return CHECKLIST_STEPS.filter((s) => inc.checklist?.[s]).length;
}

/** The pinned checklist message: each step with its box, when it was ticked, and why when by hand. */
export function checklistMessage(inc: Incident, t: Translate, timeZone: string): OutboundMessage {
  const lines = CHECKLIST_STEPS.map((step, i) => {
    const tick = inc.checklist?.[step];
    const label = t(`checklist.step.${step}`);
    if (!tick) return `:white_large_square: ${i + 1}. ${label}`;
    const reason = tick.reason ? t('checklist.by_hand', { reason: tick.reason }) : '';
    return `:white_check_mark: ${i + 1}. ${label} · ${chatTime(tick.at, timeZone)}${reason}`;
  });
  const head = t('checklist.title', { ref: inc.ref, done: checklistDone(inc), total: CHECKLIST_STEPS.length });
  return { text: [head, ...lines].join('\n'), footer: t('checklist.footer') };
}
