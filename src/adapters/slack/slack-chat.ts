import type { types, webApi } from '@slack/bolt';
import { nextFreeName } from '../../core/naming.js';
import type { ChannelRef, ChatPort, Logger, MessageRef, OutboundMessage, UploadFile } from '../../core/ports.js';
import { renderMessage, toMrkdwn } from './blocks.js';
import { escapeForSlack } from './mrkdwn.js';
import { SlackCallError, slackCall, slackCode } from './errors.js';

/**
 * The chat port on the Slack Web API. Every call goes through `slackCall`, so a 429, a 5xx or a
 * missing scope reaches the outbound queue as the PlatformError it should act on. Lookups that
 * never change in practice (DM channels, the announcement channel, display names) are cached:
 * they would otherwise cost a rate-limited call per page or per message.
 */

/** A name clash is retried with -2, -3, ...; past this many the workspace has a naming problem. */
const MAX_NAME_ATTEMPTS = 20;
const TOPIC_LIMIT = 250;
const NAME_TTL_MS = 60 * 60_000;
const NAME_RETRY_MS = 5 * 60_000;
const INVITE_TOLERATED = ['already_in_channel', 'cant_invite_self'];
const EMOJI_NAMES: Record<string, string> = { '✅': 'white_check_mark', '👀': 'eyes', '📌': 'pushpin', '📟': 'pager', '🚨': 'rotating_light' };

type WebClient = webApi.WebClient;

export interface SlackChatOptions {
  /** Channel NAME from config (`channels.announce`), resolved to an id once per workspace (as are the notices' channels). */
  announceChannel: string;
  /** The bot's own user id (auth.test), never invited and never asked for its name. */
  botUserId?: string;
}

