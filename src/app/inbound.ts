import { IncidentError } from '../core/errors.js';
import { event } from '../core/events.js';
import { acceptsMessages } from '../core/lifecycle.js';
import type { Actor, Incident } from '../core/model.js';
import { decideAck } from '../core/paging.js';
import { userErrorText } from './dispatch.js';
import { applyEffects } from './effects.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';

/** A human message seen in some channel, with the time the platform gave it. */
export interface InboundMessage {
  workspace: string;
  channelId: string;
  messageId: string;
  user: Actor;
  text: string;
  at: Date;
}

/**
 * Records a message posted in an incident channel on its timeline, once: platforms redeliver,
 * so the message id is claimed first. Messages elsewhere are none of the bot's business.
 */
export async function recordMessage(deps: Deps, msg: InboundMessage): Promise<boolean> {
  if (!msg.text.trim()) return false;
  const incident = await deps.store.findByChannel(msg.workspace, msg.channelId);
  if (!incident || !acceptsMessages(incident)) return false;
  const fresh = await deps.store.claim(`msg:${msg.workspace}:${msg.channelId}:${msg.messageId}`, 7 * 24 * 3600);
  if (!fresh) return false;
  const body = { type: 'message_posted' as const, channelId: msg.channelId, messageId: msg.messageId, text: msg.text };
  await mutate(deps.store, incident, () => [event(body, msg.user, msg.at)]);
  return true;
}

/** A reaction someone added to a message. */
export interface InboundReaction {
  workspace: string;
  channelId: string;
  messageId: string;
  user: Actor;
  /** Unicode emoji (✅) or a platform short name (white_check_mark). */
  emoji: string;
}

const SHORT_NAMES: Record<string, string> = { white_check_mark: '✅', heavy_check_mark: '✔️', eyes: '👀', pushpin: '📌' };

/** Compares emoji however the platform spells them: ✅ and white_check_mark are the same. */
export function sameEmoji(a: string, b: string): boolean {
  const norm = (x: string) => SHORT_NAMES[x.replace(/^:|:$/g, '')] ?? x.replace(/^:|:$/g, '');
  return norm(a) === norm(b);
}

/**
 * An acknowledge emoji on a page DM acknowledges that page, when the person reacting is the
 * one paged. Returns what to tell the person, or null when the reaction means nothing to the bot.
 */
export async function recordReaction(deps: Deps, r: InboundReaction): Promise<string | null> {
  if (!deps.config.paging.ackEmojis.some((e) => sameEmoji(e, r.emoji))) return null;
  const page = await deps.oncall.findPage(r.workspace, r.channelId, r.messageId);
  if (!page) return null;
  if (page.userId !== r.user.id) return deps.t('page.only_paged');
  const incident = await deps.store.get({ workspace: r.workspace, number: page.number });
  if (!incident) return null;
  try {
    const after = await acknowledge(deps, incident, r.user);
    return deps.t('reply.acknowledged', { ref: after.ref });
  } catch (err) {
    if (err instanceof IncidentError) return userErrorText(deps, err);
    throw err;
  }
}

/** Records an acknowledgement (only by someone paged) and stops the escalation. */
export async function acknowledge(deps: Deps, incident: Incident, actor: Actor): Promise<Incident> {
  const { after, events } = await mutate(deps.store, incident, (inc) => decideAck(inc, actor, deps.clock.now()));
  return applyEffects(deps, after, events);
}
