import type { GatewayMessageReactionAddDispatchData, GatewayMessageReactionRemoveDispatchData, Message, MessageReaction, PartialMessage, PartialMessageReaction, PartialUser, User } from 'discord.js';
import { recordDelete, recordEdit, recordMessage, type InboundMessage } from '../../app/inbound.js';
import { MESSAGE_EMOJI, normalizeEmoji, recordReaction, sameEmoji } from '../../app/reactions.js';
import type { Actor } from '../../core/model.js';
import { outboundJobId } from '../../scheduler/job-ids.js';
import { actorOf, type DiscordContext } from './context.js';
import { forget, handleOnce } from './replay-guard.js';
import { guildOf, workspaceOf } from './workspace.js';

/**
 * What people do in Discord that goes on an incident's timeline: messages in incident channels
 * (at the time Discord gave them, not the time the bot saw them: a message replayed after a
 * gateway resume keeps its place), edits, deletions, 📌 reactions, and ✅ on a page DM.
 *
 * discord.js updates a cached message in place when an edit arrives, so what an event said is
 * read when it arrives (`...Seen`), and recorded afterwards, in order per message (index.ts).
 */

/** A person's message in a guild channel, or null for bots, system messages and webhooks. */
export function messageSeen(m: Message): InboundMessage | null {
  if (!m.inGuild() || m.author.bot || m.system || m.webhookId || !m.content) return null;
  return { workspace: workspaceOf(m.guildId), channelId: m.channelId, messageId: m.id, user: actorOf(m.author, m.member), text: m.content, at: m.createdAt };
}

export async function onMessage(ctx: DiscordContext, seen: InboundMessage | null): Promise<void> {
  if (seen) await recordMessage(ctx.deps, seen);
}

/**
 * Only real edits: Discord also sends updates when a link preview arrives, with no edit time.
 * The edit time (edited_timestamp) names the edit, so a MESSAGE_UPDATE replayed after a resume,
 * or seen by a client whose cache lost the message, is recorded once.
 */
export function editSeen(before: Message | PartialMessage, after: Message | PartialMessage): InboundMessage | null {
  if (after.partial || !after.inGuild() || after.author.bot || !after.editedAt) return null;
  if (!before.partial && before.content === after.content) return null;
  const user = actorOf(after.author, after.member);
  const editId = String(after.editedAt.getTime());
  return { workspace: workspaceOf(after.guildId), channelId: after.channelId, messageId: after.id, editId, user, text: after.content, at: after.editedAt };
}

export async function onMessageUpdate(ctx: DiscordContext, seen: InboundMessage | null): Promise<void> {
  if (seen) await recordEdit(ctx.deps, seen);
}

/**
 * Discord does not say who deleted a message (its author or a moderator), and the message is
 * usually no longer cached: the deletion is recorded for a message the timeline has, in the
 * name of its author.
 */
export async function onMessageDelete(ctx: DiscordContext, guildId: string | null, channelId: string, messageId: string): Promise<void> {
  if (!guildId) return;
  const workspace = workspaceOf(guildId);
  const author = await authorOnTimeline(ctx, workspace, channelId, messageId);
  if (!author) return;
  await recordDelete(ctx.deps, { workspace, channelId, messageId, user: author, at: ctx.deps.clock.now() });
}

async function authorOnTimeline(ctx: DiscordContext, workspace: string, channelId: string, messageId: string): Promise<Actor | null> {
  const incident = await ctx.deps.store.findByChannel(workspace, channelId);
  if (!incident) return null;
  const posted = (await ctx.deps.store.events(incident)).find((e) => e.type === 'message_posted' && e.messageId === messageId);
  return posted?.actor ?? null;
}


export interface SeenReaction {
  workspace: string;
  channelId: string;
  messageId: string;
  userId: string;
  emoji: string;
  text?: string | undefined;
}

/** Reactions in guild channels (📌 key events). DM reactions are taken from the raw packet below. */
export function reactionSeen(ctx: DiscordContext, reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): SeenReaction | null {
  const message = reaction.message;
  if (!message.guildId || user.id === ctx.client.user?.id) return null;
  const text = message.partial ? undefined : message.content || undefined;
  return { workspace: workspaceOf(message.guildId), channelId: message.channelId, messageId: message.id, userId: user.id, emoji: reaction.emoji.name ?? '', text };
}

