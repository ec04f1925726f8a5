/**
 * What people type, made safe to store and show again (docs/security.md, "Limits"). Every
 * function here is one linear pass: they run on text of any size before anything is refused.
 *
 * Titles go into channel names, announcements and lists, where a character nobody can see
 * misleads: they are NFKC-normalized and lose control, zero-width and bidi characters. Free text
 * (notes, summaries, reasons, chat messages) keeps its line breaks, tabs, zero-width joiners (emoji
 * sequences, Persian ZWNJ) and the plain direction marks (LRM, RLM, ALM, which only nudge their
 * neighbours), and loses the controls and the bidi embeddings, overrides and isolates, which can
 * make stored text read differently from what it is ("Trojan Source").
 */

/** C0 and C1 controls, DEL included; tab and newline are told apart by the callers. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are removed.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const TAB_NEWLINE = /[\t\n]/g;
/** Bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
/** The plain direction marks LRM, RLM and ALM. */
const BIDI_MARKS = /[\u200e\u200f\u061c]/g;
/** Zero-width space, non-joiner, joiner, word joiner and the byte-order mark. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
/**
 * Hangul compatibility jamo (ㅋ, ㅠ) as Korean speakers type them alone: NFKC would turn them
 * into conjoining jamo, which fonts draw as broken syllables. The filler U+3164 is left out: it
 * is invisible and gets no protection.
 */
const COMPAT_JAMO_RUN = /[^\u3131-\u3163\u3165-\u318e]+/g;
/** Something a reader can see: not space, not a control, format, mark or unassigned code point, not a Hangul filler or braille blank. */
const VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{M}\u115f\u1160\u3164\uffa0\u2800]/u;

/** A title as it will be stored: NFKC, one line, no control, zero-width or bidi characters, spaces collapsed. */
export function cleanTitle(raw: string): string {
  return raw
    .replace(COMPAT_JAMO_RUN, (run) => run.normalize('NFKC'))
    .replace(TAB_NEWLINE, ' ')
    .replace(CONTROLS, '')
    .replace(ZERO_WIDTH, '')
    .replace(BIDI_CONTROLS, '')
    .replace(BIDI_MARKS, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether any character of the text would show. */
export function hasVisible(text: string): boolean {
  return VISIBLE.test(text);
}

/** The cleaned title, or null when nothing visible is left of it (the caller refuses it). */
export function visibleTitle(raw: string): string | null {
  const title = cleanTitle(raw);
  return hasVisible(title) ? title : null;
}

/** Free text as it will be stored: `\r\n` becomes `\n`; controls (but tab and newline) and bidi embeddings, overrides and isolates go. */
export function cleanText(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(CONTROLS, '').replace(BIDI_CONTROLS, '');
}

/** Length in characters as people count them (code points: an emoji is one, not two). */
export function charLength(text: string): number {
  let pairs = 0;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const p = text.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff) pairs++;
  }
  return text.length - pairs;
}

/**
 * The text cut to at most `max` characters, `marker` included, for what cannot be refused (a chat
 * message already posted). Never splits a surrogate pair.
 */
export function cutText(text: string, max: number, marker: string): string {
  if (text.length <= max || charLength(text) <= max) return text;
  const keep = Math.max(0, max - charLength(marker));
  let end = 0;
  for (let n = 0; n < keep && end < text.length; n++) {
    const c = text.charCodeAt(end);
    end += c >= 0xd800 && c <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, end).trimEnd() + marker;
}
