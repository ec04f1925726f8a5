import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, INTENT } from './fake-discord-gateway.js';
import { buttonPayload, channelPayload, guildPayload, messagePayload, modalSubmitPayload, slashPayload, type FakeMessage, type FakeUser, type SlashOption } from './fake-discord-payloads.js';
import { FakeRest, type Delay, type Fault } from './fake-discord-rest.js';
import { FakeDiscordState, visibleText, type InteractionRecord } from './fake-discord-state.js';

/**
 * A Discord of our own on 127.0.0.1 for the real discord.js client: REST under `/api/v10`
 * (point the client at `apiUrl`) and the gateway WebSocket. Tests act as people (write, edit,
 * delete, react, use `/incident`, press buttons) and read what people would see. Modelled on
 * GoAlert's mockslack: one stateful fake, driven over the real protocols.
 */

export const IDS = {
  application: '300000000000000001',
  bot: '300000000000000002',
  guild: '400000000000000001',
  general: '500000000000000001',
  announce: '500000000000000002',
  category: '500000000000000003',
  command: '600000000000000001',
} as const;

/** People in the fake guild: id, username and display name. */
export const PEOPLE = {
  alice: { id: '200000000000000001', username: 'alice', globalName: 'Alice' },
  bob: { id: '200000000000000002', username: 'bob', globalName: 'Bob' },
  carol: { id: '200000000000000003', username: 'carol', globalName: 'Carol' },
  dave: { id: '200000000000000004', username: 'dave', globalName: 'Dave' },
  erin: { id: '200000000000000005', username: 'erin', globalName: 'Erin' },
} satisfies Record<string, FakeUser>;

export interface FakeDiscordOptions {
  now?: () => Date;
  /** Name of the announcement channel to create; null for none (to test a missing one). */
  announceChannel?: string | null;
  /** More text channels of the guild, by name (the notices' channels). */
  textChannels?: readonly string[];
  heartbeatMs?: number;
  /** False: Message Content Intent is off in the developer portal, so IDENTIFY asking for it is refused (4014). */
  messageContent?: boolean;
}

type OptionValue = string | number | boolean | FakeUser;

export class FakeDiscord extends EventEmitter {
  readonly state: FakeDiscordState;
  readonly gateway: FakeGateway;
  readonly rest: FakeRest;
  private server: Server | null = null;
  private port = 0;
  private tokens = 0;

  private constructor(o: FakeDiscordOptions) {
    super();
    this.setMaxListeners(0);
    const bot = { id: IDS.bot, username: 'incident-bot', globalName: null, bot: true };
    this.state = new FakeDiscordState(bot, IDS.application, o.now ?? (() => new Date()));
    const changed = () => this.emit('change');
    this.gateway = new FakeGateway({ ready: (sid) => this.readyPayload(sid), guilds: () => this.guildPayloads() }, changed, o.heartbeatMs, o.messageContent ?? true);
    this.rest = new FakeRest(this.state, this.gateway, () => `ws://127.0.0.1:${this.port}`, changed);
    for (const p of Object.values(PEOPLE)) this.state.users.set(p.id, p);
    this.state.guilds.set(IDS.guild, { id: IDS.guild, name: 'Acme', ownerId: PEOPLE.alice.id });
    this.state.addChannel({ id: IDS.general, type: 0, guild_id: IDS.guild, name: 'general' });
    this.state.addChannel({ id: IDS.category, type: 4, guild_id: IDS.guild, name: 'Incidents' });
    if (o.announceChannel !== null) this.state.addChannel({ id: IDS.announce, type: 0, guild_id: IDS.guild, name: o.announceChannel ?? 'incidents' });
    for (const name of o.textChannels ?? []) this.state.addChannel({ id: this.state.snowflake(), type: 0, guild_id: IDS.guild, name });
  }