export async function onGuildReaction(ctx: DiscordContext, seen: SeenReaction | null): Promise<void> {
  if (seen) await onReaction(ctx, seen);
}

/**
 * Reactions in DMs, from the gateway packet itself. discord.js drops a reaction whose DM channel
 * it has not cached, and after a restart, or when another process sent the page, it has not: the
 * packet carries everything needed (channel, message, user, emoji), so no page ack is lost. The
 * page's guild is found from the stored page (a DM belongs to no guild).
 */
export async function onRawPacket(ctx: DiscordContext, packet: { t?: string | null; d?: unknown }): Promise<void> {
  if (packet.t !== 'MESSAGE_REACTION_ADD') return;
  const d = packet.d as GatewayMessageReactionAddDispatchData;
  if (d.guild_id || d.user_id === ctx.client.user?.id) return;
  for (const guildId of ctx.guildIds()) {
    const workspace = workspaceOf(guildId);
    if (!(await ctx.deps.store.findPageByMessage(workspace, d.channel_id, d.message_id))) continue;
    return onReaction(ctx, { workspace, channelId: d.channel_id, messageId: d.message_id, userId: d.user_id, emoji: d.emoji.name ?? '' });
  }
}

/** Only 📌, 💡 and the acknowledge emoji mean something; other reactions cost nothing (no lookups). */
function meaningful(ctx: DiscordContext, emoji: string): boolean {
  return [...MESSAGE_EMOJI, ...ctx.deps.config.paging.ackEmojis].some((e) => sameEmoji(e, emoji));
}

/**
 * Whatever the reaction meant, the person hears back in a DM (✅ by someone else than the paged
 * person: "only the person paged can acknowledge"). The answer goes through the outbound queue,
 * with an id per reaction, so a rate limit delays it and a redelivered event does not repeat it.
 */
async function onReaction(ctx: DiscordContext, r: SeenReaction): Promise<void> {
  if (!meaningful(ctx, r.emoji)) return;
  // Once across a failover's replay (replay-guard.ts): the same person's same emoji on the same message.
  await handleOnce(ctx.deps, reactionIdentity(r.messageId, r.userId, r.emoji), () => answerReaction(ctx, r), ctx.replayClaimMs);
}

function reactionIdentity(messageId: string, userId: string, emoji: string): string {
  return `rx:${messageId}:${userId}:${normalizeEmoji(emoji)}`;
}

/**
 * A reaction taken off, live (not replayed on a resume): put back, it counts again (a ✅ on an
 * old page DM to acknowledge once more after an ack timeout). A replayed removal changes
 * nothing: the reaction added after it, also replayed, must still be kept out if it was handled.
 */
export async function onReactionRemoved(ctx: DiscordContext, packet: { d?: unknown }): Promise<void> {
  const d = packet.d as GatewayMessageReactionRemoveDispatchData;
  const emoji = d.emoji.name ?? '';
  if (d.user_id === ctx.client.user?.id || !meaningful(ctx, emoji)) return;
  await forget(ctx.deps, reactionIdentity(d.message_id, d.user_id, emoji));
}

async function answerReaction(ctx: DiscordContext, r: SeenReaction): Promise<void> {
  // The server nickname first, as messages and commands record the same person (context.ts actorOf).
  const member = ctx.client.guilds.cache.get(guildOf(r.workspace))?.members.cache.get(r.userId);
  const user = { id: r.userId, name: member ? member.displayName : await ctx.deps.chat.userName(r.workspace, r.userId) };
  const answer = await recordReaction(ctx.deps, { workspace: r.workspace, channelId: r.channelId, messageId: r.messageId, user, emoji: r.emoji, ...(r.text ? { text: r.text } : {}) });
  if (!answer) return;
  const id = outboundJobId(['rx', r.workspace, r.channelId, r.messageId, r.userId, r.emoji]);
  await ctx.deps.scheduler.send({ id, workspace: r.workspace, kind: 'dm', target: r.userId, message: { text: answer } });
}