export class SlackChat implements ChatPort {
  private readonly dmChannels = new Map<string, string>();
  private readonly names = new Map<string, { name: string; until: number }>();
  private readonly announceIds = new Map<string, Promise<string>>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly options: SlackChatOptions,
  ) {}

  async createChannel(ws: string, name: string, options: { topic: string; private: boolean }): Promise<ChannelRef> {
    for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
      const candidate = attempt === 0 ? name : nextFreeName(name, attempt);
      try {
        const res = await this.call('conversations.create', () => this.client.conversations.create({ name: candidate, is_private: options.private }), ['name_taken']);
        const id = required(res.channel?.id, 'conversations.create');
        await this.firstTopic(ws, id, options.topic);
        return { id, name: res.channel?.name ?? candidate };
      } catch (err) {
        if (slackCode(err) !== 'name_taken') throw err;
      }
    }
    const fix = `archive or rename old channels named ${name}-N, or change channels.prefix in the config`;
    this.log.error({ method: 'conversations.create', name, fix }, 'slack call failed: needs a fix');
    throw new SlackCallError(`slack conversations.create: no free name after ${MAX_NAME_ATTEMPTS} tries`, 'permanent', 'name_taken', undefined, fix);
  }

  /** A missing topic is cosmetic here: failing would lose the channel that was just created. */
  private async firstTopic(ws: string, channel: string, topic: string): Promise<void> {
    try {
      await this.setTopic(ws, channel, topic);
    } catch (err) {
      this.log.warn({ channel, err: (err as Error).message }, 'slack channel topic not set');
    }
  }

  /**
   * Slack refuses topics over 250 characters (too_long), so the rest is cut. Slack posts a
   * channel_topic message for the change, which the inbound handler skips (a subtype). Failures
   * are thrown as slackCall maps them: not_in_channel, is_archived, channel_not_found and a
   * missing channels:manage / groups:write scope are permanent, ratelimited waits Retry-After.
   */
  async setTopic(_ws: string, channelId: string, topic: string): Promise<void> {
    await this.call('conversations.setTopic', () => this.client.conversations.setTopic({ channel: channelId, topic: escapeForSlack(topic).slice(0, TOPIC_LIMIT) }));
  }

  async invite(_ws: string, channelId: string, userIds: string[]): Promise<void> {
    const users = [...new Set(userIds)].filter((u) => u && u !== this.options.botUserId);
    if (users.length === 0) return;
    try {
      await this.inviteOnce(channelId, users);
    } catch (err) {
      if (!INVITE_TOLERATED.includes(slackCode(err) ?? '') || users.length === 1) return tolerate(err);
      // Slack refuses the whole batch when one person is already in: invite them one by one.
      for (const user of users) await this.inviteOnce(channelId, [user]).catch(tolerate);
    }
  }

  private inviteOnce(channel: string, users: string[]): Promise<unknown> {
    return this.call('conversations.invite', () => this.client.conversations.invite({ channel, users: users.join(',') }), INVITE_TOLERATED);
  }

  async post(_ws: string, channelId: string, message: OutboundMessage): Promise<MessageRef> {
    const res = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel: channelId, ...renderMessage(message) }));
    return { channelId: res.channel ?? channelId, messageId: required(res.ts, 'chat.postMessage') };
  }

  async update(_ws: string, ref: MessageRef, message: OutboundMessage): Promise<void> {
    await this.call('chat.update', () => this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, ...renderMessage(message) }));
  }

  async dm(ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    return this.post(ws, await this.dmChannel(userId), message);
  }

  /** The DM channel with a person; reactions on page DMs arrive with this id. */
  async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const res = await this.call('conversations.open', () => this.client.conversations.open({ users: userId }));
    const id = required(res.channel?.id, 'conversations.open');
    this.dmChannels.set(userId, id);
    return id;
  }

  async announce(ws: string, message: OutboundMessage, channel?: string): Promise<MessageRef> {
    return this.post(ws, await this.namedChannel(ws, channel ?? this.options.announceChannel), message);
  }

  /** Resolves a configured channel name once per workspace; a failure is not cached. */
  private namedChannel(ws: string, configured: string): Promise<string> {
    const name = configured.replace(/^#/, '');
    const key = `${ws}\n${name}`;
    let pending = this.announceIds.get(key);
    if (!pending) {
      pending = this.findChannel(name, name === this.options.announceChannel.replace(/^#/, '') ? 'channels.announce' : 'channels.stakeholders / channels.external');
      pending.catch(() => this.announceIds.delete(key));
      this.announceIds.set(key, pending);
    }
    return pending;
  }

  private async findChannel(name: string, setting: string): Promise<string> {
    let cursor: string | undefined;
    do {
      const page = await this.call('conversations.list', () =>
        this.client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) }),
      );
      const hit = page.channels?.find((c) => c.name === name);
      if (hit?.id) {
        if (!hit.is_member && !hit.is_private) await this.joinQuietly(hit.id);
        return hit.id;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    const fix = `create the channel #${name} in Slack and invite the bot, or set ${setting} in the config to an existing channel`;
    this.log.error({ method: 'conversations.list', channel: name, fix }, 'slack announcement channel not found');
    throw new SlackCallError(`slack: no channel named #${name}`, 'permanent', 'channel_not_found', undefined, fix);
  }

  /** Posting needs membership (or chat:write.public); joining is tried, its failure only logged. */
  private async joinQuietly(channel: string): Promise<void> {
    await this.call('conversations.join', () => this.client.conversations.join({ channel })).catch(() => undefined);
  }

  async react(_ws: string, ref: MessageRef, emoji: string): Promise<void> {
    const name = EMOJI_NAMES[emoji] ?? emoji.replace(/^:|:$/g, '');
    try {
      await this.call('reactions.add', () => this.client.reactions.add({ channel: ref.channelId, timestamp: ref.messageId, name }), ['already_reacted']);
    } catch (err) {
      if (slackCode(err) !== 'already_reacted') throw err;
    }
  }

  /**
   * pins.add (scope pins:write). Slack answers `already_pinned` for a message pinned before,
   * which is what the port promises anyway. Anything else maps as every call does: not_in_channel,
   * message_not_found and a missing pins:write are permanent, ratelimited waits Retry-After.
   */
  async pin(_ws: string, ref: MessageRef): Promise<void> {
    try {
      await this.call('pins.add', () => this.client.pins.add({ channel: ref.channelId, timestamp: ref.messageId }), ['already_pinned']);
    } catch (err) {
      if (slackCode(err) !== 'already_pinned') throw err;
    }
  }

  /**
   * files.uploadV2 (scope files:write): files.getUploadURLExternal, the file POSTed to the URL it
   * gave, files.completeUploadExternal sharing it in the person's DM channel (the one `dm` uses,
   * opened with conversations.open) with `message` as its comment. Never a channel: the bot joins
   * nothing for it.
   */
  async dmFile(_ws: string, userId: string, file: UploadFile, message?: OutboundMessage): Promise<void> {
    const channelId = await this.dmChannel(userId);
    const args = {
      channel_id: channelId,
      file: file.data,
      filename: file.name,
      title: file.title ?? file.name,
      ...(file.alt ? { alt_text: file.alt } : {}),
      ...(message ? { initial_comment: toMrkdwn(escapeForSlack(message.text)) } : {}),
    };
    await this.call('files.uploadV2', () => this.client.filesUploadV2(args));
  }

  /** Display names for records outside Slack; an unknown name falls back to the id, never fails. */
  async isMember(_ws: string, userId: string): Promise<boolean> {
    try {
      const res = await this.call('users.info', () => this.client.users.info({ user: userId }));
      return Boolean(res.user && !res.user.deleted && !res.user.is_bot);
    } catch (err) {
      if (slackCode(err) === 'user_not_found') return false;
      throw err;
    }
  }

  async userName(_ws: string, userId: string): Promise<string> {
    const cached = this.names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    try {
      const res = await this.call('users.info', () => this.client.users.info({ user: userId }));
      const u = res.user;
      const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || userId;
      this.names.set(userId, { name, until: Date.now() + NAME_TTL_MS });
      return name;
    } catch (err) {
      // Remembered for a while too: a missing scope must not cost a failing call per message.
      this.names.set(userId, { name: userId, until: Date.now() + NAME_RETRY_MS });
      this.log.warn({ user: userId, err: (err as Error).message }, 'slack user name unavailable');
      return userId;
    }
  }

  /** Opens a form; `triggerId` comes from the command or button and lives 3 seconds. */
  async openView(triggerId: string, view: types.ModalView): Promise<void> {
    await this.call('views.open', () => this.client.views.open({ trigger_id: triggerId, view }));
  }

  private call<T>(method: string, run: () => Promise<T>, expected: readonly string[] = []): Promise<T> {
    return slackCall(this.log, method, run, expected);
  }
}

function required(value: string | undefined, method: string): string {
  if (!value) throw new SlackCallError(`slack ${method}: answer without an id`, 'transient');
  return value;
}

/** Invite failures other than "already there" are rethrown; those two mean the goal is reached. */
function tolerate(err: unknown): void {
  if (!INVITE_TOLERATED.includes(slackCode(err) ?? '')) throw err;
}
