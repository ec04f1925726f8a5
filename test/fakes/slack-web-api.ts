/**
 * The workspace behind FakeSlack: channels, DMs, messages, users, pins, reactions and opened
 * views, and the Web API methods the bot calls, answering as Slack does (the same field names,
 * the same `ok: false` codes: name_taken, not_in_channel, channel_not_found, already_in_channel,
 * message_not_found, too_long, already_pinned). Only what the bot uses is modelled; anything else is `unknown_method`.
 * Files arrive as Slack takes them since 2024: files.getUploadURLExternal, the bytes POSTed to the
 * URL it gave (FakeSlack serves it), files.completeUploadExternal sharing them in a channel.
 */

export type Params = Record<string, unknown>;
export type Answer = { ok: true; [key: string]: unknown } | { ok: false; error: string; [key: string]: unknown };

export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_im: boolean;
  topic: string;
  members: Set<string>;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks: unknown[];
  edits: number;
}

/** A file shared in a channel, with the bytes that were uploaded. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  alt?: string;
  channel: string;
  /** The message the share posted (`initial_comment`, or empty). */
  ts: string;
  comment: string;
  data: Buffer;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
}

const CHANNEL_NAME = /^[a-z0-9_-]{1,80}$/;
/** Slack refuses longer topics with `too_long`. */
const TOPIC_LIMIT = 250;

