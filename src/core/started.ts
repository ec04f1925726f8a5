import { formatClock, formatDate, formatTime } from './durations.js';
import { IncidentError } from './errors.js';
import { clockMinutes, instantToWall, parseTimestamp } from './rotation-schema.js';
import { wallAt } from './rotation.js';

/**
 * `/incident declare … --started <when>`: when the impact began, for the postmortem's time to
 * detect. People type it minutes after the fact, so three forms: a clock reading today
 * (`14:02`), a date and time (`2026-12-01T14:02`, local to the configured zone unless it names
 * `Z` or an offset), or how long ago (`20m`, `2h`, `1h30m`, `90s`).
 */

const DAY = 86_400_000;
/**
 * How far back `--started` may go. An incident is declared minutes or hours after its impact
 * began, days at most; `9999d` or a mistyped year is a typo, and taken as given it would make
 * the time to detect, and every median the stats compute from it, absurd.
 */
export const MAX_STARTED_DAYS = 30;
/** Days, hours, minutes, seconds: the groups of AGO, in order. */
const UNIT_MS = [DAY, 3_600_000, 60_000, 1_000] as const;
const AGO = /^(?:(\d{1,4})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/;
const CLOCK = /^\d{1,2}:\d{2}$/;

/**
 * The instant `text` names, at or before `now` and at most MAX_STARTED_DAYS before it. A clock reading still ahead today is refused,
 * not taken as yesterday's: a clock typed in another zone than the configured one would
 * otherwise turn, silently, into a time almost a day early.
 */
export function parseStarted(text: string, timeZone: string, now: Date): Date {
  const value = text.trim().toLowerCase();
  const at = instantOf(value, timeZone, now.getTime());
  if (at === null || !Number.isFinite(at)) throw new IncidentError('bad_started', { value: text, tz: timeZone });
  if (at > now.getTime()) {
    const iso = new Date(at).toISOString();
    throw new IncidentError('started_in_future', {
      value: text,
      time: formatTime(iso, timeZone),
      tz: timeZone,
      clock: formatClock(iso, timeZone),
      yesterday: formatDate(new Date(now.getTime() - DAY).toISOString(), timeZone),
    });
  }
  if (now.getTime() - at > MAX_STARTED_DAYS * DAY) {
    throw new IncidentError('started_too_early', { value: text, time: formatTime(new Date(at).toISOString(), timeZone), tz: timeZone, max: MAX_STARTED_DAYS });
  }
  return new Date(at);
}

function instantOf(value: string, timeZone: string, now: number): number | null {
  if (CLOCK.test(value)) {
    const minutes = clockMinutes(value);
    if (Number.isNaN(minutes)) return null;
    const { year, month, day } = instantToWall(now, timeZone);
    return wallAt({ year, month, day }, minutes, timeZone);
  }
  const ago = AGO.exec(value);
  if (ago && value !== '') {
    const ms = ago.slice(1).reduce((sum, n, i) => sum + Number(n ?? 0) * (UNIT_MS[i] ?? 0), 0);
    return now - ms;
  }
  return parseTimestamp(value, timeZone);
}
