import { createHash } from 'node:crypto';
import type { Translate } from './i18n/index.js';

/**
 * How a postmortem draft is posted in the channel (`/incident postmortem`, issue 12): whole, or,
 * when longer than POST_LIMIT, where it is saved and its first lines. Slack cuts a message's text
 * at 40 000 characters and Discord would split a long draft into dozens of messages; the file
 * has all of it.
 */
export const POST_LIMIT = 30_000;
/** How many lines of a long draft the channel is shown. */
const HEAD_LINES = 20;

export function draftText(t: Translate, ref: string, markdown: string, path: string): string {
  if (markdown.length <= POST_LIMIT) return `${t('pm.posted_intro', { ref })}\n\n${markdown}`;
  const head = markdown.split('\n').slice(0, HEAD_LINES).join('\n');
  return `${t('pm.posted_long', { ref, chars: markdown.length, path })}\n\n${head}\n…`;
}

/**
 * What "the same draft" is for `/incident postmortem` (posted again only when it changed): the
 * draft without its footer line (`footer`, as rendered), whose written-on date moves every day
 * with nothing else changed, and where it is saved (a long draft's post names it).
 */
export function draftDigest(markdown: string, footer: string, path: string): string {
  const at = markdown.lastIndexOf(footer);
  const body = at === -1 ? markdown : markdown.slice(0, at) + markdown.slice(at + footer.length);
  return createHash('sha256').update(path).update('\0').update(body).digest('hex');
}
