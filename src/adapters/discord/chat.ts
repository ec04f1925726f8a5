import { ChannelType, DiscordAPIError, OverwriteType, PermissionFlagsBits, Status, type Client, type DMChannel, type Guild, type GuildTextBasedChannel, type Message, type OverwriteResolvable, type SendableChannels } from 'discord.js';
import { PlatformError } from '../../core/errors.js';
import { nextFreeName } from '../../core/naming.js';
import type { ChannelOptions, ChannelRef, ChatPort, Logger, MessageRef, OutboundMessage, UploadFile } from '../../core/ports.js';
import { platformCall, toPlatformError } from './errors.js';
import { emojiOf, renderMessages, renderOne } from './render.js';
import { guildOf } from './workspace.js';

/** Discord's limit for a text channel's topic. */
const TOPIC_LIMIT = 1024;
/** What people invited to a private incident channel may do there. */
const MEMBER_ALLOW = { ViewChannel: true, SendMessages: true, ReadMessageHistory: true, AddReactions: true } as const;
/** The same as permission bits, for the overwrites of the create call. */
const MEMBER_BITS = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.ReadMessageHistory, PermissionFlagsBits.AddReactions];
/** The bot keeps these in its own private channels, so it can post, embed and invite. */
const BOT_ALLOW = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.AddReactions,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.ManageChannels,
];

export interface DiscordChatOptions {
  /** `channels.announce` of the config: a channel NAME, looked up once per guild. */
  announceChannel: string;
  /** A category to put incident channels in (DISCORD_CATEGORY_ID); none puts them at the top. */
  categoryId?: string | undefined;
  log: Logger;
}

/**
 * The chat port on Discord. An incident channel is a guild text channel; a private incident
 * denies @everyone the View Channel permission and allows the bot and each invited person
 * through member overwrites (`type: Member`, so uncached users work). Every call's failure is
 * a PlatformError the outbound queue understands (errors.ts).
 *
 * Every REST request counts against Discord's 50 requests/s per bot, which paces every answer
 * in a burst of declares: a channel opens in one request (topic and overwrites in the create
 * call), what discord.js has cached is not fetched again, and lookups made by several calls at
 * once (a DM channel, the announcement channel) go out once.
 */
export class DiscordChat implements ChatPort {
  private readonly announceIds = new Map<string, string>();
  /** Lookups under way, by key: the calls that need the same one meanwhile wait for it. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: Client,
    private readonly o: DiscordChatOptions,
  ) {}

  /**
   * One POST /guilds/:id/channels: name, topic, category and, for a private incident, the
   * overwrites (@everyone denied, the bot and `members` allowed) in the same call, so nobody is
   * let in by a request of their own and the channel is never open before it is restricted.
   * Discord accepts a member overwrite for any user id, in the server or not.
   */
  async createChannel(ws: string, name: string, options: ChannelOptions): Promise<ChannelRef> {
    const guild = await this.guild(ws);
    const me = this.client.user;
    if (!me) throw new PlatformError('discord: not connected yet', 'transient');
    // Discord allows duplicate names; the port promises distinct ones, so pick the next free name.
    const taken = await this.channelNames(guild);
    let candidate = name;
    for (let attempt = 1; taken.has(candidate); attempt++) candidate = nextFreeName(name, attempt);
    const members = [...new Set(options.members ?? [])].filter((id) => id !== me.id);
    const overwrites: OverwriteResolvable[] | undefined = options.private
      ? [
          { id: guild.id, type: OverwriteType.Role, deny: [PermissionFlagsBits.ViewChannel] },
          { id: me.id, type: OverwriteType.Member, allow: BOT_ALLOW },
          ...members.map((id) => ({ id, type: OverwriteType.Member, allow: MEMBER_BITS })),
        ]
      : undefined;
    const channel = await platformCall('create channel', () =>
      guild.channels.create({
        name: candidate,
        type: ChannelType.GuildText,
        topic: topicText(options.topic, guild.id),
        ...(this.categoryIn(guild) ? { parent: this.o.categoryId } : {}),
        ...(overwrites ? { permissionOverwrites: overwrites } : {}),
        reason: 'Incident declared',
      }),
    );
    return { id: channel.id, name: channel.name };
  }

  /** Public channels are open to everyone already; private ones get a member overwrite each. */
  async invite(ws: string, channelId: string, userIds: string[]): Promise<void> {
    const guildId = guildOf(ws);
    const channel = await this.textChannel(channelId);
    if (!('permissionOverwrites' in channel)) return;
    const everyone = channel.permissionOverwrites.cache.get(guildId);
    if (!everyone?.deny.has(PermissionFlagsBits.ViewChannel)) return;
    for (const userId of new Set(userIds)) {
      if (channel.permissionOverwrites.cache.get(userId)?.allow.has(PermissionFlagsBits.ViewChannel)) continue;
      await platformCall('invite', () => channel.permissionOverwrites.edit(userId, MEMBER_ALLOW, { type: OverwriteType.Member, reason: 'Invited to the incident' }));
    }
  }

