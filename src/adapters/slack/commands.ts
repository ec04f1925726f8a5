import type { App, SlashCommand } from '@slack/bolt';
import { dispatch, errorReply } from '../../app/dispatch.js';
import { runFollowUp } from '../../app/follow-up.js';
import type { SlackContext } from './context.js';
import { updateForm } from './forms.js';
import { declareModal } from './modal.js';
import { slackActor } from './people.js';
import { firstDelivery, replayKeys } from './replay.js';
import { replyTo, type ReplyTarget } from './respond.js';
import { neutralText, workspaceOf } from './translate.js';

/**
 * `/incident ...`: acknowledged first, with an empty body, before anything touches Redis or the
 * Web API (Slack gives up after 3 s and trigger_id expires with it); the answer follows on the
 * command's response_url. `/incident declare` with no title opens the declare form instead. A
 * replayed command (the same signed request sent again) is acknowledged and not run.
 */
export function registerCommand(app: App, ctx: SlackContext): void {
  app.command('/incident', async ({ command, ack, context }) => {
    await ack();
    await ctx.work.run(async () => {
      await nextTurn();
      if (await isReplay(ctx, command, context)) return;
      await runCommand(ctx, command);
    });
  });
}

/** A signed command seen before is acknowledged (above) and not run twice (replay.ts). */
async function isReplay(ctx: SlackContext, command: SlashCommand, context: Record<string, unknown>): Promise<boolean> {
  const where = { workspace: workspaceOf(command.team_id), user: command.user_id, kind: 'command' };
  try {
    return !(await firstDelivery(ctx, replayKeys(command.team_id, context, command.trigger_id), where));
  } catch (err) {
    const target = { workspace: where.workspace, userId: command.user_id, responseUrl: command.response_url };
    await replyTo(ctx.chat, ctx.log, target, errorReply(ctx.deps, err, where));
    return true;
  }
}

/**
 * Starts the command's work on the next turn of the event loop: requests that arrived together
 * (a burst of commands) all get their acks first, instead of waiting behind the first ones' work.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function runCommand(ctx: SlackContext, command: SlashCommand): Promise<void> {
  const workspace = workspaceOf(command.team_id);
  const text = neutralText(command.text ?? '').trim();
  const target = { workspace, userId: command.user_id, responseUrl: command.response_url };
  if (/^declare$/i.test(text)) return openDeclareForm(ctx, command, target);
  const update = /^update(?:\s+(inc-\d{1,15}))?$/i.exec(text);
  if (update && (await openUpdateForm(ctx, command, target, update[1]?.toUpperCase()))) return;
  const reply = await dispatch(ctx.deps, ctx.commands, {
    platform: 'slack',
    workspace,
    channelId: command.channel_id,
    // The display name, as messages and reactions record the same person (people.ts), not the login in user_name.
    user: await slackActor(ctx.chat, workspace, command.user_id, command.user_name),
    text,
  });
  await replyTo(ctx.chat, ctx.log, target, reply);
  // After the answer, never before it: the stats chart upload (the note of its failure goes the same way).
  await runFollowUp(ctx.log, reply, (note) => replyTo(ctx.chat, ctx.log, target, note));
}

async function openDeclareForm(ctx: SlackContext, command: SlashCommand, target: ReplyTarget): Promise<void> {
  try {
    await ctx.chat.openView(command.trigger_id, declareModal(ctx.deps, { channelId: command.channel_id, responseUrl: command.response_url }));
  } catch (err) {
    const reply = errorReply(ctx.deps, err, { platform: 'slack', workspace: target.workspace, command: 'declare', user: command.user_id });
    await replyTo(ctx.chat, ctx.log, target, reply);
  }
}

/**
 * `/incident update` with no text opens the update form, for the incident named or the channel's.
 * False when there is no such incident: the command then answers as typed (which incident to name).
 */
async function openUpdateForm(ctx: SlackContext, command: SlashCommand, target: ReplyTarget, named: string | undefined): Promise<boolean> {
  try {
    const incident = named
      ? await ctx.deps.store.get({ workspace: target.workspace, number: Number(named.slice(4)) })
      : await ctx.deps.store.findByChannel(target.workspace, command.channel_id);
    const ref = incident?.ref;
    if (!ref) return false;
    await ctx.chat.openView(command.trigger_id, updateForm(ctx.deps, { ref, channelId: command.channel_id, responseUrl: command.response_url }));
  } catch (err) {
    await replyTo(ctx.chat, ctx.log, target, errorReply(ctx.deps, err, { platform: 'slack', workspace: target.workspace, command: 'update', user: command.user_id }));
  }
  return true;
}