export class SlackWorkspace {
  readonly channels = new Map<string, FakeChannel>();
  readonly messages: FakeMessage[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly pins: { channel: string; ts: string }[] = [];
  readonly reactions: { channel: string; ts: string; name: string; user: string }[] = [];
  readonly views: { id: string; trigger_id: string; view: Params }[] = [];
  readonly ephemerals: { channel: string; user: string; text: string }[] = [];
  readonly files: FakeFile[] = [];
  /** Where upload URLs point (FakeSlack sets its own `/upload/`). */
  uploadBase = 'http://127.0.0.1:9/upload/';
  /** Files asked for with files.getUploadURLExternal, until completed; `data` once uploaded. */
  private readonly uploads = new Map<string, { name: string; length: number; alt?: string; data?: Buffer }>();
  private seq = 0;

  constructor(
    readonly teamId = 'T0TEST',
    readonly botUserId = 'UBOT',
    readonly botId = 'BBOT',
  ) {}

  addUser(id: string, name = id.toLowerCase(), realName = name): FakeUser {
    const user = { id, name, real_name: realName };
    this.users.set(id, user);
    return user;
  }

  addChannel(name: string, o: { private?: boolean; botIsMember?: boolean } = {}): FakeChannel {
    const channel: FakeChannel = { id: this.id('C'), name, is_private: Boolean(o.private), is_im: false, topic: '', members: new Set(o.botIsMember ? [this.botUserId] : []) };
    this.channels.set(channel.id, channel);
    return channel;
  }

  channelByName(name: string): FakeChannel | undefined {
    return [...this.channels.values()].find((c) => c.name === name);
  }

  /** A channel's current topic, as conversations.create/setTopic left it; undefined for no such channel. */
  topicOf(channelId: string): string | undefined {
    return this.channels.get(channelId)?.topic;
  }

  /** The timestamps of a channel's pinned messages, in the order they were pinned. */
  pinsOf(channelId: string): string[] {
    return this.pins.filter((x) => x.channel === channelId).map((x) => x.ts);
  }

  /** The files shared in a channel, oldest first. */
  filesIn(channelId: string): FakeFile[] {
    return this.files.filter((f) => f.channel === channelId);
  }

  /** Bytes POSTed to an upload URL; false for a file id that was never handed out or is done. */
  receiveUpload(fileId: string, data: Buffer): boolean {
    const pending = this.uploads.get(fileId);
    if (!pending) return false;
    pending.data = data;
    return true;
  }

  /** The DM channel between the bot and a person (opened on first use, like conversations.open). */
  dmWith(userId: string): FakeChannel {
    const existing = [...this.channels.values()].find((c) => c.is_im && c.members.has(userId));
    if (existing) return existing;
    const dm: FakeChannel = { id: this.id('D'), name: userId, is_private: true, is_im: true, topic: '', members: new Set([this.botUserId, userId]) };
    this.channels.set(dm.id, dm);
    return dm;
  }

  /** A message timestamp, unique and increasing, in Slack's `seconds.micro` form. */
  nextTs(at = Date.now()): string {
    return `${Math.floor(at / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }

  handle(method: string, p: Params): Answer {
    const fn = this.methods[method];
    return fn ? fn(p) : { ok: false, error: 'unknown_method' };
  }

  private id(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(8, '0')}`;
  }

  private channel(id: unknown): FakeChannel | undefined {
    return this.channels.get(String(id));
  }

  private view(c: FakeChannel) {
    return { id: c.id, name: c.name, is_private: c.is_private, is_im: c.is_im, is_member: c.members.has(this.botUserId), topic: { value: c.topic } };
  }

  /**
   * files.completeUploadExternal: shares uploaded files in `channel_id`, posting one message with
   * the `initial_comment`. Every file must have been uploaded (Slack: `file_not_found`), the bot
   * must be in the channel (`not_in_channel`); bytes that differ from the length announced are the
   * fake's own `file_length_mismatch`, so a test sees a truncated upload.
   */
  private completeUpload(p: Params): Answer {
    const wanted = Array.isArray(p.files) ? (p.files as { id?: unknown; title?: unknown }[]) : [];
    if (wanted.length === 0) return { ok: false, error: 'invalid_arguments' };
    const c = p.channel_id === undefined ? undefined : this.channel(p.channel_id);
    if (p.channel_id !== undefined && !c) return { ok: false, error: 'channel_not_found' };
    if (c && !c.members.has(this.botUserId)) return { ok: false, error: 'not_in_channel' };
    const uploads = wanted.map((f) => ({ f, u: this.uploads.get(String(f.id)) }));
    if (uploads.some(({ u }) => !u?.data)) return { ok: false, error: 'file_not_found' };
    if (uploads.some(({ u }) => u?.data?.length !== u?.length)) return { ok: false, error: 'file_length_mismatch' };
    const comment = String(p.initial_comment ?? '');
    const ts = this.nextTs();
    const shared = uploads.map(({ f, u }) => {
      this.uploads.delete(String(f.id));
      const name = u?.name ?? '';
      const file: FakeFile = { id: String(f.id), name, title: String(f.title ?? name), ...(u?.alt ? { alt: u.alt } : {}), channel: c?.id ?? '', ts, comment, data: u?.data ?? Buffer.alloc(0) };
      if (c) this.files.push(file);
      return file;
    });
    if (c) this.messages.push({ channel: c.id, ts, user: this.botUserId, text: comment, blocks: [], edits: 0 });
    return { ok: true, files: shared.map((f) => ({ id: f.id, title: f.title, name: f.name })) };
  }

  private readonly methods: Record<string, (p: Params) => Answer> = {
    'auth.test': () => ({ ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'incident-bot', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId }),
    'conversations.create': (p) => {
      const name = String(p.name ?? '');
      if (!CHANNEL_NAME.test(name)) return { ok: false, error: 'invalid_name_specials' };
      if (this.channelByName(name)) return { ok: false, error: 'name_taken' };
      const c = this.addChannel(name, { private: p.is_private === true || p.is_private === 'true', botIsMember: true });
      return { ok: true, channel: this.view(c) };
    },
    'conversations.setTopic': (p) => {
      const c = this.channel(p.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      if (!c.members.has(this.botUserId)) return { ok: false, error: 'not_in_channel' };
      const topic = String(p.topic ?? '');
      if ([...topic].length > TOPIC_LIMIT) return { ok: false, error: 'too_long' };
      c.topic = topic;
      return { ok: true, channel: this.view(c) };
    },
    'conversations.invite': (p) => {
      const c = this.channel(p.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      const users = String(p.users ?? '').split(',').filter(Boolean);
      // Like Slack: one person already in refuses the whole call.
      if (users.some((u) => c.members.has(u))) return { ok: false, error: 'already_in_channel' };
      users.forEach((u) => c.members.add(u));
      return { ok: true, channel: this.view(c) };
    },
    'conversations.open': (p) => ({ ok: true, channel: { id: this.dmWith(String(p.users ?? '')).id } }),
    'conversations.list': (p) => {
      const all = [...this.channels.values()].filter((c) => !c.is_im);
      const start = Number(p.cursor ?? 0) || 0;
      const limit = Number(p.limit ?? 100) || 100;
      const next = start + limit < all.length ? String(start + limit) : '';
      return { ok: true, channels: all.slice(start, start + limit).map((c) => this.view(c)), response_metadata: { next_cursor: next } };
    },
    'conversations.info': (p) => {
      const c = this.channel(p.channel);
      return c ? { ok: true, channel: this.view(c) } : { ok: false, error: 'channel_not_found' };
    },
    'conversations.join': (p) => {
      const c = this.channel(p.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      c.members.add(this.botUserId);
      return { ok: true, channel: this.view(c) };
    },
    'chat.postMessage': (p) => {
      const c = String(p.channel ?? '').startsWith('U') ? this.dmWith(String(p.channel)) : this.channel(p.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      if (!c.members.has(this.botUserId)) return { ok: false, error: 'not_in_channel' };
      const msg: FakeMessage = { channel: c.id, ts: this.nextTs(), user: this.botUserId, text: String(p.text ?? ''), blocks: asArray(p.blocks), edits: 0 };
      this.messages.push(msg);
      return { ok: true, channel: c.id, ts: msg.ts, message: { text: msg.text, ts: msg.ts, user: this.botUserId, bot_id: this.botId } };
    },
    'chat.update': (p) => {
      const msg = this.messages.find((m) => m.channel === String(p.channel) && m.ts === String(p.ts));
      if (!msg) return { ok: false, error: 'message_not_found' };
      Object.assign(msg, { text: String(p.text ?? ''), blocks: asArray(p.blocks), edits: msg.edits + 1 });
      return { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text };
    },
    'chat.postEphemeral': (p) => {
      if (!this.channel(p.channel)) return { ok: false, error: 'channel_not_found' };
      this.ephemerals.push({ channel: String(p.channel), user: String(p.user), text: String(p.text ?? '') });
      return { ok: true, message_ts: this.nextTs() };
    },
    'pins.add': (p) => {
      const c = this.channel(p.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      if (!c.members.has(this.botUserId)) return { ok: false, error: 'not_in_channel' };
      const ts = String(p.timestamp ?? '');
      if (!this.messages.some((m) => m.channel === c.id && m.ts === ts)) return { ok: false, error: 'message_not_found' };
      if (this.pins.some((x) => x.channel === c.id && x.ts === ts)) return { ok: false, error: 'already_pinned' };
      this.pins.push({ channel: c.id, ts });
      return { ok: true };
    },
    'reactions.add': (p) => {
      const r = { channel: String(p.channel), ts: String(p.timestamp), name: String(p.name), user: this.botUserId };
      if (this.reactions.some((x) => x.channel === r.channel && x.ts === r.ts && x.name === r.name && x.user === r.user)) return { ok: false, error: 'already_reacted' };
      this.reactions.push(r);
      return { ok: true };
    },
    'files.getUploadURLExternal': (p) => {
      const length = Number(p.length);
      if (!p.filename) return { ok: false, error: 'invalid_arguments' };
      if (!Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_length' };
      const id = this.id('F');
      this.uploads.set(id, { name: String(p.filename), length, ...(p.alt_text ? { alt: String(p.alt_text) } : {}) });
      return { ok: true, upload_url: `${this.uploadBase}${id}`, file_id: id };
    },
    'files.completeUploadExternal': (p) => this.completeUpload(p),
    'users.info': (p) => {
      const u = this.users.get(String(p.user));
      if (!u) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { id: u.id, name: u.name, real_name: u.real_name, profile: { display_name: u.name, real_name: u.real_name } } };
    },
    'views.open': (p) => {
      const view = { id: this.id('V'), trigger_id: String(p.trigger_id), view: (typeof p.view === 'object' && p.view ? p.view : {}) as Params };
      this.views.push(view);
      return { ok: true, view: { id: view.id, ...view.view } };
    },
  };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
