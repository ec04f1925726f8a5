import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * On-call rotations as written in the config, and what a local time in them means.
 *
 * Every wall time of a rotation (handoffs, `hours` windows, override times without an offset) is
 * read in the rotation's `timeZone`, with offsets from the IANA database through luxon. Twice a
 * year a wall time is not exactly one instant; both cases are settled the way Temporal's
 * "compatible" disambiguation (and java.time) settle them, so every reader gets the same answer:
 * - in a spring-forward gap the time does not exist and moves forward by the gap's length, as
 *   luxon does: 02:30 on 2026-03-29 in Europe/Berlin is 03:30 CEST (01:30Z);
 * - in a fall-back overlap the time happens twice and the first occurrence wins: 02:30 on
 *   2026-10-25 in Europe/Berlin is 02:30 CEST (00:30Z). We decide this ourselves because luxon
 *   guesses from the offset of "now", which would make the answer depend on the season.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calendar date and clock reading, in whatever zone the caller names. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

export function isTimeZone(timeZone: string): boolean {
  return IANAZone.isValidZone(timeZone);
}

/** The instant a wall time denotes in `timeZone` (epoch ms), gaps and overlaps as above. */
export function wallToInstant(wall: WallTime, timeZone: string): number {
  const zone = IANAZone.create(timeZone);
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0, wall.millisecond ?? 0);
  // A day either side is past any transition near `local`, whatever the zone's offset.
  const before = zone.offset(local - DAY);
  const after = zone.offset(local + DAY);
  const early = local - before * MINUTE;
  const late = local - after * MINUTE;
  const earlyHolds = zone.offset(early) === before;
  const lateHolds = zone.offset(late) === after;
  if (earlyHolds && lateHolds) return Math.min(early, late);
  if (lateHolds) return late;
  // Only `early` holds, or neither (a gap): the old offset puts a gap time past the jump.
  return early;
}

/** The wall time an instant shows in `timeZone`, with its weekday (0 = Monday). */
export function instantToWall(ms: number, timeZone: string): Required<WallTime> & { weekday: number } {
  const d = new Date(ms + IANAZone.create(timeZone).offset(ms) * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of a validated `HH:MM`. */
export function clockMinutes(text: string): number {
  const m = CLOCK.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

function pad(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Epoch ms of `2026-02-01`, `2026-02-01T09:00[:ss[.mmm]]` (local to `timeZone`) or the same with
 * `Z` or `±HH:MM`; null for anything else, including dates that do not exist (2026-02-30).
 */
export function parseTimestamp(text: string, timeZone: string): number | null {
  const m = STAMP.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const millisecond = Number((m[7] ?? '0').padEnd(3, '0'));
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  const wall = { year, month, day, hour, minute, second, millisecond };
  const offset = m[8];
  if (!offset) return isTimeZone(timeZone) ? wallToInstant(wall, timeZone) : null;
  if (offset.toLowerCase() === 'z') return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = Number(digits.slice(2) || '0');
  if (oh > 23 || om > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - sign * (oh * 60 + om) * MINUTE;
}

// Messages are shown after the field's path, so they say what to write, not what went wrong.
const say = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `missing; ${message}` : message),
});
const MSG = {
  user: 'a user id; quote ids made of digits',
  shift: 'use <n>h, <n>d or <n>w, e.g. 1w',
  clock: 'use HH:MM, e.g. "09:00"',
  date: 'use a date like 2026-01-05',
  hours: 'use HH:MM-HH:MM, e.g. 09:00-18:00',
  day: `use ${WEEKDAYS.slice(0, -1).join(', ')} or sun`,
  stamp: 'use a time like 2026-02-01T09:00, or with Z or an offset',
};

// Digits-only ids stay strings: YAML would turn a Discord snowflake into a rounded number.
const userId = z.string(say(MSG.user)).min(1, MSG.user);

const shift = z
  .string(say(MSG.shift))
  .regex(/^([1-9]\d{0,3})([hdw])$/, MSG.shift)
  .transform((s) => ({ n: Number(s.slice(0, -1)), unit: ({ h: 'hours', d: 'days', w: 'weeks' } as const)[s.slice(-1) as 'h' | 'd' | 'w'] }));

const clock = z.string(say(MSG.clock)).regex(CLOCK, MSG.clock).transform((s) => pad(clockMinutes(s)));

// YAML 1.1 readers hand over dates as Date objects; take them back to the date they spelled.
const date = z
  .preprocess((v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v), z.string(say(MSG.date)))
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && parseTimestamp(s, 'UTC') !== null, MSG.date);

const hours = z
  .string(say(MSG.hours))
  .regex(/^\s*([01]?\d|2[0-3]):[0-5]\d\s*-\s*([01]?\d|2[0-3]):[0-5]\d\s*$/, MSG.hours)
  .transform((s) => s.split('-').map((part) => pad(clockMinutes(part.trim()))).join('-'))
  .refine((s) => s.slice(0, 5) !== s.slice(6), 'start and end must differ');

const layerSchema = z
  .object({
    members: z.array(userId, say('list the members in order, e.g. [alice, bob]')).min(1, 'list at least one member'),
    shift,
    handoff: clock,
    start: date,
    days: z.array(z.enum(WEEKDAYS, say(MSG.day)), say(MSG.day)).min(1, 'list at least one day, or leave days out').optional(),
    hours: hours.optional(),
  })
  .strict();

/** A stamp as written; the rotation turns it into UTC once its time zone is known. */
const stamp = z
  .preprocess((v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString() : v), z.string(say(MSG.stamp)))
  .refine((s) => parseTimestamp(s, 'UTC') !== null, MSG.stamp);

const overrideSchema = z.object({ user: userId, from: stamp, to: stamp }).strict();

/** One layer of a rotation; shift k (k = 0, 1, ...) goes to `members[k % members.length]`. */
export type Layer = z.infer<typeof layerSchema>;
/** "user covers from..to"; after parsing, `from` and `to` are ISO strings in UTC. */
export type Override = z.infer<typeof overrideSchema>;

export const rotationSchema = z
  .object({
    id: z.string(say('lowercase letters, digits, - or _')).regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _'),
    name: z.string().min(1).optional(),
    timeZone: z.string(say('an IANA time zone, e.g. Asia/Seoul')).refine(isTimeZone, 'not an IANA time zone, e.g. Asia/Seoul'),
    layers: z.array(layerSchema, say('a list of layers')).min(1, 'add at least one layer'),
    overrides: z.array(overrideSchema, say('a list of overrides')).default([]),
    /** People who may set covers on this rotation besides its members (docs/security.md). */
    managers: z.array(userId, say('a list of user ids')).default([]),
  })
  .strict()
  .transform((rotation, ctx) => {
    const overrides = rotation.overrides.map((o, i) => {
      const from = parseTimestamp(o.from, rotation.timeZone);
      const to = parseTimestamp(o.to, rotation.timeZone);
      // The format was checked field by field; the zone is known only here.
      if (from === null || to === null || to <= from) {
        ctx.addIssue({ code: 'custom', path: ['overrides', i, 'to'], message: 'must be after from' });
      }
      return { user: o.user, from: new Date(from ?? 0).toISOString(), to: new Date(to ?? 0).toISOString() };
    });
    return { ...rotation, overrides };
  });

export type Rotation = z.infer<typeof rotationSchema>;

/** The `rotations:` list of the config: ids must be unique, since commands name rotations by id. */
export const rotationsSchema = z
  .array(rotationSchema, say('a list of rotations'))
  .default([])
  .superRefine((rotations, ctx) => {
    const ids = rotations.map((r) => r.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rotation ${id}` });
    });
  });
