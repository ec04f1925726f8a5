import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChannelRef, ChatPort, MessageRef, OutboundMessage, UploadFile } from '../../core/ports.js';
import { nextFreeName } from '../../core/naming.js';
import { renderMessage, renderText } from './render.js';

export interface LocalChannel {
  id: string;
  name: string;
  topic: string;
  private: boolean;
  members: Set<string>;
}

export interface LocalMessage {
  id: string;
  channelId: string;
  author: string;
  /** An answer with buttons only this person sees (whisper); everyone sees the others. */
  onlyFor?: string;
  message: OutboundMessage;
}

function changedFields(before: OutboundMessage, after: OutboundMessage) {
  const old = new Map((before.fields ?? []).map((f) => [f.label, f.value]));
  const changed = (after.fields ?? []).filter((f) => old.get(f.label) !== f.value).map((f) => ({ ...f, before: old.get(f.label) ?? '—' }));
  return changed.length > 0 ? changed : null;
}

/**
 * What changed in the workspace, for a view that shows it live (the browser playground): a
 * channel made or changed (topic, members), people invited, a message posted, edited, pinned or
 * reacted to, or an answer only one person sees (kept nowhere else when it has no buttons).
 */
export type LocalChange =
  | { kind: 'channel'; channelId: string }
  | { kind: 'invite'; channelId: string; userIds: string[] }
  | { kind: 'message'; channelId: string; messageId: string }
  | { kind: 'whisper'; channelId: string; userId: string; message: OutboundMessage; messageId?: string };

export interface LocalWorkspaceOptions {
  /**
   * A file that keeps the last message id handed out (main.ts: `<DATA_DIR>/local-ids.json`), so
   * ids go on from there after a restart instead of starting again at m1: the core remembers
   * `msg:<channel>:<id>` for 7 days and would take a repeated id for a redelivery and drop the
   * message. Without it ids live in memory only (tests, the benchmark).
   */
  idFile?: string;
}

/** The last message id number in `file`, 0 when there is no file yet. */
function readLastId(file: string): number {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(`local workspace: cannot read message ids from ${file}: ${(err as Error).message}`);
  }
  let last: unknown;
  try {
    last = (JSON.parse(raw) as { lastMessageId?: unknown }).lastMessageId;
  } catch {
    last = undefined;
  }
  if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0) {
    throw new Error(`local workspace: ${file} does not hold a message id counter ({"lastMessageId": <n>}); fix it rather than delete it, or ids would repeat`);
  }
  return last;
}

/** Replaces `file` in one step (write a temporary file, rename it over): a crash leaves the old or the new one. */
function writeLastId(file: string, last: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ lastMessageId: last })}\n`);
  renameSync(tmp, file);
}

/**
 * A whole chat workspace in memory, printed to the terminal: the chat port's implementation for
 * people trying the bot without Slack or Discord. Channel ids are their names, so a channel
 * still answers after a restart (the incidents themselves live in Redis). Every line is labelled
 * with where it happened: `#channel`, `DM @person`, or `announcement`. Message ids (m1, m2, ...)
 * never repeat for one `idFile`: each is written there before it is handed out.
 */
export class LocalWorkspace implements ChatPort {
  readonly channels = new Map<string, LocalChannel>();
  readonly messages = new Map<string, LocalMessage>();
  /** Pinned message ids by channel id, in the order they were pinned. */
  readonly pins = new Map<string, string[]>();
  /** Files sent with dmFile (in the person's DM channel), oldest first. */
  readonly files: { channelId: string; file: UploadFile }[] = [];
  private seq = 0;
  /** Emoji reactions by message id, oldest first (the bot's as `bot`). */
  readonly reactions = new Map<string, { emoji: string; user: string }[]>();
  /** Called when someone is added to a channel, so the terminal can follow its user there. */
  onInvite: (channelId: string, userIds: string[]) => void = () => {};
  private readonly listeners = new Set<(change: LocalChange) => void>();

  constructor(
    private readonly print: (line: string) => void,
    private readonly announceChannel: string,
    private readonly color = false,
    private readonly options: LocalWorkspaceOptions = {},
  ) {
    if (options.idFile) {
      mkdirSync(dirname(options.idFile), { recursive: true });
      this.seq = readLastId(options.idFile);
    }
    this.ensureChannel('general');
    this.ensureChannel(announceChannel);
  }

