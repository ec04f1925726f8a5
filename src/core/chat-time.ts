import { formatClock, formatTime } from './durations.js';

/**
 * Times in chat messages, each reader in their own zone. The core writes a time as a neutral
 * token carrying the instant and a fallback text in the configured zone; each adapter renders it
 * in the platform's own form (Slack `<!date^…>`, Discord `<t:…>`), which every client shows in
 * its reader's zone, and the terminal shows the fallback. Records that outlive the chat (the
 * postmortem file) use durations.ts directly and name the zone instead.
 *
 * The token is delimited by STX and ETX (U+0002, U+0003). User text cannot hold those: cleanText
 * and cleanTitle (text.ts) remove every control character from what people type, alert text
 * included, so no title, note or chat message can forge a time; `<t:…>` or `<!date^…>` typed by
 * someone stays plain text, escaped by the adapter like any other.
 */

const OPEN = '\u0002';
const CLOSE = '\u0003';
/** `t:<unix seconds>:<f|t>|<fallback>` between the delimiters; the fallback holds no delimiter. */
// eslint-disable-next-line no-control-regex -- the delimiters are control characters so that nobody can type them.
const TOKEN = /\u0002t:(-?\d{1,15}):([ft])\|([^\u0002\u0003]*)\u0003/g;
// eslint-disable-next-line no-control-regex -- as above.
const STRAY = /[\u0002\u0003]/g;

/** `datetime`: date and time (the fallback is `2025-12-26 09:47`); `time`: the clock only (`09:47`). */
export type TimeStyle = 'datetime' | 'time';

export interface ChatTime {
  /** Seconds since the epoch. */
  unix: number;
  style: TimeStyle;
  /** The time in the configured zone, as durations.ts writes it. */
  fallback: string;
}

/** A time for a chat message: rendered per reader by the adapter, `fallback` where it cannot be. */
export function chatTime(iso: string, timeZone: string, style: TimeStyle = 'datetime'): string {
  const fallback = style === 'time' ? formatClock(iso, timeZone) : formatTime(iso, timeZone);
  const unix = Math.floor(Date.parse(iso) / 1000);
  return `${OPEN}t:${unix}:${style === 'time' ? 't' : 'f'}|${fallback}${CLOSE}`;
}

/**
 * Replaces every time token of a text with what `render` makes of it. A delimiter left alone (a
 * token cut by a length limit) is dropped, so no control character reaches a platform.
 */
export function renderTimes(text: string, render: (time: ChatTime) => string): string {
  if (!text.includes(OPEN) && !text.includes(CLOSE)) return text;
  return text
    .replace(TOKEN, (_, unix: string, style: string, fallback: string) => render({ unix: Number(unix), style: style === 't' ? 'time' : 'datetime', fallback }))
    .replace(STRAY, '');
}

/** The text with each time as its fallback, in the configured zone. */
export function plainTimes(text: string): string {
  return renderTimes(text, (time) => time.fallback);
}
