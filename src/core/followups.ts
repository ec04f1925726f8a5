import { DateTime } from 'luxon';
import { IncidentError } from './errors.js';
import type { ActionItem, Actor, Horizon, Incident, IncidentKey } from './model.js';
import { HORIZONS } from './model.js';
import { instantToWall, isTimeZone, wallToInstant } from './rotation-schema.js';
import { addDays, type DateOnly } from './rotation.js';

/**
 * Follow-ups that get done (issue 12): when an action item falls due, and the weekly digest;
 * when its owner is reminded is followup-reminders.ts. Pure: the timers are src/app/followups.ts
 * and src/scheduler/followups.ts, the cross-incident index src/store/redis-actions.ts.
 *
 * - A due date comes from the item's horizon, counted from the resolve (`1w` 7 days, `1m` one
 *   calendar month, `q` three) in the zone the item was added in (`item.timeZone`, the configured
 *   `timeZone` then, recorded with the item so a replay gives the same date; UTC for items older
 *   than that): an item added before the resolve gets it at the resolve, one added after counts
 *   from when it was added. Or it is a date typed with `--due 2026-12-15`: the end of that day in
 *   the configured zone.
 */

export const DAY_MS = 86_400_000;

/**
 * `iso` moved by a horizon in `timeZone`: 7 calendar days, or one or three calendar months (a 31st
 * becomes the month's last day), at the same wall time (DST-safe).
 */
export function addHorizon(iso: string, horizon: Horizon, timeZone = 'UTC'): string {
  const from = DateTime.fromISO(iso, { zone: isTimeZone(timeZone) ? timeZone : 'UTC' });
  const to = horizon === '1w' ? from.plus({ weeks: 1 }) : from.plus({ months: horizon === '1m' ? 1 : 3 });
  return new Date(to.toMillis()).toISOString();
}

