import { chatTime } from './chat-time.js';
import { IncidentError } from './errors.js';
import { event, type IncidentEvent } from './events.js';
import { format, type Translate } from './i18n/index.js';
import type { Actor, Incident, NoticeAudience, SeverityLevel } from './model.js';
import { NOTICE_AUDIENCES } from './model.js';
import { nextUpdateDue } from './summary.js';
import { cutText } from './text.js';

/**
 * Stakeholder notices (seeds 001 and 002): a message for people outside the response, drafted
 * from what the incident's record already says, so whoever speaks for the incident reviews words
 * instead of writing them under pressure. Pure: the fields come from the incident and its events.
 *
 * - An internal notice is for the company (`channels.stakeholders`): it names the incident, its
 *   severity, its commander and its channel.
 * - An external notice is for customers (`channels.external`): no names, no channel links, no
 *   mentions taken over from what responders wrote, and customer-facing wording for the status.
 * - A private incident's notices (both) leave out its title, summary and channel: the title of a
 *   private incident is not announced either (effects.ts), and its channel name carries the title.
 *   The author sees the draft first and can write in what may be said.
 */

/** The placeholders a notice template may use, per audience (an external notice names nobody). */
export const NOTICE_PLACEHOLDERS: Readonly<Record<NoticeAudience, readonly string[]>> = {
  internal: ['ref', 'severity', 'status', 'occurred', 'symptoms', 'impact', 'cause', 'actions', 'next_update', 'commander', 'channel'],
  external: ['ref', 'severity', 'status', 'occurred', 'symptoms', 'impact', 'cause', 'actions', 'next_update'],
};

/** The `{placeholders}` of a template that the audience does not have; empty when it is fine. */
export function unknownPlaceholders(audience: NoticeAudience, template: string): string[] {
  const known = NOTICE_PLACEHOLDERS[audience];
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''))].filter((name) => !known.includes(name));
}

/** Longest notice, in characters: what a Slack text input holds (Discord splits longer posts). */
export const NOTICE_MAX = 3000;
/** How much of one person-written field (summary, update, cause, impact) a draft quotes. */
const FIELD_MAX = 500;

export interface NoticeOptions {
  t: Translate;
  severities: readonly SeverityLevel[];
  timeZone: string;
  /** Templates from the config (`notices.internal`, `notices.external`); the catalog's otherwise. */
  templates?: Partial<Record<NoticeAudience, string>>;
}

export function parseAudience(value: string | undefined): NoticeAudience | undefined {
  const v = value?.toLowerCase();
  return NOTICE_AUDIENCES.find((a) => a === v);
}

/** The cause as the record says it: the message of the latest change to `identified`. */
function causeOf(events: readonly IncidentEvent[]): string | undefined {
  let cause: string | undefined;
  for (const e of events) if (e.type === 'status_changed' && e.to === 'identified' && e.message) cause = e.message;
  return cause;
}

/** Mentions and channel links out of text responders wrote, for readers outside the company. */
function withoutReferences(text: string): string {
  return text.replace(/<[@#!][^>\s]*>/g, '').replace(/[ \t]{2,}/g, ' ').trim();
}

/** The values a notice template is filled with. */
export function noticeFields(inc: Incident, events: readonly IncidentEvent[], audience: NoticeAudience, o: NoticeOptions): Record<string, string> {
  const { t } = o;
  const external = audience === 'external';
  const quote = (text: string) => cutText(external ? withoutReferences(text) : text, FIELD_MAX, '…');
  const status = external ? t(`notice.status.${inc.status}`) : t(`word.status.${inc.status}`);
  const symptoms = inc.private ? t('notice.symptoms_private') : quote(inc.summary ? `${inc.title}: ${inc.summary}` : inc.title);
  const scope = inc.checklist?.scope?.reason;
  const cause = causeOf(events);
  const update = inc.lastUpdate?.text;
  const due = nextUpdateDue(inc, o.severities);
  const commander = inc.roles.commander ?? inc.declaredBy;
  return {
    ref: inc.ref,
    severity: inc.severity,
    status,
    occurred: chatTime(inc.detectedAt ?? inc.declaredAt, o.timeZone),
    symptoms,
    impact: scope ? quote(scope) : t('notice.impact_unknown'),
    cause: cause ? quote(cause) : t('notice.cause_unknown'),
    actions: update ? t('notice.actions', { status, text: quote(update) }) : status,
    next_update: due ? chatTime(due.toISOString(), o.timeZone) : t('notice.no_next_update'),
    commander: commander.id === 'bot' ? t('summary.nobody') : `<@${commander.id}>`,
    channel: inc.channelId && !inc.private ? `<#${inc.channelId}>` : t('summary.none'),
  };
}

/** The draft of a notice: the configured template or the catalog's, filled from the incident. */
export function draftNotice(inc: Incident, events: readonly IncidentEvent[], audience: NoticeAudience, o: NoticeOptions): string {
  const template = o.templates?.[audience] ?? o.t(audience === 'internal' ? 'notice.internal' : 'notice.external');
  return format(template, noticeFields(inc, events, audience, o)).trim();
}

/**
 * A short fingerprint of a draft (FNV-1a, decimal): a Post button carries the one of the draft it
 * was shown with, so it posts what the author read, never a draft the incident has moved on from.
 */
export function draftStamp(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h);
}

/** A notice button's value: the incident number, and the draft's stamp for Post. */
export function noticeValue(number: number, stamp?: string): string {
  return stamp ? `${number}.${stamp}` : String(number);
}

export function parseNoticeValue(value: string): { number: number; stamp?: string } | null {
  const m = /^(\d{1,15})(?:\.(\d{1,10}))?$/.exec(value.trim());
  if (!m) return null;
  return m[2] ? { number: Number(m[1]), stamp: m[2] } : { number: Number(m[1]) };
}

/** Posting a notice: any incident that is not cancelled (a notice after the fix says it is fixed). */
export function decideNotice(inc: Incident, audience: NoticeAudience, text: string, actor: Actor, now: Date): IncidentEvent[] {
  if (inc.status === 'cancelled') throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  return [event({ type: 'notice_posted', audience, text }, actor, now)];
}
