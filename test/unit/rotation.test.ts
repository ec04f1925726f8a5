import { Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { onCallAt, schedule, type OnCall, type Segment } from '../../src/core/rotation.js';
import { parseWhen } from '../../src/core/when.js';
import { rotationSchema, rotationsSchema, wallToInstant, type Rotation } from '../../src/core/rotation-schema.js';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

function rotation(timeZone: string, layers: unknown[], overrides?: unknown[]): Rotation {
  return rotationSchema.parse({ id: 'test', timeZone, layers, ...(overrides ? { overrides } : {}) });
}

/** What someone reads: who, from when, until when (ISO UTC). */
function who(answer: OnCall | null) {
  if (!answer) return null;
  const { userId, from, to, source, layer } = answer;
  return { userId, from: from.toISOString(), to: to.toISOString(), source, layer };
}

function rows(segments: Segment[]) {
  return segments.map((s) => [s.userId, s.from.toISOString(), s.to.toISOString()]);
}

/** The wall clock a person in `timeZone` sees at that instant, `YYYY-MM-DD HH:MM`. */
function local(date: Date, timeZone: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(date);
}

const hours = (answer: OnCall | null) => (answer ? (answer.to.getTime() - answer.from.getTime()) / HOUR : NaN);

describe('weekly rotation in Asia/Seoul', () => {
  const r = rotation('Asia/Seoul', [{ members: ['alice', 'bob', 'carol'], shift: '1w', handoff: '09:00', start: '2026-01-05' }]);

  it('hands off every Monday at 09:00 KST and says until when', () => {
    expect(who(onCallAt(r, at('2026-01-07T03:00:00Z')))).toEqual({
      userId: 'alice', from: '2026-01-05T00:00:00.000Z', to: '2026-01-12T00:00:00.000Z', source: 'layer', layer: 0,
    });
    expect(onCallAt(r, at('2026-01-11T23:59:59.999Z'))?.userId).toBe('alice');
    expect(onCallAt(r, at('2026-01-12T00:00:00Z'))?.userId).toBe('bob');
    expect(local(onCallAt(r, at('2026-01-12T00:00:00Z'))!.to, 'Asia/Seoul')).toBe('2026-01-19 09:00');
  });

  it('wraps around to the first member after the last', () => {
    expect(onCallAt(r, at('2026-01-20T00:00:00Z'))?.userId).toBe('carol');
    expect(onCallAt(r, at('2026-01-27T00:00:00Z'))?.userId).toBe('alice');
    expect(onCallAt(r, at('2026-02-03T00:00:00Z'))?.userId).toBe('bob');
  });

  it('has nobody on call before the start', () => {
    expect(onCallAt(r, at('2026-01-04T23:59:00Z'))).toBeNull();
    expect(rows(schedule(r, at('2026-01-04T12:00:00Z'), 2)).map(([user, , to]) => [user, to])).toEqual([
      [null, '2026-01-05T00:00:00.000Z'],
      ['alice', '2026-01-12T00:00:00.000Z'],
    ]);
  });

  it('lists the next handoffs', () => {
    expect(rows(schedule(r, at('2026-01-07T03:00:00Z'), 4))).toEqual([
      ['alice', '2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z'],
      ['bob', '2026-01-12T00:00:00.000Z', '2026-01-19T00:00:00.000Z'],
      ['carol', '2026-01-19T00:00:00.000Z', '2026-01-26T00:00:00.000Z'],
      ['alice', '2026-01-26T00:00:00.000Z', '2026-02-02T00:00:00.000Z'],
    ]);
    expect(schedule(r, at('2026-01-07T03:00:00Z'), 0)).toEqual([]);
  });

  it('keeps a single member on call without inventing handoffs, up to the search limit', () => {
    const solo = rotation('Asia/Seoul', [{ members: ['alice'], shift: '1d', handoff: '09:00', start: '2026-01-05' }]);
    expect(who(onCallAt(solo, at('2026-03-01T00:00:00Z')))?.from).toBe('2026-01-05T00:00:00.000Z');
    const segments = schedule(solo, at('2026-03-01T00:00:00Z'), 3);
    expect(segments).toHaveLength(1);
    expect(segments[0]?.to.toISOString()).toBe('2027-04-05T00:00:00.000Z');
  });
});

describe('daily 09:00 handoff in America/New_York', () => {
  const NY = 'America/New_York';

  it('keeps 09:00 local over spring forward, so the shift over the switch lasts 23 h', () => {
    const r = rotation(NY, [{ members: ['alice', 'bob'], shift: '1d', handoff: '09:00', start: '2026-03-06' }]);
    const bob = onCallAt(r, at('2026-03-07T20:00:00Z'));
    expect(who(bob)).toMatchObject({ userId: 'bob', from: '2026-03-07T14:00:00.000Z', to: '2026-03-08T13:00:00.000Z' });
    expect(hours(bob)).toBe(23);
    expect(local(bob!.to, NY)).toBe('2026-03-08 09:00');
    expect(onCallAt(r, at('2026-03-08T12:30:00Z'))?.userId).toBe('bob'); // 08:30 EDT
    const alice = onCallAt(r, at('2026-03-08T13:30:00Z'));
    expect(alice?.userId).toBe('alice');
    expect(hours(alice)).toBe(24);
    expect(local(alice!.to, NY)).toBe('2026-03-09 09:00');
  });

  it('keeps 09:00 local over fall back, so the shift over the switch lasts 25 h', () => {
    const r = rotation(NY, [{ members: ['alice', 'bob'], shift: '1d', handoff: '09:00', start: '2026-10-30' }]);
    const bob = onCallAt(r, at('2026-11-01T06:30:00Z')); // the second 01:30
    expect(who(bob)).toMatchObject({ userId: 'bob', from: '2026-10-31T13:00:00.000Z', to: '2026-11-01T14:00:00.000Z' });
    expect(hours(bob)).toBe(25);
    expect(local(bob!.from, NY)).toBe('2026-10-31 09:00');
    expect(local(bob!.to, NY)).toBe('2026-11-01 09:00');
    expect(onCallAt(r, at('2026-11-01T13:30:00Z'))?.userId).toBe('bob'); // 08:30 EST
    expect(onCallAt(r, at('2026-11-01T14:00:00Z'))?.userId).toBe('alice');
  });

  it('keeps 12 h shifts 12 h long across the switch, so the local handoff moves by an hour', () => {
    const r = rotation(NY, [{ members: ['alice', 'bob'], shift: '12h', handoff: '09:00', start: '2026-03-07' }]);
    const overnight = onCallAt(r, at('2026-03-08T06:00:00Z'));
    expect(who(overnight)).toMatchObject({ userId: 'bob', from: '2026-03-08T02:00:00.000Z', to: '2026-03-08T14:00:00.000Z' });
    expect(hours(overnight)).toBe(12);
    expect(local(overnight!.from, NY)).toBe('2026-03-07 21:00');
    expect(local(overnight!.to, NY)).toBe('2026-03-08 10:00');
    expect(local(onCallAt(r, at('2026-03-08T15:00:00Z'))!.to, NY)).toBe('2026-03-08 22:00');
  });
});

describe('02:30 handoff in Europe/Berlin, inside the DST gap and overlap', () => {
  const BER = 'Europe/Berlin';
  afterEach(() => {
    Settings.now = () => Date.now();
  });

  it('moves a handoff in the spring gap forward to 03:30 CEST', () => {
    const r = rotation(BER, [{ members: ['alice', 'bob'], shift: '1d', handoff: '02:30', start: '2026-03-27' }]);
    const bob = onCallAt(r, at('2026-03-28T12:00:00Z'));
    expect(who(bob)).toMatchObject({ userId: 'bob', from: '2026-03-28T01:30:00.000Z', to: '2026-03-29T01:30:00.000Z' });
    expect(hours(bob)).toBe(24);
    expect(local(bob!.to, BER)).toBe('2026-03-29 03:30');
    expect(onCallAt(r, at('2026-03-29T01:15:00Z'))?.userId).toBe('bob'); // 03:15 CEST
    const alice = onCallAt(r, at('2026-03-29T12:00:00Z'));
    expect(who(alice)).toMatchObject({ userId: 'alice', from: '2026-03-29T01:30:00.000Z', to: '2026-03-30T00:30:00.000Z' });
    expect(hours(alice)).toBe(23);
    expect(local(alice!.to, BER)).toBe('2026-03-30 02:30');
  });

  it('hands off at the first 02:30 of the autumn overlap', () => {
    const r = rotation(BER, [{ members: ['alice', 'bob'], shift: '1d', handoff: '02:30', start: '2026-10-23' }]);
    const bob = onCallAt(r, at('2026-10-24T12:00:00Z'));
    expect(who(bob)).toMatchObject({ userId: 'bob', from: '2026-10-24T00:30:00.000Z', to: '2026-10-25T00:30:00.000Z' });
    expect(hours(bob)).toBe(24);
    const alice = onCallAt(r, at('2026-10-25T01:30:00Z')); // the second 02:30, CET
    expect(who(alice)).toMatchObject({ userId: 'alice', from: '2026-10-25T00:30:00.000Z', to: '2026-10-26T01:30:00.000Z' });
    expect(hours(alice)).toBe(25);
  });

  it('gives the same instants whatever season the bot runs in', () => {
    const wall = { year: 2026, month: 10, day: 25, hour: 2, minute: 30 };
    const gap = { year: 2026, month: 3, day: 29, hour: 2, minute: 30 };
    for (const now of ['2026-01-15T00:00:00Z', '2026-07-15T00:00:00Z']) {
      Settings.now = () => Date.parse(now);
      expect(new Date(wallToInstant(wall, BER)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
      expect(new Date(wallToInstant(gap, BER)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    }
  });
});

describe('layers', () => {
  // Winter in Berlin, UTC+1. The weekly layer hands off on Mondays at 12:00, inside business hours.
  const r = rotation('Europe/Berlin', [
    { members: ['alice', 'bob'], shift: '1w', handoff: '12:00', start: '2026-02-02' },
    { members: ['carol', 'dave'], shift: '1d', handoff: '09:00', start: '2026-02-02', days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: '09:00-18:00' },
  ]);

  it('lets business hours win on a Tuesday at 10:00', () => {
    expect(who(onCallAt(r, at('2026-02-03T09:00:00Z')))).toEqual({
      userId: 'dave', from: '2026-02-03T08:00:00.000Z', to: '2026-02-03T17:00:00.000Z', source: 'layer', layer: 1,
    });
  });

  it('falls back to the weekly layer on Tuesday at 20:00 until business hours open again', () => {
    expect(who(onCallAt(r, at('2026-02-03T19:00:00Z')))).toEqual({
      userId: 'alice', from: '2026-02-03T17:00:00.000Z', to: '2026-02-04T08:00:00.000Z', source: 'layer', layer: 0,
    });
  });

  it('covers the weekend from the weekly layer, its hidden Monday handoff included', () => {
    expect(who(onCallAt(r, at('2026-02-07T09:00:00Z')))).toMatchObject({
      userId: 'alice', from: '2026-02-06T17:00:00.000Z', to: '2026-02-09T08:00:00.000Z', layer: 0,
    });
    expect(onCallAt(r, at('2026-02-09T18:00:00Z'))?.userId).toBe('bob');
  });

  it('schedules the day shifts between the nights', () => {
    const [before, ...rest] = rows(schedule(r, at('2026-02-02T07:00:00Z'), 5));
    expect(before?.[0]).toBeNull();
    expect(before?.[2]).toBe('2026-02-02T08:00:00.000Z');
    expect(rest).toEqual([
      ['carol', '2026-02-02T08:00:00.000Z', '2026-02-02T17:00:00.000Z'],
      ['alice', '2026-02-02T17:00:00.000Z', '2026-02-03T08:00:00.000Z'],
      ['dave', '2026-02-03T08:00:00.000Z', '2026-02-03T17:00:00.000Z'],
      ['alice', '2026-02-03T17:00:00.000Z', '2026-02-04T08:00:00.000Z'],
    ]);
  });

  it('runs a night window across midnight, on the day it opens', () => {
    const nights = rotation('Asia/Seoul', [
      { members: ['alice'], shift: '1w', handoff: '09:00', start: '2026-02-02' },
      { members: ['nina'], shift: '1w', handoff: '09:00', start: '2026-02-02', days: ['fri'], hours: '22:00-06:00' },
    ]);
    // Friday 2026-02-06 23:00 and Saturday 03:00 KST belong to Friday's night.
    for (const t of ['2026-02-06T14:00:00Z', '2026-02-06T18:00:00Z']) {
      expect(who(onCallAt(nights, at(t)))).toMatchObject({ userId: 'nina', from: '2026-02-06T13:00:00.000Z', to: '2026-02-06T21:00:00.000Z' });
    }
    expect(onCallAt(nights, at('2026-02-06T21:00:00Z'))?.userId).toBe('alice'); // Saturday 06:00
    expect(onCallAt(nights, at('2026-02-05T18:00:00Z'))?.userId).toBe('alice'); // Friday 03:00: Thursday's night
  });
});

describe('overrides', () => {
  const layer = { members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2026-01-05' };

  it('beat the layer, and the segments end at the override edges', () => {
    const r = rotation('Asia/Seoul', [layer], [{ user: 'dave', from: '2026-01-07T09:00', to: '2026-01-08T09:00' }]);
    expect(r.overrides).toEqual([{ user: 'dave', from: '2026-01-07T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' }]);
    expect(who(onCallAt(r, at('2026-01-07T03:00:00Z')))).toEqual({
      userId: 'dave', from: '2026-01-07T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z', source: 'override', layer: undefined,
    });
    expect(who(onCallAt(r, at('2026-01-06T00:00:00Z')))).toMatchObject({ userId: 'alice', from: '2026-01-05T00:00:00.000Z', to: '2026-01-07T00:00:00.000Z' });
    expect(who(onCallAt(r, at('2026-01-09T00:00:00Z')))).toMatchObject({ userId: 'alice', from: '2026-01-08T00:00:00.000Z', to: '2026-01-12T00:00:00.000Z' });
    expect(rows(schedule(r, at('2026-01-06T00:00:00Z'), 4)).map((s) => s[0])).toEqual(['alice', 'dave', 'alice', 'bob']);
  });

  it('let the latest-starting override win where they overlap', () => {
    const r = rotation('Asia/Seoul', [layer], [
      { user: 'dave', from: '2026-01-07T09:00', to: '2026-01-09T09:00' },
      { user: 'erin', from: '2026-01-08T09:00', to: '2026-01-08T21:00' },
    ]);
    expect(who(onCallAt(r, at('2026-01-07T03:00:00Z')))).toMatchObject({ userId: 'dave', from: '2026-01-07T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' });
    expect(who(onCallAt(r, at('2026-01-08T03:00:00Z')))).toMatchObject({ userId: 'erin', from: '2026-01-08T00:00:00.000Z', to: '2026-01-08T12:00:00.000Z' });
    expect(who(onCallAt(r, at('2026-01-08T13:00:00Z')))).toMatchObject({ userId: 'dave', from: '2026-01-08T12:00:00.000Z', to: '2026-01-09T00:00:00.000Z' });
  });

  it('take extra overrides from outside the config, which win a tie', () => {
    const r = rotation('Asia/Seoul', [layer], [{ user: 'dave', from: '2026-01-07T09:00', to: '2026-01-08T09:00' }]);
    const extra = [{ user: 'frank', from: '2026-01-07T00:00:00.000Z', to: '2026-01-07T06:00:00.000Z' }];
    expect(who(onCallAt(r, at('2026-01-07T03:00:00Z'), extra))).toMatchObject({ userId: 'frank', to: '2026-01-07T06:00:00.000Z', source: 'override' });
    expect(onCallAt(r, at('2026-01-07T07:00:00Z'), extra)?.userId).toBe('dave');
  });

  it('merge with the same person in the schedule, since nobody hands off', () => {
    const r = rotation('Asia/Seoul', [layer], [{ user: 'alice', from: '2026-01-06T09:00', to: '2026-01-13T09:00' }]);
    expect(onCallAt(r, at('2026-01-06T03:00:00Z'))?.source).toBe('override');
    expect(rows(schedule(r, at('2026-01-06T03:00:00Z'), 2))).toEqual([
      ['alice', '2026-01-05T00:00:00.000Z', '2026-01-13T00:00:00.000Z'],
      ['bob', '2026-01-13T00:00:00.000Z', '2026-01-19T00:00:00.000Z'],
    ]);
  });

  it('put someone on call before the layer starts', () => {
    const r = rotation('Asia/Seoul', [layer], [{ user: 'dave', from: '2026-01-01T00:00+09:00', to: '2026-01-02T00:00Z' }]);
    expect(who(onCallAt(r, at('2026-01-01T12:00:00Z')))).toMatchObject({ userId: 'dave', from: '2025-12-31T15:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
    expect(onCallAt(r, at('2026-01-03T00:00:00Z'))).toBeNull();
  });
});

describe('parseWhen', () => {
  const NY = 'America/New_York';
  const now = at('2026-03-07T15:00:00Z'); // Saturday 10:00 EST, the day before spring forward

  it.each([
    ['now', '2026-03-07T15:00:00.000Z'],
    [' NOW ', '2026-03-07T15:00:00.000Z'],
    ['+2h', '2026-03-07T17:00:00.000Z'],
    ['+1d', '2026-03-08T14:00:00.000Z'], // 10:00 EDT: the clock reading is kept, 23 h later
    ['+1w', '2026-03-14T14:00:00.000Z'],
    ['2026-03-08T01:30', '2026-03-08T06:30:00.000Z'],
    ['2026-03-08 01:30', '2026-03-08T06:30:00.000Z'],
    ['2026-03-08T02:30', '2026-03-08T07:30:00.000Z'], // in the gap: 03:30 EDT
    ['2026-03-08T01:30Z', '2026-03-08T01:30:00.000Z'],
    ['2026-03-08T01:30+09:00', '2026-03-07T16:30:00.000Z'],
    ['2026-03-09', '2026-03-09T04:00:00.000Z'],
    ['tomorrow 09:00', '2026-03-08T13:00:00.000Z'],
    ['today 8:00', '2026-03-07T13:00:00.000Z'],
    ['mon 09:00', '2026-03-09T13:00:00.000Z'],
    ['Monday 09:00', '2026-03-09T13:00:00.000Z'],
    ['sat 11:00', '2026-03-07T16:00:00.000Z'], // later today
    ['sat 09:00', '2026-03-14T13:00:00.000Z'], // already past today: next week
  ])('reads %j', (text, iso) => {
    expect(parseWhen(text, NY, now)?.toISOString()).toBe(iso);
  });

  it.each(['', 'soon', 'yesterday 09:00', '+2m', '+h', '2h', 'mon', 'mon 25:00', 'tomorrow 9', '09:00', '2026-02-30T09:00', '2026-03-08T24:00', '2026-03-08T09:00+25:00'])(
    'rejects %j',
    (text) => {
      expect(parseWhen(text, NY, now)).toBeNull();
    },
  );

  it('rejects an unknown time zone', () => {
    expect(parseWhen('now', 'Mars/Olympus', now)).toBeNull();
  });
});

describe('rotation schema', () => {
  const config = z.object({ rotations: rotationsSchema });
  const good = { members: ['alice'], shift: '1w', handoff: '09:00', start: '2026-01-05' };

  function problems(rotations: unknown[]): string[] {
    const result = config.safeParse({ rotations });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  }

  it('normalises shifts, clocks, dates and override times', () => {
    const r = rotationSchema.parse({
      id: 'backend-primary',
      timeZone: 'Asia/Seoul',
      layers: [{ members: ['alice', 'bob'], shift: '12h', handoff: '9:00', start: new Date('2026-01-05T00:00:00Z'), hours: '9:00-18:00' }],
      overrides: [{ user: 'dave', from: '2026-02-01T09:00', to: new Date('2026-02-03T00:00:00Z') }],
    });
    expect(r.layers[0]).toMatchObject({ shift: { n: 12, unit: 'hours' }, handoff: '09:00', start: '2026-01-05', hours: '09:00-18:00' });
    expect(r.overrides).toEqual([{ user: 'dave', from: '2026-02-01T00:00:00.000Z', to: '2026-02-03T00:00:00.000Z' }]);
  });

  it('points at the field and says what to write', () => {
    const base = { id: 'backend', timeZone: 'Asia/Seoul' };
    expect(problems([{ ...base, layers: [good, { ...good, shift: '2x' }] }])).toEqual(['rotations.0.layers.1.shift: use <n>h, <n>d or <n>w, e.g. 1w']);
    expect(problems([{ ...base, layers: [{ ...good, shift: '0d' }] }])).toEqual(['rotations.0.layers.0.shift: use <n>h, <n>d or <n>w, e.g. 1w']);
    expect(problems([{ ...base, timeZone: 'Mars/Olympus', layers: [good] }])).toEqual(['rotations.0.timeZone: not an IANA time zone, e.g. Asia/Seoul']);
    expect(problems([{ ...base, layers: [{ ...good, handoff: '9am' }] }])).toEqual(['rotations.0.layers.0.handoff: use HH:MM, e.g. "09:00"']);
    expect(problems([{ ...base, layers: [{ ...good, handoff: 540 }] }])).toEqual(['rotations.0.layers.0.handoff: use HH:MM, e.g. "09:00"']);
    expect(problems([{ ...base, layers: [{ ...good, members: [] }] }])).toEqual(['rotations.0.layers.0.members: list at least one member']);
    expect(problems([{ ...base, layers: [{ ...good, members: [123456789] }] }])).toEqual(['rotations.0.layers.0.members.0: a user id; quote ids made of digits']);
    expect(problems([{ ...base, layers: [{ ...good, start: '2026-02-30' }] }])).toEqual(['rotations.0.layers.0.start: use a date like 2026-01-05']);
    expect(problems([{ ...base, layers: [{ ...good, days: ['monday'] }] }])).toEqual(['rotations.0.layers.0.days.0: use mon, tue, wed, thu, fri, sat or sun']);
    expect(problems([{ ...base, layers: [{ ...good, hours: '9-5' }] }])).toEqual(['rotations.0.layers.0.hours: use HH:MM-HH:MM, e.g. 09:00-18:00']);
    expect(problems([{ ...base, layers: [{ ...good, hours: '09:00-09:00' }] }])).toEqual(['rotations.0.layers.0.hours: start and end must differ']);
    expect(problems([{ ...base, layers: [] }])).toEqual(['rotations.0.layers: add at least one layer']);
    expect(problems([{ ...base, id: 'Backend', layers: [good] }])).toEqual(['rotations.0.id: lowercase letters, digits, - or _']);
  });

  it('checks overrides against the rotation and ids across rotations', () => {
    const base = { id: 'backend', timeZone: 'Asia/Seoul', layers: [good] };
    expect(problems([{ ...base, overrides: [{ user: 'dave', from: '2026-02-03T09:00', to: '2026-02-01T09:00' }] }])).toEqual([
      'rotations.0.overrides.0.to: must be after from',
    ]);
    expect(problems([{ ...base, overrides: [{ user: 'dave', from: 'soon', to: '2026-02-01T09:00' }] }])).toEqual([
      'rotations.0.overrides.0.from: use a time like 2026-02-01T09:00, or with Z or an offset',
    ]);
    expect(problems([base, { ...base, name: 'Again' }])).toEqual(['rotations.1.id: duplicate rotation backend']);
    expect(problems([{ ...base, layers: [{ ...good, member: ['x'] }] }])).toEqual([expect.stringMatching(/^rotations\.0\.layers\.0: .*member/)]);
  });

  it('reports every problem in one go, missing fields included', () => {
    const base = { id: 'backend', timeZone: 'Asia/Seoul' };
    expect(problems([{ ...base, layers: [{ ...good, shift: '1x', handoff: undefined }], overrides: [{ user: 'dave', from: 'soon' }] }])).toEqual([
      'rotations.0.layers.0.shift: use <n>h, <n>d or <n>w, e.g. 1w',
      'rotations.0.layers.0.handoff: missing; use HH:MM, e.g. "09:00"',
      'rotations.0.overrides.0.from: use a time like 2026-02-01T09:00, or with Z or an offset',
      'rotations.0.overrides.0.to: missing; use a time like 2026-02-01T09:00, or with Z or an offset',
    ]);
  });

  it('defaults to no rotations', () => {
    expect(config.parse({}).rotations).toEqual([]);
  });
});
