import { clockMinutes, instantToWall, isTimeZone, parseTimestamp, wallToInstant } from './rotation-schema.js';
import { addDays, wallAt } from './rotation.js';

/** `--at` for `/incident oncall` and `/incident policy`: a moment people can type. */

const HOUR = 3_600_000;

const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function weekdayIndex(word: string): number {
  return WEEKDAY_NAMES.findIndex((name) => name === word || name.slice(0, 3) === word);
}

/**
 * Reads `--at`: `now`; `+2h`, `+3d`, `+1w` (days and weeks keep the local clock reading);
 * an ISO date or time, local to `timeZone` unless it carries `Z` or an offset; `today 09:00`,
 * `tomorrow 09:00`; `mon 09:00` or `monday 09:00`, the next time that weekday shows that clock
 * reading after `now` (later today when today is Monday before 09:00). Null for anything else.
 */
export function parseWhen(text: string, timeZone: string, now: Date): Date | null {
  if (!isTimeZone(timeZone)) return null;
  const s = text.trim().toLowerCase();
  const t = now.getTime();
  if (s === 'now') return new Date(t);
  const relative = /^\+(\d{1,4})([hdw])$/.exec(s);
  if (relative) {
    const n = Number(relative[1]);
    if (relative[2] === 'h') return new Date(t + n * HOUR);
    const wall = instantToWall(t, timeZone);
    const date = addDays(wall, relative[2] === 'w' ? 7 * n : n);
    return new Date(wallToInstant({ ...wall, ...date }, timeZone));
  }
  const named = /^([a-z]+)\s+(\d{1,2}:\d{2})$/.exec(s);
  if (named) return dayAndClock(named[1] ?? '', named[2] ?? '', timeZone, t);
  const stamp = parseTimestamp(s, timeZone);
  return stamp === null ? null : new Date(stamp);
}

function dayAndClock(word: string, clock: string, timeZone: string, t: number): Date | null {
  const minutes = clockMinutes(clock);
  if (Number.isNaN(minutes)) return null;
  const wall = instantToWall(t, timeZone);
  if (word === 'today' || word === 'tomorrow') return new Date(wallAt(addDays(wall, word === 'today' ? 0 : 1), minutes, timeZone));
  const weekday = weekdayIndex(word);
  if (weekday < 0) return null;
  for (let d = 0; d <= 7; d++) {
    if ((wall.weekday + d) % 7 !== weekday) continue;
    const candidate = wallAt(addDays(wall, d), minutes, timeZone);
    if (candidate > t) return new Date(candidate);
  }
  return null;
}
