import { event } from '../core/events.js';
import { acceptsMessages } from '../core/lifecycle.js';
import type { Actor } from '../core/model.js';
import { cleanText, cutText } from '../core/text.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';

/** How long a message id is remembered: platforms redeliver within minutes, edits come later. */
export const DEDUPE_TTL_S = 7 * 24 * 3600;

/** A human message seen in some channel, with the time the platform gave it. */
export interface InboundMessage {
  workspace: string;
  channelId: string;
  messageId: string;
  user: Actor;
  text: string;
  at: Date;
  /**
   * For an edit: what tells this edit of the message from its others (Slack's `edited.ts`,
   * Discord's `edited_timestamp`), so the same edit delivered twice is recorded once. Without
   * one (the local workspace, which never redelivers) every edit is recorded.
   */
  editId?: string;
}

/**
 * A chat message as the timeline keeps it: cleaned (src/core/text.ts) and cut to `limits.text`
 * characters with a marker. A message already posted cannot be refused, and a timeline that
 * stored 100 KB messages would carry them into every summary and postmortem.
 */
function storedText(deps: Deps, text: string): string {
  return cutText(cleanText(text), deps.config.limits.text, deps.t('text.cut'));
}

/**
 * Records a message posted in an incident channel on its timeline, once: platforms redeliver,
 * so the message id is taken in the same atomic write as the event (a crash can't leave one
 * without the other). Messages elsewhere are none of the bot's business.
 */
export async function recordMessage(deps: Deps, msg: InboundMessage): Promise<boolean> {
  if (!msg.text.trim()) return false;
  const incident = await deps.store.findByChannel(msg.workspace, msg.channelId);
  if (!incident || !acceptsMessages(incident)) return false;
  const body = { type: 'message_posted' as const, channelId: msg.channelId, messageId: msg.messageId, text: storedText(deps, msg.text) };
  const once = { key: `msg:${msg.channelId}:${msg.messageId}`, ttlSeconds: DEDUPE_TTL_S };
  const { duplicate } = await mutate(deps.store, incident, () => [event(body, msg.user, msg.at)], { current: incident, once });
  return !duplicate;
}

/**
 * A message changed after it was recorded: the edit goes on the timeline, the original stays.
 * Each edit once: its `editId` is taken in the same atomic write, as a message's id is.
 */
export async function recordEdit(deps: Deps, msg: InboundMessage): Promise<boolean> {
  const incident = await deps.store.findByChannel(msg.workspace, msg.channelId);
  if (!incident || !acceptsMessages(incident)) return false;
  const body = { type: 'message_edited' as const, channelId: msg.channelId, messageId: msg.messageId, text: storedText(deps, msg.text) };
  const once = msg.editId ? { key: `edit:${msg.channelId}:${msg.messageId}:${msg.editId}`, ttlSeconds: DEDUPE_TTL_S } : undefined;
  const { duplicate } = await mutate(deps.store, incident, () => [event(body, msg.user, msg.at)], { current: incident, ...(once ? { once } : {}) });
  return !duplicate;
}

/** A message was deleted: the timeline records that it was, and keeps what it said before. */
export async function recordDelete(deps: Deps, m: Omit<InboundMessage, 'text'>): Promise<boolean> {
  const incident = await deps.store.findByChannel(m.workspace, m.channelId);
  if (!incident || !acceptsMessages(incident)) return false;
  const body = { type: 'message_deleted' as const, channelId: m.channelId, messageId: m.messageId };
  const once = { key: `del:${m.channelId}:${m.messageId}`, ttlSeconds: DEDUPE_TTL_S };
  const { duplicate } = await mutate(deps.store, incident, () => [event(body, m.user, m.at)], { current: incident, once });
  return !duplicate;
}