  static async start(o: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(o);
    const server = createServer((req, res) => void fake.rest.handle(req, res));
    server.on('upgrade', (req, socket, head: Buffer) => fake.gateway.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** What `rest.api` (DISCORD_API_URL) should be. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  private readyPayload(sessionId: string): object {
    const { bot } = this.state;
    return {
      v: 10,
      user: { id: bot.id, username: bot.username, global_name: null, discriminator: '0', avatar: null, bot: true, verified: true, flags: 0 },
      guilds: [...this.state.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: sessionId,
      resume_gateway_url: `ws://127.0.0.1:${this.port}`,
      shard: [0, 1],
      application: { id: this.state.applicationId, flags: 0 },
    };
  }

  private guildPayloads(): object[] {
    const members = [...this.state.users.values()];
    return [...this.state.guilds.values()].map((g) => guildPayload(g, this.state.guildChannels(g.id), members));
  }

  // ---- people acting ----

  /** A person writes in a channel; the bot sees MESSAGE_CREATE (content empty without the MessageContent intent). */
  userSays(user: FakeUser, channelId: string, content: string, at?: Date): FakeMessage {
    const message = this.state.addMessage(channelId, user, { content }, at);
    this.gateway.dispatch('MESSAGE_CREATE', this.asDelivered(message), message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages);
    return message;
  }

  userEdits(messageId: string, content: string): void {
    const message = this.state.message(messageId);
    message.content = content;
    message.edited_timestamp = this.state.time();
    this.gateway.dispatch('MESSAGE_UPDATE', this.asDelivered(message), message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages);
  }

  userDeletes(messageId: string): void {
    const message = this.state.message(messageId);
    this.state.deletedMessages.add(messageId);
    const d = { id: messageId, channel_id: message.channel_id, ...(message.guild_id ? { guild_id: message.guild_id } : {}) };
    this.gateway.dispatch('MESSAGE_DELETE', d, message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages);
  }

  /** Someone makes a text channel in the server; the bot sees CHANNEL_CREATE (replayed on a resume if the gateway is away). */
  channelMade(name: string): string {
    const channel = this.state.addChannel({ type: 0, guild_id: IDS.guild, name });
    this.gateway.dispatch('CHANNEL_CREATE', channelPayload(channel), INTENT.Guilds);
    return channel.id;
  }

  userReacts(user: FakeUser, messageId: string, emoji: string): void {
    const message = this.state.message(messageId);
    this.state.reactions.set(messageId, [...(this.state.reactions.get(messageId) ?? []), { emoji, userId: user.id }]);
    const d = {
      user_id: user.id,
      channel_id: message.channel_id,
      message_id: messageId,
      ...(message.guild_id ? { guild_id: message.guild_id, member: { user: { id: user.id, username: user.username, global_name: user.globalName, discriminator: '0', avatar: null }, roles: [], joined_at: '2025-01-01T00:00:00.000Z', deaf: false, mute: false } } : {}),
      emoji: { id: null, name: emoji },
      message_author_id: message.author.id,
      burst: false,
      type: 0,
    };
    this.gateway.dispatch('MESSAGE_REACTION_ADD', d, message.guild_id ? INTENT.GuildMessageReactions : INTENT.DirectMessageReactions);
  }

  /** The person takes their reaction off; the bot sees MESSAGE_REACTION_REMOVE. */
  userUnreacts(user: FakeUser, messageId: string, emoji: string): void {
    const message = this.state.message(messageId);
    this.state.reactions.set(messageId, (this.state.reactions.get(messageId) ?? []).filter((r) => r.emoji !== emoji || r.userId !== user.id));
    const d = { user_id: user.id, channel_id: message.channel_id, message_id: messageId, ...(message.guild_id ? { guild_id: message.guild_id } : {}), emoji: { id: null, name: emoji }, burst: false, type: 0 };
    this.gateway.dispatch('MESSAGE_REACTION_REMOVE', d, message.guild_id ? INTENT.GuildMessageReactions : INTENT.DirectMessageReactions);
  }

  /**
   * `/incident <subcommand>` with options; strings, numbers, booleans and people as option values.
   * Another application command is named first: `slash(u, ch, 'postmortem why', { answer })`.
   */
  slash(user: FakeUser, channelId: string, subcommand: string, options: Record<string, OptionValue> = {}): InteractionRecord {
    const [command, sub] = subcommand.includes(' ') ? subcommand.split(/\s+/, 2) : ['incident', subcommand];
    const record = this.newInteraction(user, channelId);
    const opts: SlashOption[] = Object.entries(options).map(([name, v]) =>
      typeof v === 'object' ? { name, type: 6, value: v.id } : { name, type: typeof v === 'boolean' ? 5 : typeof v === 'number' ? 4 : 3, value: v },
    );
    const users = Object.values(options).filter((v): v is FakeUser => typeof v === 'object');
    const base = { id: record.id, token: record.token, applicationId: this.state.applicationId, user, channel: this.state.channel(channelId) };
    this.gateway.dispatch('INTERACTION_CREATE', slashPayload({ ...base, commandId: IDS.command, command: command ?? 'incident', subcommand: sub ?? subcommand, options: opts, users }));
    return record;
  }

  /** Presses the button labelled `label` on a message. */
  press(user: FakeUser, messageId: string, label: string): InteractionRecord {
    const message = this.state.message(messageId);
    const button = message.components.flatMap((r) => r.components).find((b) => b.label === label);
    if (!button?.custom_id) throw new Error(`fake discord: no button "${label}" on message ${messageId}`);
    const record = this.newInteraction(user, message.channel_id);
    const base = { id: record.id, token: record.token, applicationId: this.state.applicationId, user, channel: this.state.channel(message.channel_id) };
    this.gateway.dispatch('INTERACTION_CREATE', buttonPayload({ ...base, message, customId: button.custom_id }));
    return record;
  }

  /** Waits for the modal the bot opened in answer to an interaction. */
  modalOf(i: InteractionRecord, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return this.until(() => i.modal, timeoutMs, `a modal in answer to interaction ${i.token}`);
  }

  /**
   * Submits the modal the bot opened for `opened`, as the person would: a new interaction (type 5)
   * from the same channel, carrying the modal's custom_id and the text typed into each input.
   */
  submitModal(user: FakeUser, opened: InteractionRecord, values: Record<string, string>): InteractionRecord {
    const modal = opened.modal;
    if (!modal) throw new Error(`fake discord: interaction ${opened.token} opened no modal`);
    const inputs = ((modal.components ?? []) as { components?: { custom_id?: string }[] }[]).flatMap((row) => row.components ?? []).map((c) => c.custom_id);
    for (const id of Object.keys(values)) if (!inputs.includes(id)) throw new Error(`fake discord: the modal has no input ${id}`);
    const record = this.newInteraction(user, opened.channelId);
    const base = { id: record.id, token: record.token, applicationId: this.state.applicationId, user, channel: this.state.channel(opened.channelId) };
    this.gateway.dispatch('INTERACTION_CREATE', modalSubmitPayload({ ...base, customId: String(modal.custom_id), values }));
    return record;
  }

  private newInteraction(user: FakeUser, channelId: string): InteractionRecord {
    const record: InteractionRecord = {
      id: this.state.snowflake(),
      token: `token-${++this.tokens}-${Math.random().toString(36).slice(2)}`,
      userId: user.id,
      channelId,
      dispatchedAt: performance.now(),
      followups: [],
      webhookCalls: [],
    };
    this.state.interactions.set(record.token, record);
    return record;
  }

  /** A message as the gateway delivers it to a bot without the MessageContent intent: no content in guilds. */
  private asDelivered(message: FakeMessage): object {
    const payload = messagePayload(message);
    const hidden = message.guild_id && !this.gateway.hasIntent(INTENT.MessageContent);
    return hidden ? { ...payload, content: '' } : payload;
  }

  // ---- what people see ----

  channelNamed(name: string): string | undefined {
    return [...this.state.channels.values()].find((c) => c.name === name)?.id;
  }

  /** The ids of a channel's pinned messages, in the order they were pinned. */
  pinsOf(channelId: string): string[] {
    return this.state.pins.get(channelId) ?? [];
  }

  /** A channel's current topic (null when it has none); throws for an unknown channel. */
  topicOf(channelId: string): string | null {
    return this.state.channel(channelId).topic ?? null;
  }

  /** Every topic a PATCH /channels/:id set on a channel and Discord accepted, oldest first (not the one it was created with). */
  topicsSet(channelId: string): string[] {
    return this.rest.requests.filter((r) => r.method === 'PATCH' && r.path === `/channels/${channelId}` && 'topic' in r.body && r.status === 200).map((r) => String(r.body.topic ?? ''));
  }

  /** Messages the bot sent to a person in their DM channel, oldest first. */
  dmsTo(user: FakeUser): FakeMessage[] {
    const dm = [...this.state.channels.values()].find((c) => c.type === 1 && c.recipients?.some((r) => r.id === user.id));
    return dm ? this.state.messagesIn(dm.id).filter((m) => m.author.id === this.state.bot.id) : [];
  }

  /** Every visible message of a channel as text, oldest first. */
  textsIn(channelId: string): string[] {
    return this.state.messagesIn(channelId).map(visibleText);
  }

  /** What the person who used an interaction sees as its answer, once there is one. */
  answer(i: InteractionRecord): { text: string; ephemeral: boolean } | null {
    const parts = [...(i.original ? [i.original] : []), ...i.followups].filter((m) => m.content || m.embeds.length);
    if (parts.length === 0) return null;
    return { text: parts.map(visibleText).join('\n'), ephemeral: parts.every((m) => (m.flags & 64) === 64) };
  }

  /** Waits for an interaction's answer (after a deferral, its edit or follow-up). */
  answered(i: InteractionRecord, timeoutMs = 5_000): Promise<{ text: string; ephemeral: boolean }> {
    return this.until(() => (i.webhookCalls.length > 0 || i.callbackType === 4 ? this.answer(i) : null), timeoutMs, `an answer to interaction ${i.token}`);
  }

  /** Resolves with the first truthy value of `check`, re-checked on every request and dispatch. */
  until<T>(check: () => T | null | undefined | false, timeoutMs = 5_000, what = 'a condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (err: Error | null, value?: T) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('change', test);
        if (err) reject(err);
        else resolve(value as T);
      };
      const test = () => {
        const value = check();
        if (value) finish(null, value);
      };
      const timer = setTimeout(() => finish(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const poll = setInterval(test, 10);
      this.on('change', test);
      test();
    });
  }

  // ---- faults ----

  fail(fault: Fault): void {
    this.rest.faults.push(fault);
  }

  delay(delay: Delay): void {
    this.rest.delays.push(delay);
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
