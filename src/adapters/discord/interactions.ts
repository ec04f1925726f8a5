import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, type ModalSubmitInteraction, type RepliableInteraction } from 'discord.js';
import type { Invocation, Reply } from '../../app/context.js';
import { dispatch, errorReply } from '../../app/dispatch.js';
import { runFollowUp } from '../../app/follow-up.js';
import { pressButton } from '../../app/reactions.js';
import { isDiscordCommand, subcommandText } from './command-layout.js';
import { invocationText } from './command-options.js';
import { showButtonForm, showUpdateForm, submittedCommand } from './forms.js';
import { actorInGuild, actorOf, type DiscordContext } from './context.js';
import { deferralsOf } from './deferrals.js';
import { parseButtonId, renderMessages, renderOne } from './render.js';
import { PLATFORM, workspaceOf } from './workspace.js';

/**
 * `/incident`, `/postmortem` and the page buttons. Discord drops an interaction not answered within 3 s, and
 * declaring an incident creates a channel, sets permissions and posts several messages, so
 * every interaction is deferred first, before any other work, and answered by editing the
 * deferred reply. The deferral is ephemeral: most answers are for the person alone; a public
 * answer is posted as a follow-up for the channel and the private placeholder removed. The one
 * exception is a form (forms.ts): a modal must be the first answer, so it is shown instead.
 */
export async function onInteraction(ctx: DiscordContext, i: Interaction): Promise<void> {
  if (i.isChatInputCommand() && isDiscordCommand(i.commandName)) return slashCommand(ctx, i);
  if (i.isModalSubmit()) return formSubmitted(ctx, i);
  if (i.isButton()) {
    const button = parseButtonId(i.customId);
    if (button) return pressed(ctx, i, button);
  }
}

/**
 * False when Discord refused the deferral (too late, or gone): then the work is not done either.
 * True once the deferral is in and no other deferral of this client is under way (deferrals.ts).
 */
async function defer(ctx: DiscordContext, i: RepliableInteraction): Promise<boolean> {
  const gate = deferralsOf(ctx.client);
  try {
    await gate.run(() => i.deferReply({ flags: MessageFlags.Ephemeral }));
  } catch (err) {
    ctx.log.warn({ err, interaction: i.id }, 'discord interaction could not be deferred; not run');
    return false;
  }
  await gate.quiet();
  return true;
}

async function slashCommand(ctx: DiscordContext, i: ChatInputCommandInteraction): Promise<void> {
  // Registered per guild only, so a DM cannot carry a command; nothing to answer there.
  if (!i.inGuild()) return;
  // `/postmortem done` runs `postmortem done`: the text command line the layout maps it to.
  const subcommand = subcommandText(i.commandName, i.options.getSubcommand(false) ?? 'help');
  const values = new Map<string, string | number | boolean>();
  for (const o of i.options.data[0]?.options ?? []) if (o.value !== undefined) values.set(o.name, o.value);
  // No text: the update form, which must be the first answer (no deferral before it).
  if (subcommand === 'update' && !String(values.get('text') ?? '').trim()) return showUpdateForm(ctx.deps, i, referenceOf(values.get('incident')));
  if (!(await defer(ctx, i))) return;
  const inv: Invocation = {
    platform: PLATFORM,
    workspace: workspaceOf(i.guildId),
    channelId: i.channelId,
    user: actorOf(i.user, i.member),
    text: invocationText(subcommand, values),
  };
  const reply = await dispatch(ctx.deps, ctx.commands, inv);
  await answer(i, reply, i.guildId);
  // After the answer (the stats chart upload); a note of its failure follows it, as private as it was.
  await runFollowUp(ctx.log, reply, async (note) => {
    for (const piece of renderMessages(note, i.guildId)) await i.followUp({ ...piece, ...(reply.public ? {} : { flags: MessageFlags.Ephemeral }) });
  });
}

async function answer(i: RepliableInteraction, reply: Reply, guildId: string): Promise<void> {
  const pieces = renderMessages(reply, guildId);
  if (reply.public) {
    for (const piece of pieces) await i.followUp(piece);
    await i.deleteReply();
    return;
  }
  const [first, ...more] = pieces;
  await i.editReply(first ?? { content: '…' });
  for (const piece of more) await i.followUp({ ...piece, flags: MessageFlags.Ephemeral });
}

/**
 * Acknowledge or Escalate on a page DM. DMs have no guild: the button's id carries it (a bot
 * serving a single guild also understands ids without one).
 */
async function pressed(ctx: DiscordContext, i: ButtonInteraction, b: NonNullable<ReturnType<typeof parseButtonId>>): Promise<void> {
  const only = ctx.guildIds();
  const guildId = b.guildId ?? i.guildId ?? (only.length === 1 ? only[0] : undefined);
  if (!guildId) return;
  const workspace = workspaceOf(guildId);
  const user = actorInGuild(ctx.client, guildId, i.user, i.member);
  if (await showButtonForm(ctx.deps, i, b, workspace, user, guildId)) return;
  if (!(await defer(ctx, i))) return;
  let text: string;
  try {
    text = await pressButton(ctx.deps, { workspace, user, action: b.action, value: b.value });
  } catch (err) {
    text = errorReply(ctx.deps, err, { platform: PLATFORM, workspace, button: b.action, user: i.user.id }).text;
  }
  await i.editReply(renderOne({ text }, guildId));
}

/** `INC-7` as typed in the `incident` option, or nothing. */
function referenceOf(value: string | number | boolean | undefined): string | undefined {
  const ref = String(value ?? '').trim().toUpperCase();
  return /^INC-\d{1,15}$/.test(ref) ? ref : undefined;
}

/** A submitted update or notice form: the command it stands for, as its author typed it, answered privately. */
async function formSubmitted(ctx: DiscordContext, i: ModalSubmitInteraction): Promise<void> {
  if (!i.inGuild()) return;
  const line = submittedCommand(i);
  if (line === null) return;
  if (!(await defer(ctx, i))) return;
  if (!line) return answer(i, { text: ctx.deps.t('form.empty') }, i.guildId);
  const inv: Invocation = { platform: PLATFORM, workspace: workspaceOf(i.guildId), channelId: i.channelId ?? '', user: actorOf(i.user, i.member), text: line };
  await answer(i, await dispatch(ctx.deps, ctx.commands, inv), i.guildId);
}
