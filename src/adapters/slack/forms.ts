import type { types, ViewOutput } from '@slack/bolt';
import type { Deps } from '../../app/context.js';
import { plainTimes } from '../../core/chat-time.js';
import type { NoticeAudience } from '../../core/model.js';
import { NOTICE_MAX, parseAudience } from '../../core/notice.js';
import { cutText } from '../../core/text.js';
import { neutralText } from './translate.js';

/**
 * The one-field forms: a status update (`/incident update` with no text, or Post update on a
 * reminder) and an edited notice (Edit on a notice draft). A submission becomes the typed command
 * it stands for (`update INC-n <text>`, `notice INC-n internal --post <text>`) and goes through
 * dispatch like one, so the rules (who may, what is too long, which incident) are the command's.
 */

export const UPDATE_CALLBACK_ID = 'incident_update_form';
export const NOTICE_CALLBACK_ID = 'incident_notice_form';
const BLOCK = 'text';
const VALUE = 'value';
/** What a Slack text input holds. */
const INPUT_MAX = 3000;

/** What a submission needs from whoever opened the form: the incident, and where to answer. */
export interface FormMeta {
  /** `INC-n`: the submission names its incident, as a command typed anywhere would. */
  ref: string;
  channelId: string;
  responseUrl?: string;
  audience?: NoticeAudience;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: cutText(text, 24, '…'), emoji: true });

function textForm(callbackId: string, meta: FormMeta, title: string, label: string, submit: string, cancel: string, o: { max: number; initial?: string }): types.ModalView {
  const max = Math.min(o.max, INPUT_MAX);
  const element: types.PlainTextInput = { type: 'plain_text_input', action_id: VALUE, multiline: true, max_length: max, ...(o.initial ? { initial_value: cutText(o.initial, max, '…') } : {}) };
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(meta),
    title: plain(title),
    submit: plain(submit),
    close: plain(cancel),
    blocks: [{ type: 'input', block_id: BLOCK, label: { type: 'plain_text', text: label, emoji: true }, element }],
  };
}

export function updateForm(deps: Pick<Deps, 'config' | 't'>, meta: FormMeta): types.ModalView {
  const { t } = deps;
  return textForm(UPDATE_CALLBACK_ID, meta, t('form.update_title'), t('form.update_field'), t('form.post'), t('form.cancel'), { max: deps.config.limits.text });
}

/** The notice form, filled with the draft: times as text in the configured zone (a text input shows no dates). */
export function noticeForm(deps: Pick<Deps, 'config' | 't'>, meta: FormMeta & { audience: NoticeAudience }, draft: string): types.ModalView {
  const { t } = deps;
  const title = t('form.notice_title', { audience: t(`word.audience.${meta.audience}`) });
  return textForm(NOTICE_CALLBACK_ID, meta, title, t('form.notice_field'), t('form.post'), t('form.cancel'), { max: Math.min(deps.config.limits.text, NOTICE_MAX), initial: plainTimes(draft) });
}

/** The text written in a form, in the neutral markup the commands read. */
export function formText(view: ViewOutput): string {
  return neutralText(view.state.values[BLOCK]?.[VALUE]?.value ?? '');
}

export function readFormMeta(view: ViewOutput): FormMeta | null {
  try {
    const meta = JSON.parse(view.private_metadata) as Partial<FormMeta>;
    const ref = String(meta.ref ?? '');
    if (!/^INC-\d{1,15}$/.test(ref)) return null;
    const audience = parseAudience(meta.audience);
    return { ref, channelId: String(meta.channelId ?? ''), ...(meta.responseUrl ? { responseUrl: String(meta.responseUrl) } : {}), ...(audience ? { audience } : {}) };
  } catch {
    return null;
  }
}

/** The command a submitted form stands for. */
export function submittedCommand(callbackId: string, meta: FormMeta, text: string): string | null {
  if (callbackId === UPDATE_CALLBACK_ID) return `update ${meta.ref} ${text}`;
  if (callbackId === NOTICE_CALLBACK_ID && meta.audience) return `notice ${meta.ref} ${meta.audience} --post ${text}`;
  return null;
}
