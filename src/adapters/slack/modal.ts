import type { types, ViewOutput } from '@slack/bolt';
import type { Deps } from '../../app/context.js';
import { declareSchema, type DeclareForm } from '../../app/declare.js';
import { userErrorText } from '../../app/dispatch.js';
import { validate } from '../../core/args.js';
import { IncidentError } from '../../core/errors.js';
import { neutralText } from './translate.js';

/**
 * The declare form: what `/incident declare` with no title opens. Its fields are the flags of
 * the typed command (title, severity, service, summary, private), read back into the same
 * DeclareForm, so the form and the command declare through the same `declareIncident`.
 */

export const DECLARE_CALLBACK_ID = 'incident_declare';
const VALUE = 'value';
const FIELDS = ['title', 'sev', 'service', 'summary', 'private'] as const;

/** What the submission needs from the command that opened the form: where to answer. */
export interface DeclareMeta {
  channelId: string;
  responseUrl?: string;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const option = (text: string, value: string) => ({ text: plain(text.slice(0, 75)), value });

export function declareModal(deps: Pick<Deps, 'config' | 't'>, meta: DeclareMeta): types.ModalView {
  const { config, t } = deps;
  const severities = config.severities.map((s) => option(`${s.id} ${s.name}`, s.id));
  const initial = severities.find((o) => o.value === config.defaultSeverity);
  const services = config.services.slice(0, 100).map((s) => option(s.name ? `${s.id} (${s.name})` : s.id, s.id));
  const service: types.InputBlock['element'] = services.length
    ? { type: 'static_select', action_id: VALUE, options: services }
    : { type: 'plain_text_input', action_id: VALUE, max_length: 40 };
  return {
    type: 'modal',
    callback_id: DECLARE_CALLBACK_ID,
    private_metadata: JSON.stringify(meta),
    title: plain(t('form.title')),
    submit: plain(t('form.submit')),
    close: plain(t('form.cancel')),
    blocks: [
      { type: 'input', block_id: 'title', label: plain(t('form.field_title')), element: { type: 'plain_text_input', action_id: VALUE, max_length: 150 } },
      { type: 'input', block_id: 'sev', label: plain(t('form.field_severity')), element: { type: 'static_select', action_id: VALUE, options: severities.slice(0, 100), ...(initial ? { initial_option: initial } : {}) } },
      { type: 'input', block_id: 'service', optional: true, label: plain(t('form.field_service')), element: service },
      { type: 'input', block_id: 'summary', optional: true, label: plain(t('form.field_summary')), element: { type: 'plain_text_input', action_id: VALUE, multiline: true, max_length: 3000 } },
      {
        type: 'input',
        block_id: 'private',
        optional: true,
        label: plain(t('form.field_visibility')),
        element: { type: 'checkboxes', action_id: VALUE, options: [option(t('form.private'), 'private')] },
      },
    ],
  };
}

/** The submitted values as a DeclareForm; empty optional fields are left out so defaults apply. */
export function readDeclareForm(view: ViewOutput): DeclareForm {
  const v = (block: (typeof FIELDS)[number]) => view.state.values[block]?.[VALUE];
  const text = (block: (typeof FIELDS)[number]) => {
    const s = v(block)?.value ?? v(block)?.selected_option?.value ?? undefined;
    return s && s.trim() ? neutralText(s) : undefined;
  };
  const form: DeclareForm = { title: text('title') ?? '', private: (v('private')?.selected_options ?? []).some((o) => o.value === 'private') };
  for (const key of ['sev', 'service', 'summary'] as const) {
    const value = text(key);
    if (value !== undefined) form[key] = value;
  }
  return form;
}

export function readDeclareMeta(view: ViewOutput): DeclareMeta {
  try {
    const meta = JSON.parse(view.private_metadata) as Partial<DeclareMeta>;
    return { channelId: String(meta.channelId ?? ''), ...(meta.responseUrl ? { responseUrl: String(meta.responseUrl) } : {}) };
  } catch {
    return { channelId: '' };
  }
}

/**
 * Checks the form the way `declareIncident` will, without I/O, so a bad field is shown next to
 * the field inside the still-open form (a `response_action: errors` ack) instead of after it.
 */
export function formErrors(deps: Deps, form: DeclareForm): Record<string, string> | null {
  try {
    validate(declareSchema(deps.config), form, 'usage.declare');
    return null;
  } catch (err) {
    if (!(err instanceof IncidentError)) throw err;
    const parsed = declareSchema(deps.config).safeParse(form);
    const field = String((!parsed.success && parsed.error.issues[0]?.path[0]) || 'title');
    const block = (FIELDS as readonly string[]).includes(field) ? field : 'title';
    // The usage line is for the typed command; inside the form the field itself says what to enter.
    return { [block]: userErrorText(deps, err).replace(/\s*Usage:.*$/s, '').slice(0, 150) };
  }
}
