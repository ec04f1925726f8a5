import { GuildMember, type APIInteractionGuildMember, type Client, type User } from 'discord.js';
import type { Command, Deps } from '../../app/context.js';
import type { Actor } from '../../core/model.js';
import type { Logger } from '../../core/ports.js';

/** What every Discord event handler gets: the app's Deps and the connected client. */
export interface DiscordContext {
  /** The app's Deps with `chat` set to this adapter, so a handler's effects never wait on routing. */
  deps: Deps;
  client: Client;
  commands: readonly Command[];
  log: Logger;
  /** Guilds this bot serves (DISCORD_GUILD_ID, plus any it is in): where a DM's page may belong. */
  guildIds(): string[];
  /** How long a reaction's claim lasts while it is handled (replay-guard.ts runningClaimMs). */
  replayClaimMs?: number;
}

/** A person as the timeline records them: the server nickname, else the display name. */
export function actorOf(user: User, member?: GuildMember | APIInteractionGuildMember | null): Actor {
  const nick = member instanceof GuildMember ? member.displayName : (member?.nick ?? null);
  return { id: user.id, name: nick ?? user.globalName ?? user.username };
}

/**
 * The same, for an interaction that came without a member (a button on a page DM): the member
 * from the guild's cache, so a server nickname reads the same in a DM as in the channel. Sync: a
 * button that opens a form has 3 s for it, with no REST call to spare.
 */
export function actorInGuild(client: Client, guildId: string, user: User, member?: GuildMember | APIInteractionGuildMember | null): Actor {
  return actorOf(user, member ?? client.guilds.cache.get(guildId)?.members.cache.get(user.id) ?? null);
}
