import { describe, expect, it } from 'vitest';
import { reminderStillDue, remindersToArm } from '../../src/core/followup-reminders.js';
import type { Actor } from '../../src/core/model.js';

/** When follow-up owners are reminded (issue 12, src/core/followup-reminders.ts). */

const bob: Actor = { id: 'U2', name: 'Bob' };
const SEOUL = 'Asia/Seoul';

describe('reminders', () => {
  // Due 12:00 in Seoul on 2026-03-09 (a horizon's date); reminders go out at 09:00 there (00:00Z).
  const due = '2026-03-09T03:00:00.000Z';
  const entry = { dueAt: due, createdAt: '2026-03-02T01:00:00.000Z', owner: bob };
  const at = (iso: string) => new Date(iso);
  const nine = { timeZone: SEOUL, hour: 9 };

  it('waits for 09:00 the day before, 09:00 the day after the due date, then every week at 09:00', () => {
    expect(remindersToArm(entry, at('2026-03-03T00:00:00Z'), nine)).toEqual([{ kind: 'before', at: '2026-03-08T00:00:00.000Z' }]);
    expect(remindersToArm(entry, at('2026-03-08T00:00:00Z'), nine)).toEqual([
      { kind: 'before', at: '2026-03-08T00:00:00.000Z' },
      { kind: 'overdue', at: '2026-03-10T00:00:00.000Z' },
    ]);
    expect(remindersToArm(entry, at('2026-03-10T01:00:00Z'), nine)).toEqual([
      { kind: 'overdue', at: '2026-03-10T00:00:00.000Z' },
      { kind: 'weekly', at: '2026-03-17T00:00:00.000Z' },
    ]);
    expect(remindersToArm(entry, at('2026-03-20T00:00:00Z'), nine)).toEqual([
      { kind: 'weekly', at: '2026-03-17T00:00:00.000Z' },
      { kind: 'weekly', at: '2026-03-24T00:00:00.000Z' },
    ]);
  });

  it('reminds about a typed date (due 23:59:59.999) at the working hour, not at 23:59', () => {
    const typed = { ...entry, dueAt: '2026-03-09T14:59:59.999Z' };
    expect(remindersToArm(typed, at('2026-03-03T00:00:00Z'), nine)).toEqual([{ kind: 'before', at: '2026-03-08T00:00:00.000Z' }]);
    expect(remindersToArm(typed, at('2026-03-09T15:00:00Z'), nine)).toEqual([
      { kind: 'before', at: '2026-03-08T00:00:00.000Z' },
      { kind: 'overdue', at: '2026-03-10T00:00:00.000Z' },
    ]);
    // The digest's hour when it has another: 18:00 in Seoul is 09:00Z.
    expect(remindersToArm(typed, at('2026-03-03T00:00:00Z'), { timeZone: SEOUL, hour: 18 })).toEqual([{ kind: 'before', at: '2026-03-08T09:00:00.000Z' }]);
  });

  it('counts calendar days in the zone across a DST change (Berlin, 2026-03-29)', () => {
    const berlin = { timeZone: 'Europe/Berlin', hour: 9 };
    // Due the end of 2026-03-28 in Berlin (CET): the day before at 09:00 CET, the day after at 09:00 CEST.
    const typed = { ...entry, dueAt: '2026-03-28T22:59:59.999Z' };
    expect(remindersToArm(typed, at('2026-03-29T07:00:00Z'), berlin)).toEqual([
      { kind: 'overdue', at: '2026-03-29T07:00:00.000Z' },
      { kind: 'weekly', at: '2026-04-05T07:00:00.000Z' },
    ]);
    expect(remindersToArm(typed, at('2026-03-26T00:00:00Z'), berlin)).toEqual([{ kind: 'before', at: '2026-03-27T08:00:00.000Z' }]);
    // Weekly reminders keep 09:00 over the change: 03-28 08:00Z, then 04-04 07:00Z.
    const earlier = { ...entry, dueAt: '2026-03-20T22:59:59.999Z' };
    expect(remindersToArm(earlier, at('2026-04-04T07:30:00Z'), berlin)).toEqual([
      { kind: 'weekly', at: '2026-04-04T07:00:00.000Z' },
      { kind: 'weekly', at: '2026-04-11T07:00:00.000Z' },
    ]);
    expect(remindersToArm(earlier, at('2026-04-04T06:59:00Z'), berlin)[0]).toEqual({ kind: 'weekly', at: '2026-03-28T08:00:00.000Z' });
  });

  it('sends no day-before reminder for an item added after its time, and none without an owner or due date, or of a drill', () => {
    const soon = { dueAt: due, createdAt: '2026-03-08T10:00:00.000Z', owner: bob };
    expect(remindersToArm(soon, at('2026-03-08T10:00:00Z'), nine)).toEqual([{ kind: 'overdue', at: '2026-03-10T00:00:00.000Z' }]);
    expect(remindersToArm({ ...entry, owner: undefined }, at('2026-03-03T00:00:00Z'), nine)).toEqual([]);
    expect(remindersToArm({ createdAt: entry.createdAt, owner: bob }, at('2026-03-03T00:00:00Z'), nine)).toEqual([]);
    expect(remindersToArm({ ...entry, drill: true }, at('2026-03-03T00:00:00Z'), nine)).toEqual([]);
    expect(reminderStillDue({ ...entry, drill: true }, { kind: 'before', at: '2026-03-08T00:00:00.000Z' }, at('2026-03-08T00:00:00Z'), nine)).toBe(false);
  });

  it('a timer still sends only the latest reminder that fell due (no pile-up after a long outage)', () => {
    const before = { kind: 'before' as const, at: '2026-03-08T00:00:00.000Z' };
    expect(reminderStillDue(entry, before, at('2026-03-08T00:00:00Z'), nine)).toBe(true);
    expect(reminderStillDue(entry, before, at('2026-03-10T00:00:00Z'), nine)).toBe(false);
    expect(reminderStillDue(entry, before, at('2026-03-07T03:00:00Z'), nine)).toBe(false);
    expect(reminderStillDue(entry, { kind: 'weekly', at: '2026-03-17T00:00:00.000Z' }, at('2026-03-25T00:00:00Z'), nine)).toBe(false);
  });
});
