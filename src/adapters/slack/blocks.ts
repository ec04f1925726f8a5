import type { types } from '@slack/bolt';
import type { MessageAction, OutboundMessage } from '../../core/ports.js';
import { escapeForSlack } from './mrkdwn.js';

/**
 * Neutral messages to Block Kit. The neutral markup (`*bold*`, `_italic_`, `<@U1>`, `<#C1>`) is
 * already Slack mrkdwn, so rendering is mostly about Slack's limits: a section holds 3000
 * characters and 10 fields, a message 50 blocks, and `text` stays as the notification fallback.
 */

type Block = types.KnownBlock;

/** Button action ids: the interaction handler routes on these. */
export const ACTION_IDS: Record<MessageAction['id'], string> = {
  ack: 'incident_ack',
  escalate: 'incident_escalate',
  declare: 'incident_declare',
  resolve: 'incident_resolve',
  update: 'incident_update',
  snooze_15: 'incident_snooze_15',
  snooze_60: 'incident_snooze_60',
  take_comms: 'incident_take_comms',
  take_scribe: 'incident_take_scribe',
  notice_internal: 'incident_notice_internal',
  notice_external: 'incident_notice_external',
  notice_edit_internal: 'incident_notice_edit_internal',
  notice_edit_external: 'incident_notice_edit_external',
  no_followups: 'incident_no_followups',
  add_followup: 'incident_add_followup',
};

const SECTION_LIMIT = 3000;
const FIELD_LIMIT = 2000;
const FIELDS_PER_SECTION = 10;
const MAX_BLOCKS = 50;
/** chat.postMessage truncates `text` at 40 000 characters. */
const TEXT_LIMIT = 39_000;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Markdown headings (the postmortem draft) have no mrkdwn form: they become bold lines. */
export function toMrkdwn(text: string): string {
  return text.replace(/^#{1,6} +(.+)$/gm, '*$1*').replace(/\*\*([^*\n]+)\*\*/g, '*$1*');
}

export function renderMessage(neutral: OutboundMessage): SlackMessage {
  // Escaped once, here, for every part of the message: user text can't bypass it.
  const message = escapeMessage(neutral);
  const blocks: Block[] = chunks(toMrkdwn(message.text), SECTION_LIMIT).map((part) => ({ type: 'section', text: { type: 'mrkdwn', text: part } }));
  const fields = message.fields ?? [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    const group = fields.slice(i, i + FIELDS_PER_SECTION);
    blocks.push({ type: 'section', fields: group.map((f) => ({ type: 'mrkdwn', text: clip(`*${f.label}*\n${f.value}`, FIELD_LIMIT) })) });
  }
  const tail: Block[] = [];
  if (message.footer) tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(message.footer, SECTION_LIMIT) }] });
  if (message.actions?.length) tail.push({ type: 'actions', elements: message.actions.map(button) });
  // Buttons and the footer matter more than the end of a very long text.
  const room = MAX_BLOCKS - tail.length;
  return { text: clip(message.text, TEXT_LIMIT), blocks: [...blocks.slice(0, room), ...tail] };
}

function escapeMessage(m: OutboundMessage): OutboundMessage {
  return {
    ...m,
    text: escapeForSlack(m.text),
    ...(m.fields ? { fields: m.fields.map((f) => ({ label: escapeForSlack(f.label), value: escapeForSlack(f.value) })) } : {}),
    ...(m.footer ? { footer: escapeForSlack(m.footer) } : {}),
  };
}

function button(a: MessageAction): types.Button {
  return {
    type: 'button',
    action_id: ACTION_IDS[a.id],
    text: { type: 'plain_text', text: clip(a.label, 75), emoji: true },
    value: a.value,
    ...(a.style ? { style: a.style } : {}),
  };
}

/** Splits at line breaks where possible, so a long postmortem keeps its lines whole. */
export function chunks(text: string, limit: number): string[] {
  if (!text) return [];
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf('\n', limit);
    const at = cut > limit / 2 ? cut : limit;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest) out.push(rest);
  return out;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
