import { MessageFlags, type APIModalInteractionResponseCallbackData, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import type { Deps } from '../../app/context.js';
import { errorReply } from '../../app/dispatch.js';
import { noticeButton, noticeButtonIncident, noticeDraft, requireNoticeChannel } from '../../app/notice.js';
import { plainTimes } from '../../core/chat-time.js';
import { incidentRef, type Actor, type NoticeAudience } from '../../core/model.js';
import { NOTICE_MAX, parseAudience } from '../../core/notice.js';
import { parseButtonValue } from '../../core/paging-effects.js';
import type { ButtonAction } from '../../core/ports.js';
import { cutText } from '../../core/text.js';
import { renderOne } from './render.js';
import { PLATFORM } from './workspace.js';

/**
 * The one-field forms on Discord (modals): a status update (`/incident update` with no text, or
 * Post update on a reminder) and an edited notice (Edit on a notice draft). A modal must be the
 * interaction's first answer, so these open before any deferral; a submission is a new
 * interaction (MODAL_SUBMIT) that becomes the typed command it stands for and goes through
 * dispatch like one (`update INC-n <text>`, `notice INC-n internal --post <text>`).
 */

const PREFIX = 'incident-form';
const INPUT = 'text';
/** Discord's limits: a modal title and an input label hold 45 characters, a text input 4000. */
const TITLE_MAX = 45;
const INPUT_MAX = 4000;

type Form = { kind: 'update'; ref?: string } | { kind: 'notice'; ref: string; audience: NoticeAudience };

/** `incident-form:update:INC-7` or `incident-form:notice-internal:INC-7` (custom ids hold 100 characters). */
function formId(form: Form): string {
  return form.kind === 'update' ? `${PREFIX}:update:${form.ref ?? ''}` : `${PREFIX}:notice-${form.audience}:${form.ref}`;
}

export function parseFormId(customId: string): Form | null {
  const [head, kind, ref = ''] = customId.split(':');
  if (head !== PREFIX || (ref && !/^INC-\d{1,15}$/.test(ref))) return null;
  if (kind === 'update') return ref ? { kind, ref } : { kind };
  const audience = parseAudience(kind?.replace(/^notice-/, ''));
  return kind?.startsWith('notice-') && audience && ref ? { kind: 'notice', ref, audience } : null;
}

function modal(form: Form, title: string, label: string, max: number, value?: string): APIModalInteractionResponseCallbackData {
  const input = { type: 4, custom_id: INPUT, style: 2, label: cutText(label, TITLE_MAX, '…'), required: true, max_length: Math.min(max, INPUT_MAX), ...(value ? { value: cutText(value, Math.min(max, INPUT_MAX), '…') } : {}) };
  return { custom_id: formId(form), title: cutText(title, TITLE_MAX, '…'), components: [{ type: 1, components: [input] }] } as APIModalInteractionResponseCallbackData;
}

function updateModal(deps: Deps, ref: string | undefined): APIModalInteractionResponseCallbackData {
  return modal(ref ? { kind: 'update', ref } : { kind: 'update' }, deps.t('form.update_title'), deps.t('form.update_field'), deps.config.limits.text);
}

/** `/incident update` with no text: the form, for the incident named (or the channel's, found at submission). */
export async function showUpdateForm(deps: Deps, i: ChatInputCommandInteraction, ref: string | undefined): Promise<void> {
  await i.showModal(updateModal(deps, ref));
}

/**
 * Post update on a reminder, Edit on a notice draft: the form opens at once; a refusal (not
 * allowed, no channel configured) is answered instead. False for any other button.
 */
export async function showButtonForm(deps: Deps, i: ButtonInteraction, b: { action: ButtonAction; value: string }, workspace: string, user: Actor, guildId: string): Promise<boolean> {
  if (b.action === 'update') {
    const number = parseButtonValue(b.value)?.number;
    if (!number) return false;
    await i.showModal(updateModal(deps, incidentRef(number)));
    return true;
  }
  const kind = noticeButton(b.action);
  if (!kind?.edit) return false;
  try {
    const found = await noticeButtonIncident(deps, workspace, user, b.value);
    if (!found) return false;
    requireNoticeChannel(deps.config, kind.audience, deps.t);
    const draft = plainTimes(await noticeDraft(deps, found.incident, kind.audience));
    const title = deps.t('form.notice_title', { audience: deps.t(`word.audience.${kind.audience}`) });
    await i.showModal(modal({ kind: 'notice', ref: found.incident.ref, audience: kind.audience }, title, deps.t('form.notice_field'), Math.min(deps.config.limits.text, NOTICE_MAX), draft));
  } catch (err) {
    const reply = errorReply(deps, err, { platform: PLATFORM, workspace, button: b.action, user: user.id });
    await i.reply({ ...renderOne(reply, guildId), flags: MessageFlags.Ephemeral });
  }
  return true;
}

/** The command a submitted form stands for ('' when nothing was written), or null for a modal that is not ours. */
export function submittedCommand(i: ModalSubmitInteraction): string | null {
  const form = parseFormId(i.customId);
  if (!form) return null;
  const text = i.fields.getTextInputValue(INPUT).trim();
  if (!text) return '';
  if (form.kind === 'update') return ['update', form.ref, text].filter(Boolean).join(' ');
  return `notice ${form.ref} ${form.audience} --post ${text}`;
}
