import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import MarkdownIt from 'markdown-it';
import { raw, type Html } from './html.js';

/**
 * An incident's postmortem on its page: the Markdown file the bot wrote (inc.postmortemPath),
 * rendered by markdown-it with raw HTML off (a `<script>` in the file shows as text) and
 * markdown-it's own link check (javascript:, vbscript:, file: and non-image data: links are not
 * made into links). Only files under the configured postmortem folder are read.
 */

const md = new MarkdownIt({ html: false, linkify: false });
// A table column's alignment as a class, not `style="text-align:…"`: the CSP allows no inline style.
for (const rule of ['th_open', 'td_open'] as const) {
  md.renderer.rules[rule] = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    const align = /text-align:\s*(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1];
    if (align) {
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      token.attrJoin('class', `align-${align}`);
    }
    return self.renderToken(tokens, idx, options);
  };
}
// Links in a postmortem go elsewhere: they open without telling that page who sent the reader.
const linkOpen = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return linkOpen ? linkOpen(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
};

/** Largest postmortem file shown. */
export const MAX_POSTMORTEM_BYTES = 1024 * 1024;

/** Markdown as safe HTML for `raw`: markdown-it escapes any HTML in the text. */
export function renderMarkdown(text: string): Html {
  return raw(md.render(text));
}

/** Whether `path` names a Markdown file inside `dir` (both resolved against the working directory). */
export function insideFolder(path: string, dir: string): boolean {
  const folder = resolve(dir);
  const file = resolve(path);
  return file.startsWith(folder + sep) && file.toLowerCase().endsWith('.md');
}

export type PostmortemText = { kind: 'text'; markdown: string } | { kind: 'missing' } | { kind: 'unreadable' };

/** The postmortem file's text, or why there is none to show. */
export async function readPostmortem(path: string | undefined, dir: string): Promise<PostmortemText> {
  if (!path) return { kind: 'missing' };
  if (!insideFolder(path, dir)) return { kind: 'unreadable' };
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_POSTMORTEM_BYTES) return { kind: 'unreadable' };
    return { kind: 'text', markdown: await readFile(path, 'utf8') };
  } catch {
    return { kind: 'unreadable' };
  }
}
