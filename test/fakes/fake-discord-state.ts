import { SnowflakeUtil } from 'discord.js';
import type { FakeChannel, FakeGuild, FakeMessage, FakeUser } from './fake-discord-payloads.js';

/** What happened to one interaction, as the person who used it would see it. Times are `performance.now()` ms. */
export interface InteractionRecord {
  id: string;
  token: string;
  userId: string;
  channelId: string;
  dispatchedAt: number;
  /** When the first callback (reply or deferral) arrived, and its type: 4 reply, 5 deferred. */
  callbackAt?: number;
  callbackType?: number;
  /** The form the bot answered with (callback type 9, a modal): its custom_id, title and text inputs. */
  modal?: Record<string, unknown>;
  /** Ephemeral as chosen by the first callback (flag 64). */
  ephemeral?: boolean;
  /** The original response's content, once replied or edited; null after a delete. */
  original?: FakeMessage | null;
  followups: FakeMessage[];
  /** Every webhook call (edit, follow-up, delete) with its time. */
  webhookCalls: { kind: 'edit' | 'followup' | 'delete'; at: number }[];
}

/**
 * FakeDiscord's world: users, guilds, channels (text, category, DM), messages, reactions, the
 * registered commands and interactions. Everything is kept, so tests read what a person would see
 * (a DM, a channel's messages, an ephemeral answer) instead of counting calls.
 */
export class FakeDiscordState {
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, FakeMessage>();
  readonly reactions = new Map<string, { emoji: string; userId: string }[]>();
  /** Pinned message ids by channel id, in the order they were pinned. */
  readonly pins = new Map<string, string[]>();
  readonly commands = new Map<string, unknown[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly deletedMessages = new Set<string>();

  constructor(
    readonly bot: FakeUser,
    readonly applicationId: string,
    /** Time for new snowflakes: the test's clock, so message times line up with the bot's. */
    private readonly now: () => Date,
  ) {
    this.users.set(bot.id, bot);
  }

  snowflake(at = this.now()): string {
    return SnowflakeUtil.generate({ timestamp: at.getTime() }).toString();
  }

  time(): string {
    return this.now().toISOString();
  }

  user(id: string): FakeUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`fake discord: no user ${id}`);
    return u;
  }

  channel(id: string): FakeChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`fake discord: no channel ${id}`);
    return c;
  }

  guildChannels(guildId: string): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.guild_id === guildId);
  }

  addChannel(c: Omit<FakeChannel, 'id' | 'permission_overwrites'> & Partial<Pick<FakeChannel, 'id' | 'permission_overwrites'>>): FakeChannel {
    const channel: FakeChannel = { permission_overwrites: [], ...c, id: c.id ?? this.snowflake() };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The DM channel between the bot and a person, opened on first use as Discord does. */
  dmChannel(userId: string): FakeChannel {
    const existing = [...this.channels.values()].find((c) => c.type === 1 && c.recipients?.some((r) => r.id === userId));
    return existing ?? this.addChannel({ type: 1, recipients: [this.user(userId)] });
  }

  addMessage(channelId: string, author: FakeUser, body: Partial<FakeMessage>, at = this.now()): FakeMessage {
    const channel = this.channel(channelId);
    const message: FakeMessage = {
      id: this.snowflake(at),
      channel_id: channelId,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      author,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      timestamp: at.toISOString(),
      edited_timestamp: null,
      flags: body.flags ?? 0,
      ...(body.attachments?.length ? { attachments: body.attachments } : {}),
    };
    this.messages.set(message.id, message);
    return message;
  }

  message(id: string): FakeMessage {
    const m = this.messages.get(id);
    if (!m) throw new Error(`fake discord: no message ${id}`);
    return m;
  }

  messagesIn(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !this.deletedMessages.has(m.id));
  }
}

/**
 * A message as a person reads it: the text, then embed descriptions and fields (`name: value`),
 * the footer, and the buttons as `[ Label ]`.
 */
export function visibleText(m: Pick<FakeMessage, 'content' | 'embeds' | 'components'>): string {
  const lines = [m.content];
  for (const e of m.embeds) {
    if (e.description) lines.push(e.description);
    for (const f of e.fields ?? []) lines.push(`${f.name}: ${f.value}`);
    if (e.footer) lines.push(e.footer.text);
  }
  const buttons = m.components.flatMap((row) => row.components.map((b) => `[ ${b.label ?? ''} ]`));
  if (buttons.length) lines.push(buttons.join(' '));
  return lines.filter(Boolean).join('\n');
}