/** The due date an item has once its incident resolved at `resolvedAt` (none before): its own, or its horizon's. */
export function dueAtOf(item: Pick<ActionItem, 'dueAt' | 'horizon' | 'createdAt' | 'timeZone'>, resolvedAt: string | undefined): string | undefined {
  if (item.dueAt) return item.dueAt;
  if (!resolvedAt) return undefined;
  const from = Date.parse(item.createdAt) > Date.parse(resolvedAt) ? item.createdAt : resolvedAt;
  return addHorizon(from, item.horizon, item.timeZone);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as typed (`2026-12-15`), or null when it is not one (2026-02-30 included). */
export function parseDate(text: string): DateOnly | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** The last millisecond of a date in `timeZone`. */
export function endOfDay(date: DateOnly, timeZone: string): number {
  return wallToInstant({ ...addDays(date, 1), hour: 0, minute: 0 }, timeZone) - 1;
}

function dateOf(ms: number, timeZone: string): DateOnly {
  const w = instantToWall(ms, timeZone);
  return { year: w.year, month: w.month, day: w.day };
}

const dayNumber = (d: DateOnly) => Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;

/** The horizon a due date falls in, counted from `from`: within 7 days `1w`, within a month `1m`, else `q`. */
export function horizonFor(dueMs: number, fromMs: number, timeZone: string): Horizon {
  const due = dayNumber(dateOf(dueMs, timeZone));
  const within = (h: Horizon) => due <= dayNumber(dateOf(Date.parse(addHorizon(new Date(fromMs).toISOString(), h, timeZone)), timeZone));
  if (within('1w')) return '1w';
  if (within('1m')) return '1m';
  return 'q';
}

export interface DueInput {
  horizon: Horizon;
  /** Set for a typed date only: a horizon's date comes with the resolve. */
  dueAt?: string;
}

/**
 * `--due` as typed: a horizon (`1w`, `1m`, `q`, or `week`, `month`, `quarter`) or a date
 * (`2026-12-15`, the end of that day in `timeZone`). A date before today is refused, and so is
 * anything else, each with an answer that says what would do. A date gets the horizon it falls
 * in from now (an item added after the resolve counts from when it was added).
 */
export function parseDue(text: string, o: { timeZone: string; now: Date }): DueInput {
  const word = text.trim().toLowerCase();
  const alias: Record<string, Horizon> = { week: '1w', '1week': '1w', month: '1m', '1month': '1m', quarter: 'q', '1q': 'q' };
  const horizon = (HORIZONS as readonly string[]).includes(word) ? (word as Horizon) : alias[word];
  if (horizon) return { horizon };
  const date = parseDate(word);
  if (!date || !isTimeZone(o.timeZone)) throw new IncidentError('bad_horizon', { value: text });
  const dueMs = endOfDay(date, o.timeZone);
  const now = o.now.getTime();
  if (dueMs < now) throw new IncidentError('due_in_past', { value: text, today: formatDateOnly(dateOf(now, o.timeZone)) });
  return { horizon: horizonFor(dueMs, now, o.timeZone), dueAt: new Date(dueMs).toISOString() };
}

function formatDateOnly(d: DateOnly): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** An open action item as the cross-incident index keeps it (src/store/redis-actions.ts). */
export interface FollowupEntry extends IncidentKey {
  ref: string;
  id: string;
  text: string;
  owner?: Actor;
  horizon: Horizon;
  dueAt?: string;
  createdAt: string;
  service?: string;
  private: boolean;
  drill?: true;
}

/** The open action items of an incident, as index entries; none for a cancelled incident. */
export function followupEntries(inc: Incident): FollowupEntry[] {
  if (inc.status === 'cancelled') return [];
  return inc.actionItems
    .filter((a) => a.status === 'open')
    .map((a) => ({
        workspace: inc.workspace,
        number: inc.number,
        ref: inc.ref,
        id: a.id,
        text: a.text,
        ...(a.owner ? { owner: a.owner } : {}),
        horizon: a.horizon,
        ...(a.dueAt ? { dueAt: a.dueAt } : {}),
        createdAt: a.createdAt,
        ...(inc.service ? { service: inc.service } : {}),
        private: inc.private,
        ...(inc.drill ? { drill: true as const } : {}),
      }));
}

/** Events after which an incident's entries in the index, or their due dates, may differ. */
const FOLLOWUP_EVENTS: ReadonlySet<string> = new Set(['resolved', 'reopened', 'closed', 'cancelled']);

/** Whether these events change the incident's follow-ups: an item added or done, or (with items) a resolve, reopen, close or cancel. */
export function changesFollowups(after: Incident, events: readonly { type: string }[]): boolean {
  if (events.some((e) => e.type === 'action_added' || e.type === 'action_completed')) return true;
  return after.actionItems.length > 0 && events.some((e) => FOLLOWUP_EVENTS.has(e.type));
}

export type ReminderKind = 'before' | 'overdue' | 'weekly';

/** A follow-up timer: a reminder of one item, or a workspace's weekly digest. */
export type FollowupRef =
  | { kind: ReminderKind; workspace: string; number: number; itemId: string; at: string }
  | { kind: 'digest'; workspace: string; at: string };

/** The durable timers behind follow-ups (src/scheduler/followups.ts): idempotent by ref. */
export interface FollowupTimers {
  /** Runs the ref after `delayMs`; arming a ref that is pending or ran recently does nothing. */
  arm(ref: FollowupRef, delayMs: number): Promise<void>;
  /**
   * Whether the ref's timer is waiting, running or ran recently (one cheap read): the sweep skips
   * an item whose next reminder is armed. A timer that failed for good does not count (arming replaces it).
   */
  armed(ref: FollowupRef): Promise<boolean>;
}

/** The cross-incident index of open action items (src/store/redis-actions.ts). */
export interface FollowupIndex {
  /**
   * Replaces the incident's entries with `entries` (none: it leaves the index), unless the index
   * already holds a newer version of the incident: a late writer never puts back an older state.
   */
  put(key: IncidentKey, version: number, entries: readonly FollowupEntry[]): Promise<boolean>;
  /** Every open action item of the workspace. */
  list(workspace: string): Promise<FollowupEntry[]>;
  /** Workspaces that have (had) open items in the index: the sweep's, without reading any timer. */
  workspaces(): Promise<string[]>;
  /** Whether the workspace's index was built from its incidents (once, for data older than the index). */
  built(workspace: string): Promise<boolean>;
  markBuilt(workspace: string): Promise<void>;
}

/** Whether an open entry is overdue at `now`. */
export function isOverdue(entry: Pick<FollowupEntry, 'dueAt'>, now: Date): boolean {
  return entry.dueAt !== undefined && Date.parse(entry.dueAt) < now.getTime();
}

export const DIGEST_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** When the weekly digest is posted (config `followups.digest`), in the configured zone. */
export interface DigestTime {
  day: (typeof DIGEST_DAYS)[number];
  hour: number;
}

/** How late a missed digest is still posted (the bot was down at its hour). */
export const DIGEST_CATCH_UP_MS = DAY_MS;

/**
 * The digests a timer should wait on at `now`: the latest one, when it is less than a day ago
 * (missed by a restart; idempotent by id), and the next one.
 */
export function digestsToArm(d: DigestTime, timeZone: string, now: Date): Date[] {
  const t = now.getTime();
  const wall = instantToWall(t, timeZone);
  const weekday = DIGEST_DAYS.indexOf(d.day);
  const times: number[] = [];
  for (let offset = -7; offset <= 7; offset++) {
    if ((((wall.weekday + offset) % 7) + 7) % 7 !== weekday) continue;
    times.push(wallToInstant({ ...addDays(wall, offset), hour: d.hour, minute: 0 }, timeZone));
  }
  const latest = Math.max(...times.filter((x) => x <= t));
  const next = Math.min(...times.filter((x) => x > t));
  return [...(Number.isFinite(latest) && t - latest < DIGEST_CATCH_UP_MS ? [new Date(latest)] : []), new Date(next)];
}

/** Whether a digest timer for `at` should still post at `now` (not a stale one from an earlier week or hour). */
export function digestStillDue(d: DigestTime, timeZone: string, at: Date, now: Date): boolean {
  if (at.getTime() > now.getTime()) return false;
  return digestsToArm(d, timeZone, now).some((x) => x.getTime() === at.getTime());
}

/** What may stand for an item id: `A3`, or a bare number (refused as no such item: ids are never guessed). */
const ITEM_ID = /^a?\d{1,6}$/i;

/**
 * The item of `action done <id>` (the incident reference already taken off): exactly one item id.
 * Nothing, more words, or a token that is no id (never echoed back) is refused; an id the
 * incident does not have is refused by decideActionDone.
 */
export function doneItemId(args: string): string {
  const words = args.trim().split(/\s+/).slice(1);
  const id = words[0];
  if (words.length !== 1 || id === undefined || !ITEM_ID.test(id)) throw new IncidentError('bad_action_done');
  return id;
}

export const ACTIONS_FILTERS = ['open', 'mine', 'overdue'] as const;
export type ActionsFilter = (typeof ACTIONS_FILTERS)[number];

/** The filter of `/incident actions` as typed (any case; none is `open`). */
export function actionsFilter(word: string | undefined): ActionsFilter {
  if (word === undefined || word.trim() === '') return 'open';
  const hit = ACTIONS_FILTERS.find((f) => f === word.trim().toLowerCase());
  if (!hit) throw new IncidentError('bad_actions_filter', { value: word });
  return hit;
}

/** The entries a filter keeps, for `userId` at `now`. */
export function filterEntries(entries: readonly FollowupEntry[], filter: ActionsFilter, o: { userId: string; now: Date; service?: string }): FollowupEntry[] {
  return entries.filter((e) => {
    if (o.service !== undefined && e.service !== o.service) return false;
    if (filter === 'mine') return e.owner?.id === o.userId;
    if (filter === 'overdue') return isOverdue(e, o.now);
    return true;
  });
}
