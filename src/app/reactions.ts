import { IncidentError } from '../core/errors.js';
import { event, type IncidentEvent } from '../core/events.js';
import { acceptsMessages } from '../core/lifecycle.js';
import type { Actor, Incident } from '../core/model.js';
import { decideAck, decideEscalate } from '../core/paging.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';
import { userErrorText } from './dispatch.js';
import { record } from './record.js';
import { DEDUPE_TTL_S } from './inbound.js';

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

const SHORT_NAMES: Record<string, string> = { white_check_mark: '✅', heavy_check_mark: '✔️', eyes: '👀', pushpin: '📌', round_pushpin: '📍' };
const KEY_EVENT_EMOJI = ['pushpin', 'round_pushpin'];

/** Compares emoji however the platform spells them: ✅ and white_check_mark are the same. */
export function sameEmoji(a: string, b: string): boolean {
  const norm = (x: string) => {
    const bare = x.replace(/^:|:$/g, '');
    return SHORT_NAMES[bare] ?? bare;
  };
  return norm(a) === norm(b);
}

/**
 * What a reaction means to the bot: an acknowledge emoji on a page DM acknowledges that page
 * (only for the person paged); 📌 on a message in an incident channel marks a key event. Returns
 * what to tell the person, or null when there is nothing to say.
 */
export async function recordReaction(deps: Deps, r: InboundReaction): Promise<string | null> {
  if (KEY_EVENT_EMOJI.some((e) => sameEmoji(e, r.emoji))) {
    await recordKeyEvent(deps, r);
    return null;
  }
  if (!deps.config.paging.ackEmojis.some((e) => sameEmoji(e, r.emoji))) return null;
  const link = await deps.store.findPageByMessage(r.workspace, r.channelId, r.messageId);
  if (!link) return null;
  const incident = await deps.store.get({ workspace: r.workspace, number: link.number });
  const page = incident?.escalation?.pages.find((p) => p.id === link.pageId);
  if (!incident || !page) return null;
  if (page.user.id !== r.user.id) return deps.t('page.only_paged');
  return answer(deps, async () => deps.t('reply.acknowledged', { ref: (await acknowledge(deps, incident, r.user)).ref }));
}

/** Records an acknowledgement (only by someone paged) and stops the escalation. */
export async function acknowledge(deps: Deps, incident: Incident, actor: Actor): Promise<Incident> {
  const { after } = await record(deps, incident, (inc) => decideAck(inc, actor, deps.clock.now()), { current: incident });
  return after;
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

/** A button on a page DM: Acknowledge or Escalate, for the incident whose number it carries. */
export async function pressButton(deps: Deps, b: { workspace: string; user: Actor; action: 'ack' | 'escalate'; value: string }): Promise<string> {
  const incident = await deps.store.get({ workspace: b.workspace, number: Number(b.value) });
  if (!incident) return deps.t('error.button_incident_gone');
  if (b.action === 'ack') return answer(deps, async () => deps.t('reply.acknowledged', { ref: (await acknowledge(deps, incident, b.user)).ref }));
  return answer(deps, async () => {
    const { after } = await record(deps, incident, (inc) => decideEscalate(inc, b.user, deps.clock.now()), { current: incident });
    return deps.t('reply.escalated', { ref: after.ref });
  });
}

async function answer(deps: Deps, run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof IncidentError) return userErrorText(deps, err);
    throw err;
  }
}
