import { formatClock, formatDate, formatDuration } from './durations.js';
import { BOOKKEEPING_EVENTS, type EventType, type IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { chronological } from './metrics.js';
import type { Actor } from './model.js';
import { alertText } from './alerts/incident.js';
import { captureText } from './capture-text.js';

/** One line of the human-facing timeline. */
export interface TimelineEntry {
  at: string;
  actor: Actor;
  text: string;
  kind: EventType;
}

export interface PeopleOption {
  /** `<@id>` (chat posts) instead of display names (files, plain text). */
  mention?: boolean;
}

function person(a: Actor, opts: PeopleOption): string {
  return opts.mention ? `<@${a.id}>` : a.name;
}

function eventText(e: IncidentEvent, t: Translate, opts: PeopleOption): string | undefined {
  const because = (text: string | undefined): string => (text ? t('word.because', { text }) : '');
  switch (e.type) {
    case 'declared':
      return t('timeline.declared', {
        title: e.title,
        severity: e.severity,
        service: e.service ? t('timeline.service', { service: e.service }) : '',
      });
    case 'severity_changed':
      return t('timeline.severity_changed', { from: e.from, to: e.to, reason: because(e.reason) });
    case 'status_changed':
      return t('timeline.status_changed', {
        from: t(`word.status.${e.from}`),
        to: t(`word.status.${e.to}`),
        message: because(e.message),
      });
    case 'role_assigned':
      return t('timeline.role_assigned', { user: person(e.user, opts), role: t(`word.role.${e.role}`) });
    case 'note_added':
      return t('timeline.note_added', { text: e.text });
    case 'message_posted':
      return t('timeline.message_posted', { text: e.text });
    case 'message_edited':
      return t('timeline.message_edited', { text: e.text });
    case 'message_deleted':
      return t('timeline.message_deleted');
    case 'key_event':
      return t('timeline.key_event', { text: e.text });
    case 'action_added':
      return t('timeline.action_added', {
        id: e.item.id,
        text: e.item.text,
        owner: e.item.owner ? t('word.owner', { owner: person(e.item.owner, opts) }) : '',
        horizon: t(`word.horizon.${e.item.horizon}`),
      });
    case 'action_completed':
      return t('timeline.action_completed', { id: e.id });
    case 'resolved':
      if (e.stillFiring) return t('timeline.resolved_firing', { summary: because(e.summary), count: e.stillFiring });
      return t('timeline.resolved', { summary: because(e.summary) });
    case 'alert_fired':
      return t('timeline.alert_fired', { summary: alertText(e.summary), folded: e.folded ? t('word.folded', { group: alertText(e.folded, 80) }) : '' });
    case 'alert_resolved':
      return t(e.quiet ? 'timeline.alert_resolved_quiet' : 'timeline.alert_resolved', { summary: alertText(e.summary) });
    case 'triage_declared':
      return t('timeline.triage_declared');
    case 'cancelled':
      return t('timeline.cancelled', { reason: because(e.reason) });
    case 'closed':
      return t('timeline.closed');
    case 'escalation_started':
      return t('timeline.escalation_started', { policy: e.snapshot.policy.name ?? e.policyId });
    case 'paged':
      if (e.users.length === 0) return t('timeline.paged_nobody', { tier: (e.tier ?? 0) + 1 });
      return t(e.step < 0 ? 'timeline.paged_by_hand' : 'timeline.paged', {
        users: e.users.map((u) => person(u, opts)).join(', '),
        tier: (e.tier ?? 0) + 1,
        message: because(e.message),
      });
    case 'acknowledged':
      return e.own ? t('timeline.acknowledged_own') : t('timeline.acknowledged', { tta: formatDuration(e.ttaMs, t) });
    case 'escalated':
      return t(e.reason === 'ack_timeout' ? 'timeline.ack_timed_out' : 'timeline.escalated');
    case 'page_failed':
      return t('timeline.page_failed', { user: person(e.user, opts), reason: e.reason });
    case 'channel_failed':
      return t('timeline.channel_failed', { reason: e.reason });
    case 'escalation_exhausted':
      return t('timeline.escalation_exhausted');
    case 'update_posted':
      return t('timeline.update_posted', { text: e.text });
    case 'update_reminded':
      return t('timeline.update_reminded');
    case 'update_snoozed':
      return t('timeline.update_snoozed', { minutes: e.minutes });
    case 'reopened':
      return t('timeline.reopened', { reason: because(e.reason) });
    case 'roles_reminded':
      return t('timeline.roles_reminded', { roles: e.missing.map((r) => t(`word.role.${r}`)).join(t('word.and')) });
    case 'checklist_ticked':
      return t('timeline.checklist_ticked', { step: t(`checklist.step.${e.step}`), reason: e.reason });
    case 'drill_symptom':
      return t('timeline.drill_symptom', { n: e.index + 1 });
    case 'notice_posted':
      return t('timeline.notice_posted', { audience: t(`word.audience.${e.audience}`) });
    // issue 12: follow-ups
    case 'followups_asked':
      return t('timeline.followups_asked');
    // issue 12: the 48-hour rule
    case 'postmortem_reminded':
      return t('timeline.postmortem_reminded', { hours: e.hours });
    case 'postmortem_reviewed':
      return t('timeline.postmortem_reviewed', { reviewers: e.reviewers.map((r) => person(r, opts)).join(', ') });
    // issue 12: capture during the incident
    case 'why_recorded':
    case 'cause_recorded':
    case 'impact_recorded':
    case 'lesson_recorded':
    case 'summary_set':
      return captureText(e, t);
    default:
      return undefined; // bookkeeping
  }
}

/**
 * The events people care about, in time order (a captured chat message keeps its original time,
 * so append order is not enough). Bookkeeping events are left out.
 */
export function timelineEntries(events: readonly IncidentEvent[], t: Translate, opts: PeopleOption = {}): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of chronological(events)) {
    if (BOOKKEEPING_EVENTS.has(e.type)) continue;
    const text = eventText(e, t, opts);
    if (text !== undefined) out.push({ at: e.at, actor: e.actor, text, kind: e.type });
  }
  return out;
}

/**
 * Plain-text timeline, one entry a line: `09:09  @alice  declared *Checkout down* (P1)`. A date
 * line (`2025-12-26`) opens each day. Continuation lines of a multi-line text are indented under
 * the text. With `mention`, actors are `<@id>` for chat posts; otherwise `@display name`.
 */
export function formatTimeline(entries: readonly TimelineEntry[], timeZone: string, opts: PeopleOption = {}): string {
  const lines: string[] = [];
  let day: string | undefined;
  for (const e of entries) {
    const date = formatDate(e.at, timeZone);
    if (date !== day) {
      if (day !== undefined) lines.push('');
      lines.push(date);
      day = date;
    }
    const clock = formatClock(e.at, timeZone);
    const who = opts.mention ? `<@${e.actor.id}>` : `@${e.actor.name}`;
    const head = `${clock}  ${who}  `;
    const [first = '', ...rest] = e.text.split(/\r?\n/);
    const indent = ' '.repeat(opts.mention ? clock.length + 2 : head.length);
    lines.push(head + first, ...rest.map((l) => indent + l));
  }
  return lines.join('\n');
}
