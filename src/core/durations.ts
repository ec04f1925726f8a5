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

/**
 * A duration a postmortem or a figure can use: "0 s", "45 s", "4 min 12 s" under ten minutes,
 * where seconds matter; from ten minutes on the forms of formatDuration ("47 min", "2 h 15 min",
 * "1 d 3 h"). Rounded down to the second; negative or non-finite input reads as "0 s".
 */
export function formatPreciseDuration(ms: number, t: Translate = EN): string {
  if (!Number.isFinite(ms) || ms < 0) return t('word.duration.seconds', { s: 0 });
  if (ms >= 10 * MINUTE) return formatDuration(ms, t);
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m === 0) return t('word.duration.seconds', { s });
  return s > 0 ? t('word.duration.minutes_seconds', { m, s }) : t('word.duration.minutes', { m });
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
  // issue 12 (bench): formatToParts is the cost of a long timeline; the parts of a minute are remembered.
  const ms = date.getTime();
  const minute = ms >= WHOLE_MINUTE_OFFSETS ? Math.floor(ms / 60_000) : -1;
  let zone = minuteParts.get(timeZone);
  const known = minute >= 0 ? zone?.get(minute) : undefined;
  if (known) return known;
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of f.formatToParts(date)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  if (minute >= 0) {
    if (!zone || zone.size >= MINUTE_PARTS_MAX) minuteParts.set(timeZone, (zone = new Map()));
    zone.set(minute, out);
  }
  return out;
}

/**
 * Wall-clock parts by zone and UTC minute. Only from 1973 on, when every zone's offset is a whole
 * number of minutes (Africa/Monrovia's -0:44:30 ended in 1972): then one UTC minute is one local
 * minute. Bounded, so a process that formats many distinct minutes keeps a small map.
 */
const minuteParts = new Map<string, Map<number, Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>>>();
const MINUTE_PARTS_MAX = 20_000;
const WHOLE_MINUTE_OFFSETS = Date.UTC(1973, 0, 1);

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
