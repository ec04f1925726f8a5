import { applyChecklist } from './checklist.js';
import { applyEscalation } from './escalation-projection.js';
import { applyCapture } from './capture-projection.js';
import { addedItem, completedItems, itemsAtResolve } from './followups-projection.js';
import { applyReview, withoutReview } from './postmortem-review.js';
import type { IncidentEvent } from './events.js';
import type { Actor, AlertItem, Incident, IncidentKey } from './model.js';
import { incidentRef } from './model.js';

/**
 * Folds events into the incident's state. Pure and total: the store writes its result atomically
 * with the events it came from, so state and timeline never disagree.
 */
export function project(current: Incident | null, events: readonly IncidentEvent[], key?: IncidentKey): Incident {
  let state = current;
  for (const e of events) state = applyEvent(state, e, key);
  if (!state) throw new Error('project: no state and no events');
  return state;
}

function applyEvent(state: Incident | null, e: IncidentEvent, key?: IncidentKey): Incident {
  if (e.type === 'declared') {
    if (state) throw new Error('declared applied twice');
    if (!key) throw new Error('declared needs the incident key');
    return {
      ...key,
      ref: incidentRef(key.number),
      title: e.title,
      summary: e.summary,
      ...(e.service ? { service: e.service } : {}),
      severity: e.severity,
      status: 'investigating',
      private: e.private,
      roles: {},
      declaredAt: e.at,
      declaredBy: e.actor,
      lastUpdateAt: e.at,
      statusHistory: [{ status: 'investigating', at: e.at }],
      actionItems: [],
      participants: [e.actor],
      ...(e.alert ? { alerts: { ...e.alert, items: [] } } : {}),
      ...(e.triage ? { triage: true } : {}),
      ...(e.detectedAt ? { detectedAt: e.detectedAt } : {}),
      checklist: applyChecklist(undefined, e) ?? {},
      ...(e.drill ? { drill: { scenario: e.drill.scenario, dry: e.drill.dry === true, symptoms: 0 } } : {}),
      version: 1,
    };
  }
  if (!state) throw new Error(`${e.type} before declared`);
  const escalation = applyEscalation(state.escalation, e, state.version + 1);
  const checklist = applyChecklist(state.checklist, e);
  const s: Incident = {
    ...state,
    version: state.version + 1,
    participants: withParticipant(state.participants, e.actor),
    ...(escalation ? { escalation } : {}),
    ...(checklist ? { checklist } : {}),
  };
  switch (e.type) {
    case 'channel_created': {
      const { channelError: _e, ...rest } = s;
      return { ...rest, channelId: e.channelId, channelName: e.channelName };
    }
    case 'channel_failed':
      return { ...s, channelError: e.reason };
    case 'summary_posted':
      return { ...s, summaryMessageId: e.messageId };
    case 'severity_changed':
      return { ...s, severity: e.to };
    case 'status_changed': {
      const moved = { ...s, status: e.to, statusHistory: [...s.statusHistory, { status: e.to, at: e.at }] };
      // A status change that says something counts as a status update; a bare one does not.
      return e.message ? updated(moved, e.message, e) : moved;
    }
    case 'update_posted':
      return updated(s, e.text, e);
    case 'update_reminded':
      return { ...s, remindedAt: e.dueAt };
    case 'update_snoozed':
      return { ...s, updateSnoozedUntil: e.until };
    case 'reopened': {
      const { resolvedAt: _r, resolution: _s, ...rest } = s;
      // Back to work: the update clock starts again from the reopening; the postmortem review with the next resolve.
      return { ...withoutReview(withoutReminders(rest)), status: 'investigating', lastUpdateAt: e.at, statusHistory: [...s.statusHistory, { status: 'investigating', at: e.at }] };
    }
    case 'roles_reminded':
      return { ...s, rolesReminded: true };
    case 'checklist_ticked':
      return s;
    case 'checklist_posted':
      return { ...s, checklistMessageId: e.messageId };
    case 'drill_symptom':
      return s.drill ? { ...s, drill: { ...s.drill, symptoms: Math.max(s.drill.symptoms, e.index + 1) } } : s;
    case 'notice_posted':
      return { ...s, notices: { ...s.notices, [e.audience]: (s.notices?.[e.audience] ?? 0) + 1 } };
    case 'role_assigned': {
      // Taken by its holder (a Take button) or handed by someone else (the commander confirms a volunteer by handing it again).
      const { [e.role]: _was, ...others } = s.volunteered ?? {};
      const volunteered = e.actor.id === e.user.id && e.role !== 'commander' ? { ...others, [e.role]: true as const } : others;
      return { ...s, roles: { ...s.roles, [e.role]: e.user }, participants: withParticipant(s.participants, e.user), volunteered };
    }
    case 'note_added':
    case 'message_posted':
    case 'message_edited':
    case 'message_deleted':
    case 'key_event':
      return s;
    case 'action_added':
      return {
        ...s,
        actionItems: [...s.actionItems, addedItem(s, e)],
        participants: e.item.owner ? withParticipant(s.participants, e.item.owner) : s.participants,
      };
    case 'action_completed':
      return { ...s, actionItems: completedItems(s.actionItems, e) };
    case 'resolved':
      return {
        ...s,
        status: 'resolved',
        resolvedAt: e.at,
        lastUpdateAt: e.at,
        actionItems: itemsAtResolve(s.actionItems, e.at),
        ...(e.summary ? { resolution: e.summary } : {}),
        statusHistory: [...s.statusHistory, { status: 'resolved', at: e.at }],
      };
    case 'cancelled':
      return { ...s, status: 'cancelled', cancelledAt: e.at, statusHistory: [...s.statusHistory, { status: 'cancelled', at: e.at }] };
    case 'closed':
      return { ...s, status: 'closed', closedAt: e.at, statusHistory: [...s.statusHistory, { status: 'closed', at: e.at }] };
    case 'postmortem_written':
      return { ...s, postmortemPath: e.path };
    case 'alert_fired':
    case 'alert_resolved':
      if (!s.alerts) return s;
      return {
        ...s,
        alerts: {
          ...s.alerts,
          items: applyAlert(s.alerts.items, e),
          ...(!s.alerts.lead && e.type === 'alert_fired' && !e.folded ? { lead: { summary: e.summary, labels: e.labels, links: e.links } } : {}),
        },
      };
    case 'triage_declared': {
      const { triage: _t, ...rest } = s;
      return rest;
    }
    // issue 12: capture during the incident
    case 'why_recorded':
    case 'cause_recorded':
    case 'impact_recorded':
    case 'lesson_recorded':
    case 'summary_set':
      return applyCapture(s, e);
    // issue 12: follow-ups
    case 'followups_asked':
      return { ...s, followupsAsked: true };
    // issue 12: the 48-hour rule
    case 'postmortem_reminded':
    case 'postmortem_reviewed':
      return applyReview(s, e);
    case 'escalation_started':
    case 'paged':
    case 'acknowledged':
    case 'page_sent':
    case 'page_failed':
    case 'escalated':
    case 'escalation_exhausted':
      return s;
  }
}