  /**
   * PATCH /channels/:id with the topic in Discord markdown. Discord allows two name or topic
   * changes per channel in 10 minutes; discord.js waits that limit out in place (client.ts
   * rejects only message and DM routes), so the same topic again is skipped when the cache
   * already shows it. A 403 (Manage Channels missing) or a deleted channel is permanent.
   */
  async setTopic(ws: string, channelId: string, topic: string): Promise<void> {
    const channel = await this.textChannel(channelId);
    if (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement) {
      throw new PlatformError(`discord: channel ${channelId} has no topic`, 'permanent', undefined, 'The incident channel was changed into a channel type without a topic.');
    }
    const text = topicText(topic, guildOf(ws));
    if (channel.topic === text) return;
    await platformCall('set topic', (): Promise<unknown> => channel.setTopic(text, 'Incident topic changed'));
  }

  async post(ws: string, channelId: string, message: OutboundMessage): Promise<MessageRef> {
    const channel = await this.textChannel(channelId);
    return this.send(channel, message, guildOf(ws), 'post');
  }

  async update(ws: string, ref: MessageRef, message: OutboundMessage): Promise<void> {
    // Page DMs are edited too (their outcome replaces their buttons): a DM channel is fine here.
    const channel = await this.editableChannel(ref.channelId);
    await platformCall('edit message', () => channel.messages.edit(ref.messageId, renderOne(message, guildOf(ws))));
  }

  /**
   * Opens the DM channel first (POST /users/@me/channels; cached for the process afterwards):
   * Discord needs it open, and discord.js needs it cached to deliver reactions made in it.
   */
  async dm(ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    const channel = await this.dmChannel(userId);
    return this.send(channel, message, guildOf(ws), 'DM');
  }

