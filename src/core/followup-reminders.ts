import { DateTime } from 'luxon';
import type { FollowupEntry, ReminderKind } from './followups.js';

/**
 * When the owner of an open follow-up is reminded (issue 12). Pure.
 *
 * Reminders go out at a working hour of the configured zone, not at the due instant (a typed
 * `--due` date is due at 23:59:59.999): the calendar day before the due date at `hour`
 * (`followups.digest.hour`, 09:00 without a digest), the calendar day after it at that hour
 * ("overdue"), then weekly at that hour until it is done. Days are counted in the zone with
 * luxon, so a DST change keeps the hour. The day-before reminder is left out for an item added
 * after its time (its owner just took it on). An item without an owner or due date, or of a
 * drill (practice), gets none. Only the latest reminder that fell due is ever sent late (a
 * restart, a lost job): nobody gets three weekly reminders at once.
 */

const WEEK_MS = 7 * 86_400_000;

/** The zone and hour reminders are sent at. */
export interface ReminderClock {
  timeZone: string;
  hour: number;
}

export interface Reminder {
  kind: ReminderKind;
  /** When it is sent, ISO. */
  at: string;
}

export type ReminderSubject = Pick<FollowupEntry, 'dueAt' | 'createdAt' | 'owner' | 'drill'>;

/** The n-th reminder's time: 0 the day before the due date, 1 the day after, 2… weekly after that. */
function reminderMs(dueMs: number, n: number, c: ReminderClock): number {
  const dueDay = DateTime.fromMillis(dueMs, { zone: c.timeZone }).startOf('day');
  const day = n === 0 ? dueDay.minus({ days: 1 }) : dueDay.plus({ days: 1 + 7 * (n - 1) });
  return day.set({ hour: c.hour, minute: 0, second: 0, millisecond: 0 }).toMillis();
}

function nth(dueMs: number, n: number, c: ReminderClock): Reminder {
  const kind: ReminderKind = n === 0 ? 'before' : n === 1 ? 'overdue' : 'weekly';
  return { kind, at: new Date(reminderMs(dueMs, n, c)).toISOString() };
}

/** Index of the reminder due at or before `t` (−1 before any). */
function latestIndex(dueMs: number, t: number, c: ReminderClock): number {
  if (t < reminderMs(dueMs, 0, c)) return -1;
  const overdue = reminderMs(dueMs, 1, c);
  if (t < overdue) return 0;
  // A guess from elapsed weeks, corrected by the calendar (a DST change moves a week by an hour).
  let n = 1 + Math.floor((t - overdue) / WEEK_MS);
  while (n > 1 && reminderMs(dueMs, n, c) > t) n--;
  while (reminderMs(dueMs, n + 1, c) <= t) n++;
  return n;
}

/**
 * The reminders of an entry a timer should wait on at `now`: the latest one that fell due (sent
 * late if its timer was missed; idempotent by id) and the next one, which is always last.
 */
export function remindersToArm(entry: ReminderSubject, now: Date, c: ReminderClock): Reminder[] {
  if (!entry.dueAt || !entry.owner || entry.drill) return [];
  const dueMs = Date.parse(entry.dueAt);
  const skipBefore = reminderMs(dueMs, 0, c) <= Date.parse(entry.createdAt);
  const latest = latestIndex(dueMs, now.getTime(), c);
  const out: Reminder[] = [];
  if (latest >= 0 && !(latest === 0 && skipBefore)) out.push(nth(dueMs, latest, c));
  out.push(nth(dueMs, latest + 1 === 0 && skipBefore ? 1 : latest + 1, c));
  return out;
}

/** Whether a reminder's timer should still send it at `now`: it is this entry's, and no later reminder fell due since. */
export function reminderStillDue(entry: ReminderSubject, r: Reminder, now: Date, c: ReminderClock): boolean {
  if (Date.parse(r.at) > now.getTime()) return false;
  const [latest] = remindersToArm(entry, now, c);
  return latest !== undefined && latest.kind === r.kind && latest.at === r.at && Date.parse(latest.at) <= now.getTime();
}
