import type { CoverOverride } from '../core/ports.js';
import { onCallAt, schedule, type Segment } from '../core/rotation.js';
import type { Rotation } from '../core/rotation-schema.js';

/**
 * Who is on call, for the dashboard and the iCal feeds: the same `schedule()` the
 * `/incident oncall` command reads (commands/oncall.ts), with the covers of `/incident cover`
 * (deps.oncall.overrides) joined as the command joins them. Pure: times come in as arguments.
 */

export const DAY_MS = 86_400_000;

/** Overrides by rotation id, as deps.oncall.overrides answers for one workspace. */
export type CoversByRotation = Record<string, CoverOverride[]>;

/** Several workspaces' covers as one (an operator looks at every workspace at once). */
export function mergeCovers(all: readonly CoversByRotation[]): CoversByRotation {
  const out: CoversByRotation = {};
  for (const covers of all) for (const [id, list] of Object.entries(covers)) (out[id] ??= []).push(...list);
  return out;
}

/** Who is on call at `now` and who comes next, as `/incident oncall` says it: `schedule(rotation, now, …)`. */
export function nowAndNext(rotation: Rotation, now: Date, covers: readonly CoverOverride[]): { current?: Segment; next?: Segment } {
  const [current, next] = schedule(rotation, now, 2, covers);
  return { ...(current ? { current } : {}), ...(next ? { next } : {}) };
}

/**
 * The schedule's stretches from the one holding `from` until `until`, as many calls of
 * `schedule()` as it takes, at most `max` stretches (gaps with nobody on call count too);
 * `firstBatch` is how many the first call asks for (each call looks up to SEARCH_DAYS ahead).
 */
export function segmentsUntil(rotation: Rotation, from: Date, until: Date, covers: readonly CoverOverride[], max: number, firstBatch = 8): Segment[] {
  const out: Segment[] = [];
  let t = from;
  // A few stretches first (a week's calendar needs a handful), more each round for a year's feed.
  for (let size = firstBatch; t < until && out.length < max; size = Math.min(size * 2, 256)) {
    const batch = schedule(rotation, t, Math.min(size, max - out.length), covers);
    const fresh = batch.filter((s) => s.to > t);
    if (fresh.length === 0) break;
    for (const s of fresh) {
      if (s.from >= until || out.length >= max) break;
      out.push(s);
    }
    const last = fresh[fresh.length - 1] as Segment;
    if (last.to <= t) break;
    t = last.to;
  }
  return out;
}

/** A piece of a shift with where it comes from: a layer (by index) or an override. */
export interface Piece {
  userId: string | null;
  from: Date;
  to: Date;
  source?: 'override' | 'layer';
  layer?: number;
}

/**
 * The stretches between `from` and `until`, each cut where its source changes (a cover inside
 * alice's week, a lower layer taking over): `schedule()` says who, `onCallAt()` says from where.
 */
export function piecesBetween(rotation: Rotation, from: Date, until: Date, covers: readonly CoverOverride[], max = 2000): Piece[] {
  const pieces: Piece[] = [];
  for (const seg of segmentsUntil(rotation, from, until, covers, max)) {
    const lo = Math.max(seg.from.getTime(), from.getTime());
    const hi = Math.min(seg.to.getTime(), until.getTime());
    if (seg.userId === null) {
      pieces.push({ userId: null, from: new Date(lo), to: new Date(hi) });
      continue;
    }
    for (let t = lo; t < hi && pieces.length < max; ) {
      const who = onCallAt(rotation, new Date(t), covers);
      const end = Math.min(hi, Math.max(who?.to.getTime() ?? hi, t + 1));
      const piece: Piece = { userId: seg.userId, from: new Date(t), to: new Date(end) };
      if (who) {
        piece.source = who.source;
        if (who.layer !== undefined) piece.layer = who.layer;
      }
      pieces.push(piece);
      t = end;
    }
  }
  return pieces;
}

/** The covers of `rotation` (config and `/incident cover`) that overlap [from, until). */
export function coversBetween(rotation: Rotation, from: Date, until: Date, covers: readonly CoverOverride[]): CoverOverride[] {
  return [...rotation.overrides, ...covers]
    .filter((o) => Date.parse(o.from) < until.getTime() && Date.parse(o.to) > from.getTime())
    .sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
}

/** Every user id a set of pieces, segments or covers names (for one round of name look-ups). */
export function userIds(items: readonly { userId?: string | null; user?: string }[], rotation?: Rotation): string[] {
  const ids = new Set<string>();
  for (const i of items) {
    const id = i.userId ?? i.user;
    if (id) ids.add(id);
  }
  for (const layer of rotation?.layers ?? []) for (const m of layer.members) ids.add(m);
  return [...ids];
}
