import { IncidentError } from '../core/errors.js';
import { event, type IncidentEvent } from '../core/events.js';
import { authorize, canSee, isAdmin } from '../core/authz.js';
import { acceptsMessages, decideResolve, decideTriageDeclare } from '../core/lifecycle.js';
import type { Actor, Incident } from '../core/model.js';
import { openPagesOf } from '../core/escalation.js';
import { decideAck, decideEscalate } from '../core/paging.js';
import { parseButtonValue } from '../core/paging-effects.js';
import type { ButtonAction } from '../core/ports.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';
import { userErrorText } from './dispatch.js';
import { record } from './record.js';
import { DEDUPE_TTL_S } from './inbound.js';
import { snoozeReminders, takeRole } from './guidance.js';
import { noticeButton, pressNotice } from './notice.js';
import { recordMarkedLesson } from './capture-reactions.js';
import { pressCloseQuestion } from './close-question.js';

/** A reaction someone added to a message. */
export interface InboundReaction {
  workspace: string;
  channelId: string;
  messageId: string;
  user: Actor;
  /** Unicode emoji (✅) or a platform short name (white_check_mark). */
  emoji: string;
  /** The message's text when the platform sent it along; otherwise the timeline's copy is used. */
  text?: string;
}

/**
 * Slack short names (and a few aliases) of the emoji people answer a page with; Discord and the
 * local workspace send the character itself. Custom emoji (`:ack:`) are compared by name.
 */
const SHORT_NAMES: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔',
  ballot_box_with_check: '☑',
  eyes: '👀',
  pushpin: '📌',
  round_pushpin: '📍',
  '+1': '👍',
  thumbsup: '👍',
  ok_hand: '👌',
  raised_hand: '✋',
  hand: '✋',
  ok: '🆗',
  bulb: '💡',
};
const KEY_EVENT_EMOJI = ['pushpin', 'round_pushpin'];
/** 💡 marks a message as a lesson to sort in the postmortem (capture-reactions.ts). */
const LESSON_EMOJI = 'bulb';
/** What means something on a channel message (📌, 💡): adapters skip every other reaction before any lookup. */
export const MESSAGE_EMOJI: readonly string[] = [...KEY_EVENT_EMOJI, LESSON_EMOJI];
/**
 * Check marks are one answer, whichever of them a person picks: configuring ✅ also takes ✔️ and
 * ☑️ (and ✓, 🗸), so nobody reacts with a check mark that silently does nothing.
 */
const CHECK_MARKS = new Set(['✅', '✔', '☑', '✓', '🗸']);
/** Variation selectors (U+FE0E/U+FE0F) and skin tones (U+1F3FB..U+1F3FF) change how an emoji looks, not what it says. */
const PRESENTATION = /[\uFE0E\uFE0F]|\uD83C[\uDFFB-\uDFFF]/g;

/**
 * One spelling per emoji: `:white_check_mark:`, `white_check_mark::skin-tone-2`, ✅ and ✅ with
 * U+FE0F all become ✅; ✔️ and ☑️ become ✅ too (CHECK_MARKS).
 */
export function normalizeEmoji(emoji: string): string {
  const name = emoji.trim().replace(/^:|:$/g, '').split('::')[0] ?? '';
  // Own entries only: a custom emoji named `constructor` must not reach Object's built-ins.
  const short = name.toLowerCase();
  const char = (Object.hasOwn(SHORT_NAMES, short) ? (SHORT_NAMES[short] ?? name) : name).normalize('NFC').replace(PRESENTATION, '');
  return CHECK_MARKS.has(char) ? '✅' : char;
}

/** Compares emoji however the platform spells them: ✅, white_check_mark and ✔️ are the same. */
export function sameEmoji(a: string, b: string): boolean {
  return normalizeEmoji(a) === normalizeEmoji(b);
}

/**
 * What a reaction means to the bot: an acknowledge emoji on a page DM acknowledges that page
 * (only for the person paged); 📌 on a message in an incident channel marks a key event, 💡 a
 * lesson to sort. Returns what to tell the person, or null when there is nothing to say.
 */
