import type { App, Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import { recordDelete, recordEdit, recordMessage } from '../../app/inbound.js';
import { MESSAGE_EMOJI, recordKeyEvent, recordReaction, sameEmoji } from '../../app/reactions.js';
import type { Actor } from '../../core/model.js';
import type { SlackContext } from './context.js';
import { slackActor } from './people.js';
import { neutralText, slackTime, workspaceOf } from './translate.js';

/**
 * Events API: what people write, edit, delete, react and pin. Bolt acks every event before any
 * listener runs, so these handlers may take their time. Slack redelivers an event it thinks was
 * missed (X-Slack-Retry-Num) under the same event_id: the id is claimed in Redis while the event
 * is handled and kept once it was, so a retry of a handled event, even one that reaches another
 * bot process, changes nothing, while a retry of one whose handling failed is handled again.
 */

/** How long a handled event id is remembered: Slack's retries come within minutes. */
const EVENT_ID_TTL_SECONDS = 24 * 3600;
/**
 * How long an event id is held while its event is handled. Longer than any handler runs (each
 * Web API call gives up after 10 s), short enough that when a failed handler cannot even give the
 * id back (Redis gone), Slack's later retries (after 1 and 5 minutes) still find it free.
 */
const EVENT_ID_LEASE_SECONDS = 60;
/** Subtypes that are still a person writing (a thread reply sent to the channel, a file with a comment). */
const HUMAN_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message']);

interface MessageEvent {
  subtype?: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  message?: { user?: string; bot_id?: string; text?: string; ts: string; edited?: { ts?: string } };
  previous_message?: { user?: string; ts?: string; text?: string };
  deleted_ts?: string;
}

interface ReactionEvent {
  user: string;
  reaction: string;
  item: { type: string; channel?: string; ts?: string };
}

interface PinEvent {
  user: string;
  channel_id?: string;
  item?: { channel?: string; message?: { ts?: string; text?: string } };
}

export function registerEvents(app: App, ctx: SlackContext): void {
  app.use(dedupeEvents(ctx));
  // Everything that writes to an incident from one channel is put in line behind that channel.
  const on = <E>(name: string, channelOf: (e: E) => string | undefined, handle: (ctx: SlackContext, ws: string, e: E) => Promise<unknown>) =>
    app.event(name, async ({ event, body }) => {
      const ws = workspaceOf(body.team_id);
      const e = event as unknown as E;
      await ctx.work.serial(`${ws}/${channelOf(e) ?? ''}`, async () => void (await handle(ctx, ws, e)));
    });
  on<MessageEvent>('message', (e) => e.channel, onMessage);
  on<ReactionEvent>('reaction_added', (e) => e.item.channel, onReaction);
  on<PinEvent>('pin_added', (e) => e.item?.channel ?? e.channel_id, onPin);
}

/**
 * Global middleware: an event whose id is being or was handled stops here; other payloads pass.
 * It runs right after Bolt's ack, so the event's work is tracked from here (the claim included):
 * shutdown and tests waiting for idle must not miss an event that is still being claimed.
 *
 * `next()` runs the listeners and rejects with their error (Bolt then hands it to app.error), so
 * a handler that failed (a Redis blip while recording) gives its event id back for Slack's retry;
 * a handler that went through keeps it for a day. A retry after a failure may find part of the
 * work done: messages, edits, deletions and key events are deduplicated in their own append, and
 * an acknowledgement by its compare-and-set.
 */
function dedupeEvents(ctx: SlackContext): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const { type, event_id: eventId, team_id: teamId } = body as { type?: string; event_id?: unknown; team_id?: string };
    if (type !== 'event_callback' || typeof eventId !== 'string') return next();
    const key = `slack-event:${teamId ?? ''}:${eventId}`;
    const where = { eventId, workspace: workspaceOf(teamId) };
    await ctx.work.run(async () => {
      if (!(await ctx.deps.store.claim(key, EVENT_ID_LEASE_SECONDS))) {
        ctx.log.info(where, 'slack event redelivered: ignored');
        return;
      }
      try {
        await next();
      } catch (err) {
        await ctx.deps.store.release(key).catch((e: unknown) => ctx.log.warn({ ...where, err: (e as Error).message }, 'slack event id not given back; a retry waits for it to expire'));
        throw err;
      }
      await ctx.deps.store.keep(key, EVENT_ID_TTL_SECONDS).catch((e: unknown) => ctx.log.warn({ ...where, err: (e as Error).message }, 'slack event id not kept; a late retry is deduplicated by its record'));
    });
  };
}

async function actor(ctx: SlackContext, ws: string, userId: string | undefined): Promise<Actor> {
  return userId ? slackActor(ctx.chat, ws, userId) : { id: 'unknown', name: 'unknown' };
}

/** A person's message, an edit or a deletion; bot posts (ours included) and joins are skipped. */
async function onMessage(ctx: SlackContext, ws: string, e: MessageEvent): Promise<boolean> {
  const now = ctx.deps.clock.now();
  const base = { workspace: ws, channelId: e.channel };
  if (e.subtype === 'message_changed') {
    const m = e.message;
    // Slack also sends message_changed when it adds a link preview: the text is the same, nothing was edited.
    if (!m || m.bot_id || !m.user || e.previous_message?.text === m.text) return false;
    // The edit's own time names it: a redelivered edit is the same edit, a later one is another.
    const editId = m.edited?.ts ?? e.ts;
    const at = slackTime(editId, now);
    return recordEdit(ctx.deps, { ...base, messageId: m.ts, editId, user: await actor(ctx, ws, m.user), text: neutralText(m.text ?? ''), at });
  }
  if (e.subtype === 'message_deleted') {
    if (!e.deleted_ts) return false;
    return recordDelete(ctx.deps, { ...base, messageId: e.deleted_ts, user: await actor(ctx, ws, e.previous_message?.user), at: slackTime(e.ts, now) });
  }
  if (e.bot_id || !e.user || (e.subtype && !HUMAN_SUBTYPES.has(e.subtype))) return false;
  const text = neutralText(e.text ?? '');
  if (!text.trim()) return false;
  return recordMessage(ctx.deps, { ...base, messageId: e.ts, user: await actor(ctx, ws, e.user), text, at: slackTime(e.ts, now) });
}

/** ✅/👀 on a page DM acknowledges (recordReaction checks it is the paged person); 📌 marks a key event, 💡 a lesson. */
async function onReaction(ctx: SlackContext, ws: string, e: ReactionEvent): Promise<void> {
  const { channel, ts } = e.item;
  if (e.item.type !== 'message' || !channel || !ts) return;
  const meaningful = [...MESSAGE_EMOJI, ...ctx.deps.config.paging.ackEmojis].some((x) => sameEmoji(x, e.reaction));
  if (!meaningful) return;
  const user = await actor(ctx, ws, e.user);
  const answer = await recordReaction(ctx.deps, { workspace: ws, channelId: channel, messageId: ts, user, emoji: e.reaction });
  // The reactor may not be in the channel reacted in (a page DM is between the bot and one person).
  if (answer) await ctx.chat.dm(ws, e.user, { text: answer });
}

async function onPin(ctx: SlackContext, ws: string, e: PinEvent): Promise<boolean> {
  const channel = e.item?.channel ?? e.channel_id;
  const message = e.item?.message;
  if (!channel || !message?.ts) return false;
  const text = message.text ? neutralText(message.text) : undefined;
  return recordKeyEvent(ctx.deps, { workspace: ws, channelId: channel, messageId: message.ts, user: await actor(ctx, ws, e.user), ...(text ? { text } : {}) });
}
