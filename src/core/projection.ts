import { applyEscalation } from './escalation-projection.js';
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
      version: 1,
    };
  }
  if (!state) throw new Error(`${e.type} before declared`);
  const escalation = applyEscalation(state.escalation, e, state.version + 1);
  const s: Incident = {
    ...state,
    version: state.version + 1,
    participants: withParticipant(state.participants, e.actor),
    ...(escalation ? { escalation } : {}),
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
    case 'status_changed':
      return { ...s, status: e.to, lastUpdateAt: e.at, statusHistory: [...s.statusHistory, { status: e.to, at: e.at }] };
    case 'role_assigned':
      return { ...s, roles: { ...s.roles, [e.role]: e.user }, participants: withParticipant(s.participants, e.user) };
    case 'note_added':
    case 'message_posted':
    case 'message_edited':
    case 'message_deleted':
    case 'key_event':
      return s;
    case 'action_added':
      return {
        ...s,
        actionItems: [...s.actionItems, { ...e.item, status: 'open', createdAt: e.at }],
        participants: e.item.owner ? withParticipant(s.participants, e.item.owner) : s.participants,
      };
    case 'action_completed':
      return { ...s, actionItems: s.actionItems.map((a) => (a.id === e.id ? { ...a, status: 'done' } : a)) };
    case 'resolved':
      return {
        ...s,
        status: 'resolved',
        resolvedAt: e.at,
        lastUpdateAt: e.at,
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