export async function recordReaction(deps: Deps, r: InboundReaction): Promise<string | null> {
  if (KEY_EVENT_EMOJI.some((e) => sameEmoji(e, r.emoji))) {
    await recordKeyEvent(deps, r);
    return null;
  }
  if (sameEmoji(LESSON_EMOJI, r.emoji)) {
    await recordMarkedLesson(deps, r);
    return null;
  }
  // Any other reaction, or an ack emoji on a message that is no page DM, is none of the bot's business.
  if (!deps.config.paging.ackEmojis.some((e) => sameEmoji(e, r.emoji))) return null;
  const link = await deps.store.findPageByMessage(r.workspace, r.channelId, r.messageId);
  if (!link) return null;
  // From here on the person meant to acknowledge: a refusal always says why.
  const incident = await deps.store.get({ workspace: r.workspace, number: link.number });
  const page = incident?.escalation?.pages.find((p) => p.id === link.pageId);
  if (!incident || !page) return deps.t('page.incident_gone');
  if (page.user.id !== r.user.id) return deps.t('page.only_paged');
  const by = incident.escalation?.acknowledgedBy;
  if (page.state === 'stood_down' && by && by.id !== r.user.id && !openPagesOf(incident.escalation, r.user.id).length) {
    return deps.t('page.ack_taken', { user: by.id, ref: incident.ref });
  }
  return answer(deps, () => acknowledgeReply(deps, incident, r.user));
}

/** Records an acknowledgement (only by someone paged) and stops the escalation. */
export async function acknowledge(deps: Deps, incident: Incident, actor: Actor): Promise<Incident> {
  return (await acknowledged(deps, incident, actor)).after;
}

async function acknowledged(deps: Deps, incident: Incident, actor: Actor) {
  const { after, events } = await record(deps, incident, (inc) => withCommander(inc, decideAck(inc, actor, deps.clock.now(), deps.config.admins), actor), { current: incident });
  return { after, own: events.some((e) => e.type === 'acknowledged' && e.own) };
}

/** An incident an alert opened has no commander: whoever acknowledges it for real leads it. */
function withCommander(inc: Incident, events: IncidentEvent[], actor: Actor): IncidentEvent[] {
  const acked = events.find((e) => e.type === 'acknowledged' && !e.own);
  if (!acked || inc.roles.commander) return events;
  return [...events, event({ type: 'role_assigned', role: 'commander', user: actor }, actor, new Date(acked.at))];
}

/** Acknowledges and says what it meant: the incident acknowledged, or only a page you sent yourself. */
export async function acknowledgeReply(deps: Deps, incident: Incident, actor: Actor): Promise<string> {
  const { after, own } = await acknowledged(deps, incident, actor);
  return deps.t(own ? 'reply.acknowledged_own' : 'reply.acknowledged', { ref: after.ref });
}

/** A pinned message, or one marked 📌, becomes a key event on the timeline (once). */
export async function recordKeyEvent(deps: Deps, r: Omit<InboundReaction, 'emoji'>): Promise<boolean> {
  const incident = await deps.store.findByChannel(r.workspace, r.channelId);
  if (!incident || !acceptsMessages(incident)) return false;
  const text = r.text ?? textOf(await deps.store.events(incident), r.messageId) ?? '';
  const body = { type: 'key_event' as const, channelId: r.channelId, messageId: r.messageId, text };
  const once = { key: `key:${r.channelId}:${r.messageId}`, ttlSeconds: DEDUPE_TTL_S };
  const { duplicate } = await mutate(deps.store, incident, () => [event(body, r.user, deps.clock.now())], { current: incident, once });
  return !duplicate;
}

/** The latest text the timeline has for a message (its last edit, else the original). */
function textOf(events: readonly IncidentEvent[], messageId: string): string | undefined {
  let text: string | undefined;
  for (const e of events) if ((e.type === 'message_posted' || e.type === 'message_edited') && e.messageId === messageId) text = e.text;
  return text;
}

