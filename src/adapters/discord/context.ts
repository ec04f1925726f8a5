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
}

/** A person as the timeline records them: the server nickname, else the display name. */
export function actorOf(user: User, member?: GuildMember | APIInteractionGuildMember | null): Actor {
  const nick = member instanceof GuildMember ? member.displayName : (member?.nick ?? null);
  return { id: user.id, name: nick ?? user.globalName ?? user.username };
}
