import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command, Deps } from '../../app/context.js';
import { recordDelete, recordEdit } from '../../app/inbound.js';
import type { LocalWorkspace } from './local-workspace.js';
import { neutralMentions } from './render.js';
import { LOCAL_WORKSPACE, findButton, press, react, runCommand, sendMessage, showError, type LocalBot, type LocalSeat } from './seat.js';

export { LOCAL_WORKSPACE } from './seat.js';

/**
 * The terminal side of the local workspace: reads what a person types and turns it into what a
 * chat platform would deliver. `/incident ...` is the slash command; plain text is a message in
 * the current channel; a few workspace commands switch user or channel or add a reaction.
 */
export class LocalTerminal {
  private user: string;
  private channel = 'general';
  private stopped = false;
  private readonly bot: LocalBot;
  private readonly seat: LocalSeat = () => this.state;

  constructor(
    private readonly deps: Deps,
    private readonly workspace: LocalWorkspace,
    private readonly commands: readonly Command[],
    private readonly print: (line: string) => void,
    options: { user: string; color?: boolean },
  ) {
    this.user = options.user;
    this.bot = { deps, workspace, commands };
    // Follow the person into a channel the bot just invited them to, as a chat client would show it.
    workspace.onInvite = (channelId, userIds) => {
      if (userIds.includes(this.user) && channelId !== this.channel) {
        this.channel = channelId;
        this.print(this.deps.t('local.now_channel', { channel: channelId }));
      }
    };
  }

  banner(): string {
    return this.deps.t('local.banner', { user: this.user, channel: this.channel });
  }

  get state(): { user: string; channel: string } {
    return { user: this.user, channel: this.channel };
  }

  /** Handles one typed line; resolves once everything it caused has been printed. Returns false after /quit. */
  async handleLine(input: string): Promise<boolean> {
    const line = input.trim();
    if (!line) return !this.stopped;
    try {
      if (/^\/incident(\s|$)/i.test(line)) await this.command(line.replace(/^\/incident\s*/i, ''));
      else if (line.startsWith('/')) await this.meta(line);
      else await this.message(line);
    } catch (err) {
      showError(this.bot, this.seat, err, line);
    }
    return !this.stopped;
  }

  /** Reads lines until end of input or /quit; lines are handled one at a time, in order. */
  async run(input: Readable, prompt?: (state: { user: string; channel: string }) => void): Promise<void> {
    const rl = createInterface({ input, terminal: false });
    prompt?.(this.state);
    for await (const line of rl) {
      if (!(await this.handleLine(line))) break;
      prompt?.(this.state);
    }
    rl.close();
  }

  private async command(text: string): Promise<void> {
    await runCommand(this.bot, this.seat, text);
  }

  private async message(text: string): Promise<void> {
    await sendMessage(this.bot, this.seat, text);
  }

  private async react(messageId: string, emoji: string): Promise<void> {
    const target = this.workspace.messages.get(messageId);
    if (!target) return this.print(this.deps.t('local.no_message', { id: messageId }));
    this.print(`[${messageId}] @${this.user} reacted ${emoji}`);
    await react(this.bot, this.seat, target, emoji);
  }

  private async press(messageId: string, button: string): Promise<void> {
    const found = findButton(this.workspace, messageId, button);
    if ('missing' in found) {
      if (found.missing === 'message') return this.print(this.deps.t('local.no_message', { id: messageId }));
      return this.print(this.deps.t('local.no_button', { id: messageId, buttons: found.buttons }));
    }
    this.print(`[${messageId}] @${this.user} pressed [ ${found.action.label} ]`);
    await press(this.bot, this.seat, found.action);
  }

  /** Editing or deleting one of your own messages, as chat clients allow. */
  private async change(kind: 'edit' | 'delete', messageId: string, text: string): Promise<void> {
    const target = this.workspace.messages.get(messageId);
    if (!target || target.author !== this.user) return this.print(this.deps.t('local.not_yours', { id: messageId }));
    const msg = { workspace: LOCAL_WORKSPACE, channelId: target.channelId, messageId, user: { id: this.user, name: this.user }, at: this.deps.clock.now() };
    if (kind === 'delete') {
      this.workspace.messages.delete(messageId);
      this.print(`[${messageId}] @${this.user} deleted a message`);
      await recordDelete(this.deps, msg);
      return;
    }
    target.message = { text };
    this.print(`[${messageId}] @${this.user} edited: ${text}`);
    await recordEdit(this.deps, { ...msg, text: neutralMentions(text) });
  }

  private async meta(line: string): Promise<void> {
    const [name = '', arg = '', ...rest] = line.slice(1).split(/\s+/);
    switch (name.toLowerCase()) {
      case 'as':
        this.user = arg.replace(/^@/, '').toLowerCase() || this.user;
        this.print(this.deps.t('local.now_user', { user: this.user }));
        return;
      case 'join':
        this.channel = this.workspace.ensureChannel(arg.replace(/^#/, '').toLowerCase() || 'general').id;
        this.print(this.deps.t('local.now_channel', { channel: this.channel }));
        return;
      case 'react':
        return this.react(arg, rest.join(' ') || '👍');
      case 'press':
        return this.press(arg, rest[0] ?? '');
      case 'edit':
      case 'delete':
        return this.change(name.toLowerCase() as 'edit' | 'delete', arg, rest.join(' '));
      case 'channels':
        this.print([...this.workspace.channels.values()].filter((c) => !c.id.startsWith('dm-')).map((c) => `#${c.name}`).join('  '));
        return;
      case 'who':
        this.print(`@${this.user} in #${this.channel}`);
        return;
      case 'quit':
      case 'exit':
        this.stopped = true;
        return;
      case 'help':
        this.print(this.banner());
        return;
      default:
        this.print(this.deps.t('local.unknown_meta', { name: `/${name}` }));
    }
  }
}