/**
 * A button on a page DM: Acknowledge or Escalate, for the incident whose number it carries. An
 * Escalate button also carries the step it escalates from (paging-effects.ts escalateValue):
 * pressed again, or replayed, once the incident moved on, it changes nothing and says so.
 */
export async function pressButton(deps: Deps, b: { workspace: string; user: Actor; action: ButtonAction; value: string }): Promise<string> {
  // A notice button's value carries its draft's stamp, not an escalation step.
  if (noticeButton(b.action)) return answer(deps, () => pressNotice(deps, b));
  const value = parseButtonValue(b.value);
  const incident = value ? await deps.store.get({ workspace: b.workspace, number: value.number }) : null;
  if (!value || !incident) return deps.t('error.button_incident_gone');
  if (b.action === 'ack') return answer(deps, () => acknowledgeReply(deps, incident, b.user));
  if (b.action === 'declare') return answer(deps, () => declareTriage(deps, incident, b.user));
  if (b.action === 'resolve') return answer(deps, () => resolveByButton(deps, incident, b.user));
  if (b.action === 'update') return deps.t('reply.update_how', { ref: incident.ref });
  if (b.action === 'snooze_15' || b.action === 'snooze_60') {
    return answer(deps, () => {
      authorize(incident, b.user, 'snooze', { admins: deps.config.admins });
      return snoozeReminders(deps, incident, b.user, b.action === 'snooze_15' ? 15 : 60);
    });
  }
  // issue 12: Close anyway / Add follow-up on the question asked when closing without follow-ups.
  if (b.action === 'no_followups' || b.action === 'add_followup') {
    const action = b.action;
    return answer(deps, () => pressCloseQuestion(deps, incident, b.user, action));
  }
  if (b.action === 'take_comms' || b.action === 'take_scribe') {
    // Someone who may not see a private incident must not hold one of its roles either.
    if (!canSee(incident, b.user.id, { admins: deps.config.admins })) return deps.t('reply.private_incident', { ref: incident.ref, commander: incident.roles.commander?.id ?? incident.declaredBy.id });
    return answer(deps, () => takeRole(deps, incident, b.user, b.action === 'take_comms' ? 'comms' : 'scribe'));
  }
  // A button's value comes from the client and can be forged: Escalate works only for someone who
  // was paged for this incident, from a button that names the step it escalates from.
  const paged = incident.escalation?.pages.some((p) => p.user.id === b.user.id);
  if (!value.from || !paged) return deps.t('error.button_not_yours', { ref: incident.ref });
  return answer(deps, async () => {
    const { after, events } = await record(deps, incident, (inc) => decideEscalate(inc, b.user, deps.clock.now(), value.from), { current: incident });
    return deps.t(events.length ? 'reply.escalated' : 'reply.escalate_stale', { ref: after.ref });
  });
}

/**
 * Declare on a triage page (an alert route's `action: page`): the incident gets its channel. Only
 * someone paged for it (or an admin) may: the button's value can be forged, a page cannot.
 */
async function declareTriage(deps: Deps, incident: Incident, user: Actor): Promise<string> {
  const paged = incident.escalation?.pages.some((p) => p.user.id === user.id);
  if (!paged && !isAdmin({ admins: deps.config.admins }, user.id)) return deps.t('error.declare_not_yours', { ref: incident.ref });
  const { after } = await record(deps, incident, (inc) => decideTriageDeclare(inc, user, deps.clock.now()), { current: incident });
  return deps.t('reply.triage_declared', { ref: after.ref });
}

/** Resolve, from the message that says every alert of the incident resolved: the same rule as `/incident resolve`. */
async function resolveByButton(deps: Deps, incident: Incident, user: Actor): Promise<string> {
  authorize(incident, user, 'resolve', { admins: deps.config.admins });
  await record(deps, incident, (inc) => decideResolve(inc, undefined, user, deps.clock.now()), { current: incident });
  return deps.t('reply.done');
}

async function answer(deps: Deps, run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof IncidentError) return userErrorText(deps, err);
    throw err;
  }
}
