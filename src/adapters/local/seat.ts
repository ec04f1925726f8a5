import type { Command, Deps, Reply } from '../../app/context.js';
import { dispatch, errorReply } from '../../app/dispatch.js';
import { runFollowUp } from '../../app/follow-up.js';
import { recordMessage } from '../../app/inbound.js';
import { pressButton, recordReaction } from '../../app/reactions.js';
import type { MessageAction } from '../../core/ports.js';
import type { LocalMessage, LocalWorkspace } from './local-workspace.js';
import { neutralMentions } from './render.js';

/**
 * What a person does in the local workspace, as a chat platform would deliver it to the bot:
 * an `/incident …` command, a message, a reaction, a button press. Shared by the terminal
 * (terminal.ts) and the browser playground (src/web/playground.ts), so both behave alike.
 */

export const LOCAL_WORKSPACE = 'local';

export interface LocalBot {
  deps: Deps;
  workspace: LocalWorkspace;
  commands: readonly Command[];
}

/**
 * Who is typing and in which channel, read on every use: a command can move the person while it
 * runs (the terminal follows its user into a channel the bot invites them to).
 */
export type LocalSeat = () => { user: string; channel: string };

const actor = (user: string) => ({ id: user, name: user });

/** The text after `/incident`, run as the slash command; its answer and follow-up shown where the person is. */
export async function runCommand(bot: LocalBot, seat: LocalSeat, text: string): Promise<void> {
  const { user, channel } = seat();
  const reply = await dispatch(bot.deps, bot.commands, {
    platform: 'local',
    workspace: LOCAL_WORKSPACE,
    channelId: channel,
    user: actor(user),
    text: neutralMentions(text),
  });
  showReply(bot, seat, reply);
  await runFollowUp(bot.deps.log, reply, async (note) => showReply(bot, seat, note));
}

/** A public answer is posted in the person's channel; any other only they see. */
export function showReply(bot: LocalBot, seat: LocalSeat, reply: Reply): void {
  const { user, channel } = seat();
  if (reply.public) {
    void bot.workspace.post(LOCAL_WORKSPACE, channel, reply);
    return;
  }
  bot.workspace.whisper(user, channel, reply);
}

/** An unexpected failure, answered to the person as every adapter does (with a reference for the log). */
export function showError(bot: LocalBot, seat: LocalSeat, err: unknown, line: string): void {
  showReply(bot, seat, errorReply(bot.deps, err, { platform: 'local', line: line.slice(0, 40) }));
}

/** A plain message in the person's channel, which the bot hears like any other. */
export async function sendMessage(bot: LocalBot, seat: LocalSeat, text: string): Promise<LocalMessage> {
  const { user, channel } = seat();
  const msg = bot.workspace.say(user, channel, text);
  await recordMessage(bot.deps, {
    workspace: LOCAL_WORKSPACE,
    channelId: channel,
    messageId: msg.id,
    user: actor(user),
    text: neutralMentions(text),
    at: bot.deps.clock.now(),
  });
  return msg;
}

/** The person reacts `emoji` to `target` (kept on the message), and the bot answers if it has something to say. */
export async function react(bot: LocalBot, seat: LocalSeat, target: LocalMessage, emoji: string): Promise<void> {
  const { user } = seat();
  bot.workspace.addReaction(user, target.id, emoji);
  const answer = await recordReaction(bot.deps, { workspace: LOCAL_WORKSPACE, channelId: target.channelId, messageId: target.id, user: actor(user), emoji });
  if (answer) showReply(bot, seat, { text: answer });
}

/** A message's button by id or label (case-insensitive), or why there is none. */
export function findButton(
  workspace: LocalWorkspace,
  messageId: string,
  button: string,
): { target: LocalMessage; action: MessageAction } | { missing: 'message' } | { missing: 'button'; buttons: string } {
  const target = workspace.messages.get(messageId);
  if (!target) return { missing: 'message' };
  const wanted = button.toLowerCase();
  const action = target.message.actions?.find((a) => a.id === wanted || a.label.toLowerCase() === wanted);
  if (!action) return { missing: 'button', buttons: (target.message.actions ?? []).map((a) => a.id).join(', ') || '—' };
  return { target, action };
}

/** The person presses `action`; the bot's answer only they see. */
export async function press(bot: LocalBot, seat: LocalSeat, action: MessageAction): Promise<void> {
  const { user } = seat();
  showReply(bot, seat, { text: await pressButton(bot.deps, { workspace: LOCAL_WORKSPACE, user: actor(user), action: action.id, value: action.value }) });
}