  /**
   * Calls `listener` after every change (see LocalChange), synchronously; returns the function
   * that removes it. A listener that throws is ignored: a view never breaks the workspace.
   */
  onChange(listener: (change: LocalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A person's reaction (the bot hears of it separately, src/adapters/local/seat.ts); prints nothing. */
  addReaction(userId: string, messageId: string, emoji: string): void {
    const target = this.messages.get(messageId);
    if (!target) return;
    this.reactions.set(messageId, [...(this.reactions.get(messageId) ?? []), { emoji, user: userId }]);
    this.changed({ kind: 'message', channelId: target.channelId, messageId });
  }

  ensureChannel(name: string): LocalChannel {
    const existing = this.channels.get(name);
    if (existing) return existing;
    const channel: LocalChannel = { id: name, name, topic: '', private: false, members: new Set() };
    this.channels.set(name, channel);
    this.changed({ kind: 'channel', channelId: name });
    return channel;
  }

  async createChannel(_ws: string, name: string, options: { topic: string; private: boolean }): Promise<ChannelRef> {
    let candidate = name;
    for (let attempt = 1; this.channels.has(candidate); attempt++) candidate = nextFreeName(name, attempt);
    const channel = this.ensureChannel(candidate);
    channel.topic = options.topic;
    channel.private = options.private;
    this.print(`[workspace] ${options.private ? 'private ' : ''}channel #${candidate} created · topic: ${this.text(options.topic)}`);
    this.changed({ kind: 'channel', channelId: channel.id });
    return { id: channel.id, name: channel.name };
  }

  async invite(_ws: string, channelId: string, userIds: string[]): Promise<void> {
    const channel = this.ensureChannel(channelId);
    const added = userIds.filter((u) => !channel.members.has(u));
    added.forEach((u) => channel.members.add(u));
    if (added.length) this.print(`[#${channel.name}] ${added.map((u) => `@${u}`).join(', ')} joined`);
    this.onInvite(channelId, added);
    if (added.length) this.changed({ kind: 'invite', channelId: channel.id, userIds: added });
  }

  async setTopic(_ws: string, channelId: string, topic: string): Promise<void> {
    const channel = this.ensureChannel(channelId);
    channel.topic = topic;
    this.print(`[#${channel.name}] topic: ${this.text(topic)}`);
    this.changed({ kind: 'channel', channelId: channel.id });
  }

  async post(_ws: string, channelId: string, message: OutboundMessage): Promise<MessageRef> {
    const channel = this.ensureChannel(channelId);
    const label = channel.name === this.announceChannel ? `#${channel.name} · announcement` : `#${channel.name}`;
    return this.show(channel.id, 'bot', label, message);
  }

  async update(_ws: string, ref: MessageRef, message: OutboundMessage): Promise<void> {
    const existing = this.messages.get(ref.messageId);
    if (!existing) throw new Error(`local: no message ${ref.messageId}`);
    const before = existing.message;
    existing.message = message;
    this.changed({ kind: 'message', channelId: existing.channelId, messageId: ref.messageId });
    const channel = this.channels.get(ref.channelId);
    const head = `[#${channel?.name ?? ref.channelId} · ${ref.messageId} edited] bot:`;
    // A chat client shows the edited message in place; a terminal shows what changed.
    const changed = changedFields(before, message);
    if (before.text === message.text && changed) {
      this.print([head, ...changed.map((f) => `    ${f.label}: ${this.text(f.before)} → ${this.text(f.value)}`)].join('\n'));
      return;
    }
    this.printBlock(head, message);
  }

  async dm(_ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    const channel = this.ensureChannel(`dm-${userId}`);
    channel.members.add(userId);
    return this.show(channel.id, 'bot', `DM @${userId}`, message);
  }

  /** A configured channel (the announcement channel, or a notice's) exists as soon as something is posted there. */
  async announce(ws: string, message: OutboundMessage, channel?: string): Promise<MessageRef> {
    return this.post(ws, channel?.replace(/^#/, '') || this.announceChannel, message);
  }

  async react(_ws: string, ref: MessageRef, emoji: string): Promise<void> {
    this.print(`[${ref.messageId}] bot reacted ${emoji}`);
    if (this.messages.has(ref.messageId)) this.reactions.set(ref.messageId, [...(this.reactions.get(ref.messageId) ?? []), { emoji, user: 'bot' }]);
    this.changed({ kind: 'message', channelId: ref.channelId, messageId: ref.messageId });
  }

  /** A pin shows once, as a hint under the message; pinning it again prints nothing. */
  async pin(_ws: string, ref: MessageRef): Promise<void> {
    const pinned = this.pins.get(ref.channelId) ?? [];
    if (pinned.includes(ref.messageId)) return;
    this.pins.set(ref.channelId, [...pinned, ref.messageId]);
    const channel = this.channels.get(ref.channelId);
    this.print(`[#${channel?.name ?? ref.channelId} · ${ref.messageId}] 📌 pinned`);
    this.changed({ kind: 'message', channelId: ref.channelId, messageId: ref.messageId });
  }

  /**
   * A terminal shows no images: one line in the person's DM names the file and its size (the
   * comment above it, when given), and the file is kept in `files` for tests and the demo.
   */
  async dmFile(_ws: string, userId: string, file: UploadFile, message?: OutboundMessage): Promise<void> {
    const channel = this.ensureChannel(`dm-${userId}`);
    channel.members.add(userId);
    this.files.push({ channelId: channel.id, file });
    if (message) this.show(channel.id, 'bot', `DM @${userId}`, message);
    this.print(`[DM @${userId}] file: ${file.name} (${Math.max(1, Math.round(file.data.length / 1024))} KB)`);
  }

  /** Anyone typed as `@name` exists in the local workspace: it has no directory of people. */
  async isMember(_ws: string, userId: string): Promise<boolean> {
    return /^[a-z0-9._-]+$/i.test(userId);
  }

  async userName(_ws: string, userId: string): Promise<string> {
    return userId;
  }

  /**
   * An answer only `userId` sees (an ephemeral reply). One with buttons is kept like a message, so
   * `/press <id> <button>` works on it (a notice draft's Post and Edit).
   */
  whisper(userId: string, channelId: string, message: OutboundMessage): void {
    if (!message.actions?.length) {
      this.printBlock(`[only @${userId} sees this]`, message);
      this.changed({ kind: 'whisper', channelId, userId, message });
      return;
    }
    const ref = this.show(channelId, 'bot', `only @${userId} sees this`, message);
    const shown = this.messages.get(ref.messageId);
    if (shown) shown.onlyFor = userId;
    this.changed({ kind: 'whisper', channelId, userId, message, messageId: ref.messageId });
  }

  /** A person writing in a channel; returns the new message's id. */
  say(userId: string, channelId: string, text: string): LocalMessage {
    const channel = this.ensureChannel(channelId);
    channel.members.add(userId);
    const message: LocalMessage = { id: this.nextId(), channelId: channel.id, author: userId, message: { text } };
    this.messages.set(message.id, message);
    this.print(`[#${channel.name} · ${message.id}] @${userId}: ${this.text(text)}`);
    this.changed({ kind: 'message', channelId: channel.id, messageId: message.id });
    return message;
  }

  private show(channelId: string, author: string, label: string, message: OutboundMessage): MessageRef {
    const id = this.nextId();
    this.messages.set(id, { id, channelId, author, message });
    this.printBlock(`[${label} · ${id}] ${author}:`, message);
    this.changed({ kind: 'message', channelId, messageId: id });
    return { channelId, messageId: id };
  }

  private changed(change: LocalChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A view's problem is the view's: the workspace goes on.
      }
    }
  }

  private printBlock(head: string, message: OutboundMessage): void {
    const lines = renderMessage(message, { color: this.color, channelName: (id) => this.channels.get(id)?.name ?? id });
    this.print([head, ...lines.map((l) => `    ${l}`)].join('\n'));
  }

  private text(text: string): string {
    return renderText(text, { color: this.color, channelName: (id) => this.channels.get(id)?.name ?? id });
  }

  /** The next message id, persisted first when there is an id file (a failed write hands out nothing). */
  private nextId(): string {
    const next = this.seq + 1;
    if (this.options.idFile) writeLastId(this.options.idFile, next);
    this.seq = next;
    return `m${next}`;
  }
}
