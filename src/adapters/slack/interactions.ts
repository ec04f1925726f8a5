import type { App, BlockAction, ButtonAction, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { declareIncident } from '../../app/declare.js';
import { dispatch, errorReply } from '../../app/dispatch.js';
import { noticeButton, noticeButtonIncident, noticeDraft, requireNoticeChannel } from '../../app/notice.js';
import { incidentRef, type Actor } from '../../core/model.js';
import { parseButtonValue } from '../../core/paging-effects.js';
import { formText, NOTICE_CALLBACK_ID, noticeForm, readFormMeta, submittedCommand, UPDATE_CALLBACK_ID, updateForm } from './forms.js';
import { pressButton } from '../../app/reactions.js';
import type { DeclareForm } from '../../app/declare.js';
import { BUTTON_ACTIONS, type ButtonAction as ButtonKind } from '../../core/ports.js';
import { ACTION_IDS } from './blocks.js';
import { slackActor } from './people.js';
import type { SlackContext } from './context.js';
import { DECLARE_CALLBACK_ID, formErrors, readDeclareForm, readDeclareMeta } from './modal.js';
import { firstDelivery, replayKeys } from './replay.js';
import { replyTo, type ReplyTarget } from './respond.js';
import { workspaceOf } from './translate.js';

/**
 * Buttons and forms. Both are acked before anything slow: a button with an empty ack, the form
 * with either an empty ack (it closes) or, when a field is wrong, the field's error (it stays
 * open). The form's check is the same zod schema `declareIncident` uses, run without I/O.
 */

const BUTTONS: Record<string, ButtonKind> = Object.fromEntries(BUTTON_ACTIONS.map((a) => [ACTION_IDS[a], a]));

export function registerInteractions(app: App, ctx: SlackContext): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: new RegExp(`^(${Object.keys(BUTTONS).join('|')})$`) }, async ({ ack, body, action, context }) => {
    await ack();
    await ctx.work.run(async () => {
      if (await isReplay(ctx, body, context, body.response_url)) return;
      await onButton(ctx, body, action);
    });
  });
  app.view<ViewSubmitAction>({ callback_id: new RegExp(`^(${UPDATE_CALLBACK_ID}|${NOTICE_CALLBACK_ID})$`) }, async ({ ack, body, view, context }) => {
    const text = formText(view);
    if (!text.trim()) {
      await ack({ response_action: 'errors', errors: { text: ctx.deps.t('form.empty') } });
      return;
    }
    await ack();
    await ctx.work.run(async () => {
      if (await isReplay(ctx, body, context, readFormMeta(view)?.responseUrl)) return;
      await onTextFormSubmitted(ctx, body, view, text);
    });
  });
  app.view<ViewSubmitAction>(DECLARE_CALLBACK_ID, async ({ ack, body, view, context }) => {
    const form = readDeclareForm(view);
    const errors = formErrors(ctx.deps, form);
    if (errors) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await ctx.work.run(async () => {
      if (await isReplay(ctx, body, context, readDeclareMeta(view).responseUrl)) return;
      await onDeclareSubmitted(ctx, body, view, form);
    });
  });
}

/**
 * A signed interaction seen before (a replayed button press or form submission) is acknowledged
 * (above) and not run twice (replay.ts). Only the first of a form's submissions declares.
 */
async function isReplay(ctx: SlackContext, body: BlockAction | ViewSubmitAction, context: Record<string, unknown>, responseUrl: string | undefined): Promise<boolean> {
  const teamId = body.team?.id ?? body.user.team_id;
  const where = { workspace: workspaceOf(teamId), user: body.user.id, kind: body.type };
  try {
    return !(await firstDelivery(ctx, replayKeys(teamId, context, body.trigger_id), where));
  } catch (err) {
    await replyTo(ctx.chat, ctx.log, { workspace: where.workspace, userId: body.user.id, ...(responseUrl ? { responseUrl } : {}) }, errorReply(ctx.deps, err, where));
    return true;
  }
}

