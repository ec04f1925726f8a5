import type { ApiCall, FakeSlack } from '../fakes/fake-slack.js';

/**
 * Reading what the bot posted to FakeSlack the way a person would see it: the text of a message
 * (its blocks, else its fallback), its buttons, the messages in one channel or one person's DM.
 */

interface Block {
  type: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { type?: string; text?: string | { text?: string }; action_id?: string; value?: string }[];
}

export function blocksOf(call: ApiCall): Block[] {
  return Array.isArray(call.params.blocks) ? (call.params.blocks as Block[]) : [];
}

/** Everything a reader sees in a posted message: sections, fields, footer, button labels. */
export function shownText(call: ApiCall): string {
  const blocks = blocksOf(call);
  if (blocks.length === 0) return String(call.params.text ?? '');
  return blocks
    .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text?.text))])
    .filter(Boolean)
    .join('\n');
}

export function buttonsOf(call: ApiCall): { actionId: string; value: string }[] {
  return blocksOf(call)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => ({ actionId: String(e.action_id), value: String(e.value) }));
}

/** Successful chat.postMessage calls into a channel id. */
export function postsIn(fake: FakeSlack, channelId: string): ApiCall[] {
  return fake.callsTo('chat.postMessage', (c) => c.answer?.ok === true && c.answer.channel === channelId);
}

/** Successful chat.postMessage calls that landed in a person's DM with the bot. */
export function dmsTo(fake: FakeSlack, userId: string): ApiCall[] {
  return postsIn(fake, fake.workspace.dmWith(userId).id);
}

/** The `ts` Slack gave a posted message: its id for reactions, pins and updates. */
export function tsOf(call: ApiCall): string {
  return String(call.answer?.ts);
}
