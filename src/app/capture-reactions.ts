import { decideMarkedLesson } from '../core/capture.js';
import type { IncidentEvent } from '../core/events.js';
import type { Actor, Incident } from '../core/model.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';
import { DEDUPE_TTL_S } from './inbound.js';

/** A reaction on a message, as reactions.ts hands it on. */
export interface MarkedMessage {
  workspace: string;
  channelId: string;
  messageId: string;
  user: Actor;
  /** The message's text when the platform sent it along; otherwise the timeline's copy is used. */
  text?: string;
}

/**
 * 💡 on a message in an incident channel: the message becomes a lesson to sort in the postmortem,
 * once per message (the once key stops two reactions at the same moment, the incident's own
 * lessons stop one long after). Says nothing back, as 📌 does not; false when nothing was recorded.
 */
export async function recordMarkedLesson(deps: Deps, r: MarkedMessage): Promise<boolean> {
  const incident = await deps.store.findByChannel(r.workspace, r.channelId);
  if (!incident) return false;
  const known = messageOf(await deps.store.events(incident), r.messageId);
  const marked = { messageId: r.messageId, text: r.text ?? known.text ?? '', ...(known.author ? { author: known.author } : {}) };
  const once = { key: `lesson:${r.channelId}:${r.messageId}`, ttlSeconds: DEDUPE_TTL_S };
  const decide = (inc: Incident) => decideMarkedLesson(inc, marked, r.user, deps.clock.now());
  const { duplicate, events } = await mutate(deps.store, incident, decide, { current: incident, once });
  return !duplicate && events.length > 0;
}

/** Who wrote a message and the latest text the timeline has for it (its last edit, else the original). */
function messageOf(events: readonly IncidentEvent[], messageId: string): { text?: string; author?: Actor } {
  const found: { text?: string; author?: Actor } = {};
  for (const e of events) {
    if ((e.type !== 'message_posted' && e.type !== 'message_edited') || e.messageId !== messageId) continue;
    found.text = e.text;
    if (e.type === 'message_posted') found.author = e.actor;
  }
  return found;
}
