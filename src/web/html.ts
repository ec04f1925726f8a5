/**
 * HTML for the dashboard's server-rendered pages: a tagged template that escapes every
 * interpolated value unless it is already `Html` (the result of another `html` or `raw`).
 * User text (titles, notes, names) can never become markup: it is escaped here, always.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

/** `html\`<p>${text}</p>\``: values escaped, arrays joined, null/undefined/booleans dropped. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new Html(out);
}

/** Markup that is already safe (rendered Markdown from markdown-it with html off, an inline SVG we drew). */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** A query string from the set values of `params` (empty ones left out), with a leading `?` when any. */
export function queryString(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
