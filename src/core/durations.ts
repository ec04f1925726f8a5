import { translator, type Translate } from './i18n/index.js';

/**
 * Durations and wall-clock times as people read them. Pure: times come in as ISO strings and are
 * shown in an IANA time zone through Intl, so DST and offsets are the platform's business.
 */

const MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;
const EN = translator('en');

/**
 * "under a minute", "47 min", "2 h", "2 h 15 min", "1 d", "1 d 3 h". Whole minutes, rounded down
 * (an incident of 47 min 59 s lasted "47 min"); days drop the minutes. Negative or non-finite
 * input reads as "under a minute".
 */
export function formatDuration(ms: number, t: Translate = EN): string {
  if (!Number.isFinite(ms) || ms < MINUTE) return t('word.duration.under_minute');
  const total = Math.floor(ms / MINUTE);
  const d = Math.floor(total / MINUTES_PER_DAY);
  const h = Math.floor((total % MINUTES_PER_DAY) / 60);
  const m = total % 60;
  if (d > 0) return h > 0 ? t('word.duration.days_hours', { d, h }) : t('word.duration.days', { d });
  if (h > 0) return m > 0 ? t('word.duration.hours_minutes', { h, m }) : t('word.duration.hours', { h });
  return t('word.duration.minutes', { m });
}

/** Milliseconds from one ISO time to another (negative when `to` is earlier). */
export function between(from: string, to: string): number {
  return Date.parse(to) - Date.parse(from);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(iso: string, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${iso}`);
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for an unknown zone, which is what a config check wants to hear.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of f.formatToParts(date)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  return out;
}

/** "2025-12-26 09:47" in `timeZone`. */
export function formatTime(iso: string, timeZone: string): string {
  const p = parts(iso, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "2025-12-26" in `timeZone`. */
export function formatDate(iso: string, timeZone: string): string {
  const p = parts(iso, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "09:47" in `timeZone`. */
export function formatClock(iso: string, timeZone: string): string {
  const p = parts(iso, timeZone);
  return `${p.hour}:${p.minute}`;
}
