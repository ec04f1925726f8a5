import ICAL from 'ical.js';
import type { CoverOverride } from '../core/ports.js';
import type { Segment } from '../core/rotation.js';
import type { Rotation } from '../core/rotation-schema.js';
import { DAY_MS, segmentsUntil } from './oncall-shifts.js';

/**
 * The on-call iCal feeds (RFC 5545, written by ical.js): one per rotation, one per person across
 * every rotation, each a year ahead. A feed URL carries `token = sign(path)`: feed readers
 * (Google Calendar, Outlook) have no session, so the URL itself is the permission. Pure.
 */

/** How far ahead a feed reaches. */
export const FEED_DAYS = 365;
/** At most this many shifts in one feed (an hourly rotation has ~8,760 a year; readers choke long before). */
export const MAX_EVENTS = 1000;

export const feedPath = {
  /** A rotation's shifts with the covers of one workspace (covers are kept per workspace). */
  rotation: (workspace: string, rotationId: string): string => `/ical/rotation/${encodeURIComponent(workspace)}/${encodeURIComponent(rotationId)}.ics`,
  person: (workspace: string, userId: string): string => `/ical/person/${encodeURIComponent(workspace)}/${encodeURIComponent(userId)}.ics`,
};

/** A feed's absolute URL with its signed token. */
export function feedUrl(base: string, path: string, sign: (payload: string) => string): string {
  return `${base.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(sign(path))}`;
}

/** Whether a request for `path` may read the feed: its token verifies for exactly that path. */
export function feedAllowed(path: string, token: unknown, verify: (payload: string, signature: string) => boolean): boolean {
  return typeof token === 'string' && token.length > 0 && token.length <= 200 && verify(path, token);
}

export interface FeedEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
}

/** Stable per shift: the same rotation and start give the same UID on every fetch. */
export function shiftUid(rotationId: string, start: Date): string {
  return `${rotationId}-${start.toISOString().replace(/[-:]|\.\d{3}/g, '')}@incident-command`;
}

/** The shifts (someone on call) of a rotation from the one holding `now` until a year ahead. */
export function feedShifts(rotation: Rotation, now: Date, covers: readonly CoverOverride[], max = MAX_EVENTS): Segment[] {
  const until = new Date(now.getTime() + FEED_DAYS * DAY_MS);
  // Gaps count as stretches in the schedule: allow for one between every two shifts.
  return segmentsUntil(rotation, now, until, covers, 2 * max + 1, 256)
    .filter((s) => s.userId !== null)
    .slice(0, max)
    .map((s) => ({ ...s, to: s.to > until ? until : s.to }));
}

export function rotationEvents(rotation: Rotation, shifts: readonly Segment[], summary: (name: string) => string, name: (id: string) => string): FeedEvent[] {
  return shifts.map((s) => ({ uid: shiftUid(rotation.id, s.from), start: s.from, end: s.to, summary: summary(name(s.userId ?? '')) }));
}

/** A person's shifts across rotations, soonest first, capped. */
export function personEvents(
  perRotation: readonly { rotation: Rotation; shifts: readonly Segment[] }[],
  userId: string,
  summary: (rotationName: string) => string,
  max = MAX_EVENTS,
): FeedEvent[] {
  return perRotation
    .flatMap(({ rotation, shifts }) =>
      shifts
        .filter((s) => s.userId === userId)
        .map((s) => ({ uid: shiftUid(rotation.id, s.from), start: s.from, end: s.to, summary: summary(rotation.name ?? rotation.id) })),
    )
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.uid.localeCompare(b.uid))
    .slice(0, max);
}

// eslint-disable-next-line no-control-regex -- control characters are what is removed.
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
const utc = (d: Date) => ICAL.Time.fromJSDate(d, true);

/** The VCALENDAR text of `events`, named `calName` (X-WR-CALNAME), stamped `now`. */
export function buildCalendar(calName: string, events: readonly FeedEvent[], now: Date): string {
  const cal = new ICAL.Component(['vcalendar', [], []]);
  cal.updatePropertyWithValue('prodid', '-//incident-command//on-call//EN');
  cal.updatePropertyWithValue('version', '2.0');
  cal.updatePropertyWithValue('calscale', 'GREGORIAN');
  cal.updatePropertyWithValue('method', 'PUBLISH');
  // X-WR-CALNAME has no declared type, so ical.js writes it unescaped: no line breaks may reach it.
  cal.updatePropertyWithValue('x-wr-calname', oneLine(calName));
  // Readers that honour it refresh hourly rather than daily.
  cal.updatePropertyWithValue('refresh-interval', ICAL.Duration.fromString('PT1H'));
  cal.updatePropertyWithValue('x-published-ttl', 'PT1H');
  const stamp = utc(now);
  for (const e of events) {
    const ev = new ICAL.Component('vevent');
    ev.updatePropertyWithValue('uid', e.uid);
    ev.updatePropertyWithValue('dtstamp', stamp);
    ev.updatePropertyWithValue('dtstart', utc(e.start));
    ev.updatePropertyWithValue('dtend', utc(e.end));
    ev.updatePropertyWithValue('summary', oneLine(e.summary));
    if (e.description) ev.updatePropertyWithValue('description', e.description);
    ev.updatePropertyWithValue('transp', 'TRANSPARENT');
    cal.addSubcomponent(ev);
  }
  return cal.toString();
}