  async announce(ws: string, message: OutboundMessage, channel?: string): Promise<MessageRef> {
    const guild = await this.guild(ws);
    const name = (channel ?? this.o.announceChannel).replace(/^#/, '');
    const key = `${guild.id}\n${name}`;
    const channelId = await this.namedChannel(ws, guild, name, key);
    try {
      return await this.post(ws, channelId, message);
    } catch (err) {
      // A deleted or locked announcement channel is looked up again next time.
      if (err instanceof PlatformError && err.kind === 'permanent') this.announceIds.delete(key);
      throw err;
    }
  }

  async react(_ws: string, ref: MessageRef, emoji: string): Promise<void> {
    const channel = await this.textChannel(ref.channelId);
    await platformCall('react', () => channel.messages.react(ref.messageId, emojiOf(emoji)));
  }

  /**
   * PUT /channels/:id/messages/pins/:message (204), the route discord.js 14.28 uses; the older
   * /channels/:id/pins/:message does the same. Discord answers 204 again for a message already
   * pinned. Needs Manage Messages (or Pin Messages, which Discord splits off it) in the channel;
   * a channel holding Discord's 50 pins refuses with code 30003. Both are permanent, as mapped.
   */
  async pin(_ws: string, ref: MessageRef): Promise<void> {
    const channel = await this.textChannel(ref.channelId);
    await platformCall('pin', () => channel.messages.pin(ref.messageId, 'Incident summary'));
  }

  /**
   * The person's DM channel (opened as `dm` opens it), then POST /channels/:id/messages as
   * multipart/form-data: `payload_json` (the comment, and the attachment's name and description)
   * and the file itself, which Discord shows inline. Discord files have no title: without a
   * message, the title is the comment. A DM needs no channel permission; someone who takes no DMs
   * from server members gets 403 (50007), permanent as mapped.
   */
  async dmFile(ws: string, userId: string, file: UploadFile, message?: OutboundMessage): Promise<void> {
    const channel = await this.dmChannel(userId);
    const text = message ?? (file.title ? { text: file.title } : undefined);
    const comment = text ? renderOne(text, guildOf(ws)) : {};
    const attachment = { attachment: file.data, name: file.name, ...(file.alt ? { description: file.alt } : {}) };
    await platformCall('send file', (): Promise<Message> => channel.send({ ...comment, files: [attachment] }));
  }

  /** The server nickname, else the display name; the id itself when Discord cannot tell. */
  async isMember(ws: string, userId: string): Promise<boolean> {
    const guild = await this.guild(ws);
    try {
      const member = await guild.members.fetch(userId);
      return !member.user.bot;
    } catch (err) {
      // Unknown Member / Unknown User: not in this server. Anything else is a platform failure.
      if (err instanceof DiscordAPIError && (err.code === 10007 || err.code === 10013)) return false;
      throw toPlatformError(err, 'member lookup');
    }
  }

  async userName(ws: string, userId: string): Promise<string> {
    try {
      const guild = await this.guild(ws);
      return (await guild.members.fetch(userId)).displayName;
    } catch {
      const user = await this.client.users.fetch(userId).catch(() => null);
      return user ? (user.globalName ?? user.username) : userId;
    }
  }

  private async send(channel: SendableChannels, message: OutboundMessage, guildId: string, what: string): Promise<MessageRef> {
    let last: MessageRef | null = null;
    for (const piece of renderMessages(message, guildId)) {
      const sent = await platformCall(what, (): Promise<Message> => channel.send(piece));
      last = { channelId: sent.channelId, messageId: sent.id };
    }
    if (!last) throw new Error('discord: nothing to send');
    return last;
  }

  /** A category id belongs to one guild: with several guilds, the others get no category. */
  categoryIn(guild: Guild): boolean {
    return Boolean(this.o.categoryId) && guild.channels.cache.get(this.o.categoryId ?? '')?.type === ChannelType.GuildCategory;
  }

  /**
   * The names taken in a guild. discord.js's cache while the guild's gateway shard is connected:
   * it follows the gateway's channel events, which Discord replays after a resume (a new session
   * starts with every channel). Listed from REST otherwise (a replica without the gateway, or one
   * reconnecting), as the cache then misses channels made meanwhile.
   */
  private async channelNames(guild: Guild): Promise<Set<string>> {
    const live = this.client.isReady() && guild.available && this.client.ws.shards.get(guild.shardId)?.status === Status.Ready;
    if (live) return new Set(guild.channels.cache.map((c) => c.name));
    const listed = await platformCall('list channels', () => guild.channels.fetch());
    return new Set(listed.map((c) => c?.name ?? ''));
  }

  /** POST /users/@me/channels once per person (discord.js caches the DM channel afterwards). */
  private dmChannel(userId: string): Promise<DMChannel> {
    return this.once(`dm:${userId}`, () => platformCall('open DM', () => this.client.users.createDM(userId)));
  }

  /** One lookup for every caller that needs it while it is under way; a failed one is tried again next time. */
  private once<T>(key: string, lookup: () => Promise<T>): Promise<T> {
    const under = this.pending.get(key) as Promise<T> | undefined;
    if (under) return under;
    const p = lookup().finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  private async guild(ws: string): Promise<Guild> {
    const id = guildOf(ws);
    return this.client.guilds.cache.get(id) ?? platformCall('fetch guild', () => this.client.guilds.fetch(id));
  }

  private async editableChannel(channelId: string): Promise<SendableChannels> {
    const channel = await platformCall('fetch channel', () => this.client.channels.fetch(channelId));
    if (!channel || !channel.isTextBased() || !channel.isSendable()) {
      throw new PlatformError(`discord: channel ${channelId} is not a text channel`, 'permanent', undefined, 'The channel was deleted or changed type.');
    }
    return channel;
  }

  private async textChannel(channelId: string): Promise<GuildTextBasedChannel & SendableChannels> {
    const channel = await platformCall('fetch channel', () => this.client.channels.fetch(channelId));
    if (!channel || channel.isDMBased() || !channel.isTextBased() || !channel.isSendable()) {
      throw new PlatformError(`discord: channel ${channelId} is not a server text channel`, 'permanent', undefined, 'The incident channel was deleted or changed type.');
    }
    return channel;
  }

  /** A configured channel (the announcement channel, a notice's), looked up by name once per guild. */
  private async namedChannel(ws: string, guild: Guild, name: string, key: string): Promise<string> {
    const known = this.announceIds.get(key);
    if (known) return known;
    const setting = name === this.o.announceChannel.replace(/^#/, '') ? 'channels.announce' : 'channels.stakeholders or channels.external';
    const channels = await this.once(`channels:${guild.id}`, () => platformCall('list channels', () => guild.channels.fetch()));
    const found = channels.find((c) => c?.type === ChannelType.GuildText && c.name === name);
    if (!found) {
      const fix = `Create a text channel #${name} in "${guild.name}" that the bot can post in, or set ${setting} in the config to an existing channel's name.`;
      this.o.log.error({ workspace: ws, channel: name, fix }, 'discord announcement channel not found');
      throw new PlatformError(`discord: no #${name} channel in guild ${guild.id}`, 'permanent', undefined, fix);
    }
    this.announceIds.set(key, found.id);
    return found.id;
  }
}

/** A topic in Discord markdown (neutral `*bold*` and mentions converted), within Discord's limit. */
function topicText(topic: string, guildId: string): string {
  return renderOne({ text: topic }, guildId).content?.slice(0, TOPIC_LIMIT) ?? '';
}
