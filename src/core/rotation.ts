import {
  WEEKDAYS,
  clockMinutes,
  instantToWall,
  wallToInstant,
  type Layer,
  type Override,
  type Rotation,
} from './rotation-schema.js';

/**
 * Who is on call, from a rotation and a time. Pure: instants come in as arguments and all zone
 * arithmetic goes through rotation-schema.ts, whose header says how DST gaps and overlaps read.
 *
 * Precedence, highest first: overrides (the latest-starting one when several cover the time),
 * then layers from last to first, the first that has someone on call at that moment.
 */

/** Someone on call, and the stretch around the asked time during which that answer holds. */
export interface OnCall {
  userId: string;
  from: Date;
  to: Date;
  source: 'override' | 'layer';
  /** Index in `rotation.layers`, when the answer comes from a layer. */
  layer?: number;
}

/** A stretch of a schedule; `userId` null means nobody is on call. */
export interface Segment {
  userId: string | null;
  from: Date;
  to: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * How far around the asked time answers are searched, so a rotation that stays the same (a
 * single member) or stays empty (a layer starting in years) ends the search. A segment that
 * reaches the limit is cut there: "until at least".
 */
export const SEARCH_DAYS = 400;
const HORIZON = SEARCH_DAYS * DAY;

export interface DateOnly {
  year: number;
  month: number;
  day: number;
}

/** A layer with its text fields read once, so resolving a time is arithmetic only. */
interface Plan {
  layer: Layer;
  timeZone: string;
  start: DateOnly;
  handoff: number;
  /** Instant of the first handoff: nobody from this layer is on call before it. */
  first: number;
  /** Weekdays (0 = Monday) on which a window opens; null for every day. */
  days: Set<number> | null;
  /** Window in local minutes; `to <= from` closes the next day. Null for round the clock. */
  window: { from: number; to: number } | null;
}

/** What one piece of the rotation says at a time, and the span [lo, hi) over which it says it. */
interface State {
  userId: string | null;
  lo: number;
  hi: number;
}

interface Resolution extends State {
  source?: 'override' | 'layer';
  layer?: number;
}

interface Context {
  plans: Plan[];
  overrides: { user: string; from: number; to: number }[];
}

export function addDays(date: DateOnly, days: number): DateOnly {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function wallAt(date: DateOnly, minutes: number, timeZone: string): number {
  return wallToInstant({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60 }, timeZone);
}

function plan(layer: Layer, timeZone: string): Plan {
  const [year = 0, month = 1, day = 1] = layer.start.split('-').map(Number);
  const start = { year, month, day };
  const handoff = clockMinutes(layer.handoff);
  const [from = '', to = ''] = layer.hours?.split('-') ?? [];
  return {
    layer,
    timeZone,
    start,
    handoff,
    first: wallAt(start, handoff, timeZone),
    days: layer.days ? new Set(layer.days.map((d) => WEEKDAYS.indexOf(d))) : null,
    // Days without hours are whole local days, a window from midnight to the next midnight.
    window: layer.hours ? { from: clockMinutes(from), to: clockMinutes(to) } : layer.days ? { from: 0, to: 0 } : null,
  };
}

/**
 * Start of shift k. Days and weeks count on the calendar, so a 09:00 handoff stays 09:00 local
 * and the shift over a DST switch is 23 or 25 hours; hours count in absolute time, so 12 h
 * shifts stay 12 h and their local handoff moves by the switch.
 */
function shiftStart(p: Plan, k: number): number {
  const { n, unit } = p.layer.shift;
  if (unit === 'hours') return p.first + k * n * HOUR;
  return wallAt(addDays(p.start, k * n * (unit === 'weeks' ? 7 : 1)), p.handoff, p.timeZone);
}

function shiftIndex(p: Plan, t: number): number {
  const { n, unit } = p.layer.shift;
  const nominal = n * (unit === 'hours' ? HOUR : unit === 'days' ? DAY : 7 * DAY);
  // The nominal length is off by at most the DST shift, so the guess is at most one shift out.
  let k = Math.floor((t - p.first) / nominal);
  while (k > 0 && shiftStart(p, k) > t) k--;
  while (shiftStart(p, k + 1) <= t) k++;
  return k;
}

/** Whether the layer's days/hours window is open at t, and until/since when. */
function windowAt(p: Plan, t: number): { open: boolean; lo: number; hi: number } {
  if (!p.window) return { open: true, lo: -Infinity, hi: Infinity };
  const { from, to } = p.window;
  const wall = instantToWall(t, p.timeZone);
  const today = { year: wall.year, month: wall.month, day: wall.day };
  // A window belongs to the local day it opens on and lasts under a day, so only yesterday's or
  // today's can hold t; a week either side always holds a previous and a next one.
  const windows = new Map<number, { open: number; close: number } | null>();
  const windowOn = (d: number) => {
    if (!windows.has(d)) {
      const date = addDays(today, d);
      const open = !p.days || p.days.has((wall.weekday + d + 56) % 7);
      windows.set(d, open ? { open: wallAt(date, from, p.timeZone), close: wallAt(to > from ? date : addDays(date, 1), to, p.timeZone) } : null);
    }
    return windows.get(d) ?? null;
  };
  for (const d of [-1, 0]) {
    const w = windowOn(d);
    if (w && w.open <= t && t < w.close) return { open: true, lo: w.open, hi: w.close };
  }
  let lo = -Infinity;
  let hi = Infinity;
  for (let d = 0; d >= -8 && lo === -Infinity; d--) {
    const w = windowOn(d);
    if (w && w.close <= t) lo = w.close;
  }
  for (let d = 0; d <= 8 && hi === Infinity; d++) {
    const w = windowOn(d);
    if (w && w.open > t) hi = w.open;
  }
  return { open: false, lo, hi };
}

function layerAt(p: Plan, t: number): State {
  if (t < p.first) return { userId: null, lo: -Infinity, hi: p.first };
  const w = windowAt(p, t);
  if (!w.open) return { userId: null, lo: Math.max(w.lo, p.first), hi: w.hi };
  const members = p.layer.members;
  const k = shiftIndex(p, t);
  // With one member a handoff changes nothing, so it is no edge.
  const lo = members.length === 1 ? p.first : shiftStart(p, k);
  const hi = members.length === 1 ? Infinity : shiftStart(p, k + 1);
  return { userId: members[k % members.length] ?? null, lo: Math.max(w.lo, lo), hi: Math.min(w.hi, hi) };
}

function overrideAt(ctx: Context, t: number): State {
  let winner: { user: string; from: number } | null = null;
  let lo = -Infinity;
  let hi = Infinity;
  for (const o of ctx.overrides) {
    // `>=`: on equal starts the later entry wins, so an extra override beats the config's.
    if (o.from <= t && t < o.to && (!winner || o.from >= winner.from)) winner = o;
    for (const edge of [o.from, o.to]) {
      if (edge <= t) lo = Math.max(lo, edge);
      else hi = Math.min(hi, edge);
    }
  }
  return { userId: winner?.user ?? null, lo, hi };
}

function resolve(ctx: Context, t: number): Resolution {
  const o = overrideAt(ctx, t);
  if (o.userId !== null) return { ...o, source: 'override' };
  let { lo, hi } = o;
  for (let i = ctx.plans.length - 1; i >= 0; i--) {
    const s = layerAt(ctx.plans[i] as Plan, t);
    lo = Math.max(lo, s.lo);
    hi = Math.min(hi, s.hi);
    if (s.userId !== null) return { userId: s.userId, lo, hi, source: 'layer', layer: i };
  }
  return { userId: null, lo, hi };
}

/**
 * The span around t over which `same` holds, within [min, max): the elementary span from
 * `resolve` is grown across edges that do not change the answer (a lower layer's handoff while
 * a higher layer is on, or a handoff from alice to alice).
 */
function grow(ctx: Context, t: number, same: (a: Resolution, b: Resolution) => boolean, min: number, max: number) {
  const r = resolve(ctx, t);
  let { lo, hi } = r;
  while (hi < max) {
    const next = resolve(ctx, hi);
    if (!same(r, next) || next.hi <= hi) break;
    hi = next.hi;
  }
  while (lo > min) {
    const prev = resolve(ctx, lo - 1);
    if (!same(r, prev) || prev.lo >= lo) break;
    lo = prev.lo;
  }
  return { r, lo: Math.max(lo, min), hi: Math.min(hi, max) };
}

function context(rotation: Rotation, extra: readonly Override[]): Context {
  return {
    plans: rotation.layers.map((l) => plan(l, rotation.timeZone)),
    overrides: [...rotation.overrides, ...extra]
      .map((o) => ({ user: o.user, from: Date.parse(o.from), to: Date.parse(o.to) }))
      .filter((o) => o.from < o.to),
  };
}

const sameAnswer = (a: Resolution, b: Resolution) => a.userId === b.userId && a.source === b.source && a.layer === b.layer;
const sameUser = (a: Resolution, b: Resolution) => a.userId === b.userId;

/**
 * Who is on call at `at`, or null when nobody is. `extra` are overrides from outside the config
 * (ISO times); they join the config's and, starting at the same time as one, win.
 */
export function onCallAt(rotation: Rotation, at: Date, extra: readonly Override[] = []): OnCall | null {
  const t = at.getTime();
  const { r, lo, hi } = grow(context(rotation, extra), t, sameAnswer, t - HORIZON, t + HORIZON);
  if (r.userId === null || !r.source) return null;
  const answer: OnCall = { userId: r.userId, from: new Date(lo), to: new Date(hi), source: r.source };
  if (r.layer !== undefined) answer.layer = r.layer;
  return answer;
}

/**
 * The next `count` stretches from the one containing `from`, adjacent stretches of one person
 * merged (an override for the person already on call is no handoff). Gaps with nobody on call
 * are stretches too. Looks at most SEARCH_DAYS ahead, so the list can be shorter than `count`.
 */
export function schedule(rotation: Rotation, from: Date, count: number, extra: readonly Override[] = []): Segment[] {
  const ctx = context(rotation, extra);
  const start = from.getTime();
  const end = start + HORIZON;
  const segments: Segment[] = [];
  for (let t = start; segments.length < count && t < end; ) {
    const { r, lo, hi } = grow(ctx, t, sameUser, start - HORIZON, end);
    segments.push({ userId: r.userId, from: new Date(lo), to: new Date(hi) });
    t = hi;
  }
  return segments;
}