/** A status update: the clock restarts from it, and a snooze or reminder before it is over. */
function updated(s: Incident, text: string, e: IncidentEvent): Incident {
  return { ...withoutReminders(s), lastUpdateAt: e.at, lastUpdate: { text, at: e.at, by: e.actor } };
}

function withoutReminders(s: Incident): Incident {
  const { updateSnoozedUntil: _u, remindedAt: _r, ...rest } = s;
  return rest;
}

function applyAlert(items: readonly AlertItem[], e: IncidentEvent & { type: 'alert_fired' | 'alert_resolved' }): AlertItem[] {
  const known = items.find((a) => a.fingerprint === e.fingerprint);
  if (e.type === 'alert_resolved') return items.map((a) => (a === known ? { ...a, status: 'resolved' } : a));
  const item: AlertItem = { fingerprint: e.fingerprint, summary: e.summary, status: 'firing' };
  return known ? items.map((a) => (a === known ? item : a)) : [...items, item];
}

function withParticipant(list: Actor[], actor: Actor): Actor[] {
  if (actor.id === BOT.id || list.some((a) => a.id === actor.id)) return list;
  return [...list, actor];
}

/** The bot itself, as the actor of the events it records on its own. */
export const BOT: Actor = { id: 'bot', name: 'incident-bot' };
