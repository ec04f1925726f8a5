/**
 * Escaping user text for the Markdown files the bot writes (the postmortem draft), by context.
 * What a title, a note or a display name contains must read as typed and do nothing else: open no
 * heading, list, quote, table row or code block, and carry no raw HTML, link or image. The rules
 * are CommonMark's and GFM's (what GitHub, GitLab and editor previews render). Escaping is kept to
 * the characters that can do something where they stand, so ordinary text such as "rollback to
 * v1.2" or "error rate 45% → 5%" is written unchanged.
 */

/**
 * Every line ending a Markdown parser or a JavaScript regex may honour: CR alone is one in
 * CommonMark, U+2028/U+2029 are in JS, so a lone one could still start a new block somewhere.
 */
const LINE_BREAK = /[ \t]*(?:\r\n|[\n\r\v\f\u0085\u2028\u2029])\s*/g;

/** Always escaped: emphasis, code spans, links and images, table cells, strikethrough. */
const ALWAYS = new Set(['`', '*', '[', ']', '|', '~']);
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
/** `&` that would be read as an entity (`&lt;`, `&#60;`); a plain "R&D" is left alone. */
const ENTITY = /^&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/;
/**
 * What opens a block when it starts a line (or a list item's content): an ATX heading, a bullet or
 * ordered list marker, a setext underline or a thematic break. `#5` and `1.2` open nothing.
 */
const BLOCK_START = /^(?:#{1,6}(?=[ \t]|$)|[+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|[=-]+[ \t]*$|-(?:[ \t]*-){2,}[ \t]*$)/;

/** One line: every line break, with the blanks around it, becomes `joiner`. */
export function singleLine(text: string, joiner = ' '): string {
  return text.trim().replace(LINE_BREAK, joiner);
}

function escapeChar(text: string, i: number): string {
  const c = text[i] ?? '';
  if (ALWAYS.has(c)) return `\\${c}`;
  if (c === '<') return '&lt;';
  if (c === '>') return '&gt;';
  // A backslash is literal unless punctuation (maybe one of our escapes) follows it.
  if (c === '\\') return i + 1 === text.length || ASCII_PUNCT.test(text[i + 1] ?? '') ? '\\\\' : c;
  if (c === '&') return ENTITY.test(text.slice(i, i + 40)) ? '&amp;' : c;
  // `_` between two letters or digits (snake_case, orders_api) cannot open or close emphasis.
  if (c === '_') return WORD.test(text[i - 1] ?? '') && WORD.test(text[i + 1] ?? '') ? c : '\\_';
  return c;
}

/**
 * Running text on one line: a name, a title, an action item, the words of a list item or a table
 * cell (`|` is always escaped, so any of these may go in a cell). Line breaks become `joiner`; a
 * block marker at the start (`# `, `- `, `1. `, `===`) is escaped too, in case a template puts the
 * text first on its line.
 */
export function inline(text: string, joiner = ' '): string {
  const line = singleLine(text, joiner);
  let out = '';
  for (let i = 0; i < line.length; i++) out += escapeChar(line, i);
  const start = BLOCK_START.exec(out)?.[0];
  if (!start) return out;
  // `1.` keeps its number: escaping the dot or parenthesis is what stops it being a list marker.
  const digits = /^\d+/.exec(start)?.[0].length ?? 0;
  return `${out.slice(0, digits)}\\${out.slice(digits)}`;
}

/**
 * Text people may have written over several lines (a note, a summary, a reason), where it must
 * stay one list item or one cell: `inline`, each line break shown as ` / `.
 */
export function prose(text: string): string {
  return inline(text, ' / ');
}

/** Text inside an ATX heading: one line, and a trailing `#` run is not taken as the closing sequence. */
export function headingText(text: string): string {
  return inline(text).replace(/(^|[ \t])(#+)([ \t]*)$/, (_all, before: string, hashes: string, after: string) => {
    return before + hashes.replace(/#/g, '\\#') + after;
  });
}

/**
 * A fenced code block that shows `body` verbatim: the fence is longer than any backtick run in
 * it, so no line of the body can close the block early.
 */
export function codeBlock(body: string, info = ''): string[] {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence + info, body, fence];
}
