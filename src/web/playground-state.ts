import type { AppConfig } from '../config.js';
import type { LocalChange, LocalMessage, LocalWorkspace } from '../adapters/local/local-workspace.js';
import type { OutboundMessage } from '../core/ports.js';

/**
 * What the browser playground knows besides the local workspace itself: the answers only one
 * person sees (the workspace prints them and keeps none without buttons; the playground keeps
 * the latest few, in order among the messages), which kept messages are such answers, and the
 * lines of the demo. Also who may look where: a DM is its person's alone, so is a private answer.
 */

/** Emoji the reaction picker offers: acknowledge a page, "looking", mark a lesson. */
export const PICKER_EMOJI = ['✅', '👀', '💡'] as const;

export interface Whisper {
  /** The number of the latest message id when it was shown: it comes after that message. */
  seq: number;
  user: string;
  channelId: string;
  message: OutboundMessage;
}

export type ConversationItem =
  | { kind: 'message'; msg: LocalMessage; reactions: { emoji: string; users: string[] }[]; onlyYou: boolean }
  | { kind: 'whisper'; message: OutboundMessage };

const seqOf = (messageId: string): number => Number(/^m(\d+)$/.exec(messageId)?.[1] ?? 0);
const MAX_PEOPLE = 40;

export class PlaygroundState {
  readonly whispers: Whisper[] = [];
  /** The last message of each person's DM they have seen (sequence number). */
  private readonly seenDm = new Map<string, number>();
  readonly demoLog: string[] = [];
  demoRunning = false;
  private lastSeq = 0;

  constructor(
    readonly chat: LocalWorkspace,
    private readonly limits = { whispers: 500, demoLines: 300, shown: 200 },
  ) {
    for (const id of chat.messages.keys()) this.lastSeq = Math.max(this.lastSeq, seqOf(id));
  }

  /** Keeps what a change tells (see LocalWorkspace.onChange). */
  observe(change: LocalChange): void {
    if (change.kind === 'message') this.lastSeq = Math.max(this.lastSeq, seqOf(change.messageId));
    if (change.kind !== 'whisper') return;
    if (change.messageId) {
      // Kept on the message itself (LocalMessage.onlyFor), so it never shows to anyone else.
      this.lastSeq = Math.max(this.lastSeq, seqOf(change.messageId));
      return;
    }
    this.whispers.push({ seq: this.lastSeq, user: change.userId, channelId: change.channelId, message: change.message });
    if (this.whispers.length > this.limits.whispers) this.whispers.shift();
  }

  /** Marks what is in `user`'s DM as seen (they have it open). */
  markDmSeen(user: string): void {
    let last = this.seenDm.get(user) ?? 0;
    for (const m of this.chat.messages.values()) if (m.channelId === `dm-${user}`) last = Math.max(last, seqOf(m.id));
    this.seenDm.set(user, last);
  }

  /** The people of `among` with DMs from the bot they have not opened yet, and how many. */
  unseenDms(among: readonly string[]): { user: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const m of this.chat.messages.values()) {
      if (!m.channelId.startsWith('dm-') || m.author !== 'bot') continue;
      const user = m.channelId.slice(3);
      if (seqOf(m.id) > (this.seenDm.get(user) ?? 0)) counts.set(user, (counts.get(user) ?? 0) + 1);
    }
    return among.filter((u) => counts.has(u)).map((user) => ({ user, count: counts.get(user)! }));
  }

  demoLine(line: string): void {
    this.demoLog.push(line);
    if (this.demoLog.length > this.limits.demoLines) this.demoLog.shift();
  }

  /** Whether `user` may look into `channelId`: a channel of the workspace, or their own DM (which may not exist yet). */
  channelVisible(user: string, channelId: string): boolean {
    if (channelId === `dm-${user}`) return true;
    const channel = this.chat.channels.get(channelId);
    // A private channel (a private incident's) only to its members, as in Slack.
    return !channelId.startsWith('dm-') && channel !== undefined && (!channel.private || channel.members.has(user));
  }

  /** Whether `user` sees `msg`: in a channel they may look into, and not an answer meant for someone else. */
  messageVisible(user: string, msg: LocalMessage): boolean {
    return this.channelVisible(user, msg.channelId) && (msg.onlyFor === undefined || msg.onlyFor === user);
  }

  /** The channels of `user`'s sidebar (no DMs; a private one only to its members), in the order they were made. */
  channelList(user: string): { id: string; name: string; private: boolean }[] {
    return [...this.chat.channels.values()].filter((c) => !c.id.startsWith('dm-') && this.channelVisible(user, c.id)).map((c) => ({ id: c.id, name: c.name, private: c.private }));
  }

  /** What `user` sees in `channelId`, oldest first: the latest messages, with the answers only they saw in between. */
  conversation(user: string, channelId: string): ConversationItem[] {
    const messages = [...this.chat.messages.values()].filter((m) => m.channelId === channelId && this.messageVisible(user, m)).slice(-this.limits.shown);
    const whispers = this.whispers.filter((w) => w.user === user && w.channelId === channelId).slice(-this.limits.shown);
    const items: { seq: number; item: ConversationItem }[] = [
      ...messages.map((msg) => ({ seq: seqOf(msg.id), item: { kind: 'message' as const, msg, reactions: this.reactionsOf(msg.id), onlyYou: msg.onlyFor !== undefined } })),
      // A whisper shown after message n sorts between n and n + 1.
      ...whispers.map((w) => ({ seq: w.seq + 0.5, item: { kind: 'whisper' as const, message: w.message } })),
    ];
    return items.sort((a, b) => a.seq - b.seq).map((i) => i.item);
  }

  /**
   * The people of the user switcher: the viewer's local user, alice and bob, everyone the config
   * can page (rotation members, policy users, service teams), and anyone the bot has written to.
   */
  people(localUser: string, config: Pick<AppConfig, 'rotations' | 'policies' | 'services'>): string[] {
    const all = [localUser.toLowerCase(), 'alice', 'bob'];
    for (const r of config.rotations) for (const layer of r.layers) all.push(...layer.members);
    for (const p of config.policies) for (const tier of p.tiers) for (const t of tier.targets) if ('user' in t) all.push(t.user);
    for (const s of config.services) all.push(...(s.team ?? []));
    for (const id of this.chat.channels.keys()) if (id.startsWith('dm-')) all.push(id.slice(3));
    return [...new Set(all.map((u) => u.toLowerCase()))].slice(0, MAX_PEOPLE);
  }

  private reactionsOf(messageId: string): { emoji: string; users: string[] }[] {
    const byEmoji = new Map<string, string[]>();
    for (const r of this.chat.reactions.get(messageId) ?? []) {
      const users = byEmoji.get(r.emoji) ?? [];
      if (!users.includes(r.user)) users.push(r.user);
      byEmoji.set(r.emoji, users);
    }
    return [...byEmoji].map(([emoji, users]) => ({ emoji, users }));
  }
}