/** Acknowledge / Escalate on a page DM; the button's value is the incident number (Escalate's also its step). */
async function onButton(ctx: SlackContext, body: BlockAction<ButtonAction>, action: ButtonAction): Promise<void> {
  const workspace = workspaceOf(body.team?.id ?? body.user.team_id);
  const user = { id: body.user.id, name: body.user.name ?? body.user.username ?? body.user.id };
  const target = { workspace, userId: user.id, ...(body.response_url ? { responseUrl: body.response_url } : {}) };
  const kind = BUTTONS[action.action_id];
  if (!kind) return;
  // Post update and a notice's Edit open a form: trigger_id lives 3 s, so before anything else.
  if (kind === 'update' || noticeButton(kind)?.edit) {
    const opened = await openButtonForm(ctx, body, kind, action.value ?? '', user, target);
    if (opened) return;
  }
  let text: string;
  try {
    // Named as everywhere else (people.ts); the form above opened first, within trigger_id's 3 s.
    const named = await slackActor(ctx.chat, workspace, user.id, user.name);
    text = await pressButton(ctx.deps, { workspace, user: named, action: kind, value: action.value ?? '' });
  } catch (err) {
    text = errorReply(ctx.deps, err, { platform: 'slack', workspace, button: kind, user: user.id }).text;
  }
  await replyTo(ctx.chat, ctx.log, target, { text });
}

async function onDeclareSubmitted(ctx: SlackContext, body: ViewSubmitAction, view: ViewOutput, form: DeclareForm): Promise<void> {
  const workspace = workspaceOf(body.team?.id ?? body.user.team_id);
  const user = await slackActor(ctx.chat, workspace, body.user.id, body.user.name);
  const meta = readDeclareMeta(view);
  let reply;
  try {
    reply = await declareIncident(ctx.deps, workspace, user, form);
  } catch (err) {
    reply = errorReply(ctx.deps, err, { platform: 'slack', workspace, command: 'declare-form', user: user.id });
  }
  await replyTo(ctx.chat, ctx.log, { workspace, userId: user.id, ...(meta.responseUrl ? { responseUrl: meta.responseUrl } : {}) }, reply);
}

/**
 * Opens the form a button stands for; false when the button is not for this incident any more
 * (the ordinary answer then says why). A refusal (not allowed, no channel) is the answer instead.
 */
async function openButtonForm(ctx: SlackContext, body: BlockAction<ButtonAction>, kind: ButtonKind, value: string, user: Actor, target: ReplyTarget): Promise<boolean> {
  const meta = { channelId: body.channel?.id ?? '', ...(body.response_url ? { responseUrl: body.response_url } : {}) };
  try {
    if (kind === 'update') {
      const number = parseButtonValue(value)?.number;
      if (!number || !(await ctx.deps.store.get({ workspace: target.workspace, number }))) return false;
      await ctx.chat.openView(body.trigger_id, updateForm(ctx.deps, { ...meta, ref: incidentRef(number) }));
      return true;
    }
    const audience = noticeButton(kind)?.audience;
    const found = audience ? await noticeButtonIncident(ctx.deps, target.workspace, user, value) : null;
    if (!audience || !found) return false;
    requireNoticeChannel(ctx.deps.config, audience, ctx.deps.t);
    const draft = await noticeDraft(ctx.deps, found.incident, audience);
    await ctx.chat.openView(body.trigger_id, noticeForm(ctx.deps, { ...meta, ref: found.incident.ref, audience }, draft));
  } catch (err) {
    await replyTo(ctx.chat, ctx.log, target, errorReply(ctx.deps, err, { platform: 'slack', workspace: target.workspace, button: kind, user: user.id }));
  }
  return true;
}

/** A submitted update or notice form: the command it stands for, as its author typed it. */
async function onTextFormSubmitted(ctx: SlackContext, body: ViewSubmitAction, view: ViewOutput, text: string): Promise<void> {
  const workspace = workspaceOf(body.team?.id ?? body.user.team_id);
  const user = await slackActor(ctx.chat, workspace, body.user.id, body.user.name);
  const meta = readFormMeta(view);
  const line = meta && submittedCommand(view.callback_id, meta, text);
  if (!meta || !line) return;
  const reply = await dispatch(ctx.deps, ctx.commands, { platform: 'slack', workspace, channelId: meta.channelId, user, text: line });
  await replyTo(ctx.chat, ctx.log, { workspace, userId: user.id, ...(meta.responseUrl ? { responseUrl: meta.responseUrl } : {}) }, reply);
}
