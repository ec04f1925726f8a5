import { describe, expect, it } from 'vitest';
import { effectsFor } from '../../src/core/effects.js';
import { IncidentError } from '../../src/core/errors.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { plainTimes } from '../../src/core/chat-time.js';
import { digestMessage, entryLine, reminderMessage } from '../../src/core/followup-messages.js';
import { actionsFilter, addHorizon, digestStillDue, digestsToArm, doneItemId, followupEntries, horizonFor, parseDue, type FollowupEntry } from '../../src/core/followups.js';
import { decideCloseAndAsk, decideNoFollowups } from '../../src/core/followups-close.js';
import { translator } from '../../src/core/i18n/index.js';
import { decideAction, decideActionDone, decideResolve, declareEvents, type NewActionItem } from '../../src/core/lifecycle.js';
import { decideReopen } from '../../src/core/guidance.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { parseConfig } from '../../src/config.js';

const KEY = { workspace: 'T1', number: 7 };
const alice: Actor = { id: 'U1', name: 'Alice' };
const bob: Actor = { id: 'U2', name: 'Bob' };
const t = translator('en');
const SEOUL = 'Asia/Seoul';

const declared = (drill?: { scenario: string }): Incident =>
  project(null, declareEvents({ title: 'Checkout is down', summary: '', severity: 'P2', private: false, ...(drill ? { drill } : {}) }, alice, new Date('2026-03-02T00:00:00Z')), KEY);
const step = (inc: Incident, decide: (inc: Incident) => IncidentEvent[]): Incident => project(inc, decide(inc));
const add = (inc: Incident, item: NewActionItem, at: string) => step(inc, (i) => decideAction(i, item, alice, new Date(at)));
const resolve = (inc: Incident, at: string) => step(inc, (i) => decideResolve(i, undefined, alice, new Date(at)));

function refused(fn: () => unknown): IncidentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IncidentError) return err;
    throw err;
  }
  throw new Error('nothing thrown');
}

describe('due dates', () => {
  it('counts a horizon as 7 days, one calendar month or three (a 31st becomes the month end)', () => {
    expect(addHorizon('2026-03-02T05:00:00.000Z', '1w')).toBe('2026-03-09T05:00:00.000Z');
    expect(addHorizon('2026-01-31T05:00:00.000Z', '1m')).toBe('2026-02-28T05:00:00.000Z');
    expect(addHorizon('2026-11-30T23:59:00.000Z', 'q')).toBe('2027-02-28T23:59:00.000Z');
    expect(addHorizon('2026-03-02T05:00:00.000Z', 'q')).toBe('2026-06-02T05:00:00.000Z');
  });

  it('gives an item added before the resolve its due date at the resolve, one added after from when it was added', () => {
    let inc = add(declared(), { text: 'alert on pool usage', horizon: '1w', owner: bob }, '2026-03-02T01:00:00Z');
    expect(inc.actionItems[0]?.dueAt).toBeUndefined();
    inc = resolve(inc, '2026-03-02T03:00:00Z');
    expect(inc.actionItems[0]?.dueAt).toBe('2026-03-09T03:00:00.000Z');
    inc = add(inc, { text: 'load test', horizon: '1m' }, '2026-03-05T10:00:00Z');
    expect(inc.actionItems[1]?.dueAt).toBe('2026-04-05T10:00:00.000Z');
  });

  it('keeps a typed date, and a due date once set through a reopen and the next resolve', () => {
    let inc = add(declared(), { text: 'runbook', horizon: '1m', dueAt: '2026-12-15T14:59:59.999Z' }, '2026-03-02T01:00:00Z');
    expect(inc.actionItems[0]?.dueAt).toBe('2026-12-15T14:59:59.999Z');
    inc = add(inc, { text: 'canary', horizon: '1w' }, '2026-03-02T01:10:00Z');
    inc = resolve(inc, '2026-03-02T03:00:00Z');
    inc = step(inc, (i) => decideReopen(i, 'back', false, alice, new Date('2026-03-03T00:00:00Z')));
    inc = resolve(inc, '2026-03-04T00:00:00Z');
    expect(inc.actionItems.map((a) => a.dueAt)).toEqual(['2026-12-15T14:59:59.999Z', '2026-03-09T03:00:00.000Z']);
  });

  it('counts a horizon in the zone the item was added in: calendar months and weeks at the same wall time', () => {
    // 08:00 on 2026-03-31 in Seoul is still 2026-03-30 in UTC: a month later is 2026-04-30 08:00 in Seoul.
    expect(addHorizon('2026-03-30T23:00:00.000Z', '1m', SEOUL)).toBe('2026-04-29T23:00:00.000Z');
    expect(addHorizon('2026-03-30T23:00:00.000Z', '1m')).toBe('2026-04-30T23:00:00.000Z');
    expect(addHorizon('2026-03-30T23:00:00.000Z', 'q', SEOUL)).toBe('2026-06-29T23:00:00.000Z');
    // A week across Berlin's DST change keeps 11:00.
    expect(addHorizon('2026-03-25T10:00:00.000Z', '1w', 'Europe/Berlin')).toBe('2026-04-01T09:00:00.000Z');
    let inc = add(declared(), { text: 'alert', horizon: '1m', owner: bob, timeZone: SEOUL }, '2026-03-02T01:00:00Z');
    inc = resolve(inc, '2026-03-30T23:00:00Z');
    expect(inc.actionItems[0]?.dueAt).toBe('2026-04-29T23:00:00.000Z');
  });

  it('records when an item was done', () => {
    let inc = add(declared(), { text: 'x', horizon: '1w' }, '2026-03-02T01:00:00Z');
    inc = step(inc, (i) => decideActionDone(i, 'a1', bob, new Date('2026-03-04T08:00:00Z')));
    expect(inc.actionItems[0]).toMatchObject({ status: 'done', completedAt: '2026-03-04T08:00:00.000Z' });
  });
});

describe('--due as typed', () => {
  const now = new Date('2026-03-02T00:00:00Z'); // 09:00 in Seoul

  it('takes a horizon in any spelling', () => {
    expect(parseDue('1W', { timeZone: SEOUL, now })).toEqual({ horizon: '1w' });
    expect(parseDue('quarter', { timeZone: SEOUL, now })).toEqual({ horizon: 'q' });
  });

  it('takes a date as the end of that day in the configured zone, with the horizon it falls in', () => {
    expect(parseDue('2026-12-15', { timeZone: SEOUL, now })).toEqual({ horizon: 'q', dueAt: '2026-12-15T14:59:59.999Z' });
    expect(parseDue('2026-03-09', { timeZone: SEOUL, now })).toEqual({ horizon: '1w', dueAt: '2026-03-09T14:59:59.999Z' });
    expect(parseDue('2026-03-10', { timeZone: SEOUL, now }).horizon).toBe('1m');
    expect(parseDue('2026-04-02', { timeZone: SEOUL, now }).horizon).toBe('1m');
    expect(parseDue('2026-04-03', { timeZone: SEOUL, now }).horizon).toBe('q');
    // Today is still due today.
    expect(parseDue('2026-03-02', { timeZone: SEOUL, now }).dueAt).toBe('2026-03-02T14:59:59.999Z');
  });

  it('refuses a past date, naming today in the zone', () => {
    const err = refused(() => parseDue('2026-03-01', { timeZone: SEOUL, now }));
    expect(err.code).toBe('due_in_past');
    expect(err.details).toMatchObject({ value: '2026-03-01', today: '2026-03-02' });
    expect(refused(() => parseDue('2025-01-01', { timeZone: SEOUL, now })).code).toBe('due_in_past');
  });

  it.each(['tomorrowish', '2026-02-30', '2026-13-01', '15.12.2026', ''])('refuses %j as no horizon or date', (text) => {
    expect(refused(() => parseDue(text, { timeZone: SEOUL, now })).code).toBe('bad_horizon');
  });

  it('picks horizons by calendar day in the zone', () => {
    const from = Date.parse('2026-03-02T00:00:00Z');
    expect(horizonFor(Date.parse('2026-03-09T14:59:59.999Z'), from, SEOUL)).toBe('1w');
    expect(horizonFor(Date.parse('2026-03-10T14:59:59.999Z'), from, SEOUL)).toBe('1m');
  });
});

describe('the weekly digest', () => {
  it('waits for the configured weekday and hour in the zone, and catches up one missed within a day', () => {
    const monday9 = { day: 'monday' as const, hour: 9 };
    // 2026-03-02 is a Monday; 09:00 in Seoul is 00:00Z.
    expect(digestsToArm(monday9, SEOUL, new Date('2026-03-01T12:00:00Z')).map((d) => d.toISOString())).toEqual(['2026-03-02T00:00:00.000Z']);
    expect(digestsToArm(monday9, SEOUL, new Date('2026-03-02T05:00:00Z')).map((d) => d.toISOString())).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
    expect(digestsToArm(monday9, SEOUL, new Date('2026-03-04T00:00:00Z')).map((d) => d.toISOString())).toEqual(['2026-03-09T00:00:00.000Z']);
    expect(digestStillDue(monday9, SEOUL, new Date('2026-03-02T00:00:00Z'), new Date('2026-03-02T00:00:01Z'))).toBe(true);
    expect(digestStillDue({ day: 'friday', hour: 9 }, SEOUL, new Date('2026-03-02T00:00:00Z'), new Date('2026-03-02T00:00:01Z'))).toBe(false);
  });

  it('lists open items by owner, marks overdue ones, and only counts those of private incidents', () => {
    const base = { workspace: 'T1', horizon: '1w' as const, createdAt: '2026-03-01T00:00:00.000Z', private: false };
    const entries: FollowupEntry[] = [
      { ...base, number: 7, ref: 'INC-7', id: 'A1', text: 'alert on <@U9> pool', owner: bob, dueAt: '2026-03-01T00:00:00.000Z' },
      { ...base, number: 8, ref: 'INC-8', id: 'A2', text: 'load test', owner: alice, dueAt: '2026-03-20T00:00:00.000Z' },
      { ...base, number: 8, ref: 'INC-8', id: 'A3', text: 'runbook' },
      { ...base, number: 9, ref: 'INC-9', id: 'A1', text: 'secret', owner: bob, private: true },
    ];
    const text = plainTimes(digestMessage(t, entries, { timeZone: 'UTC', now: new Date('2026-03-02T00:00:00Z') })?.text ?? '');
    expect(text).toContain(':clipboard: *Follow-ups*: 4 open, 1 overdue.');
    expect(text.indexOf('<@U1> (1):')).toBeLessThan(text.indexOf('<@U2> (1):'));
    expect(text).toContain('• A1 · INC-7 · alert on <\u2060@U9> pool · due 2026-03-01 00:00 · :warning: *overdue*');
    expect(text).toContain('_No owner_ (1):\n• A3 · INC-8 · runbook · due within 1 week after the resolve');
    expect(text).toContain('1 more in private incidents.');
    expect(text).not.toContain('secret');
    expect(digestMessage(t, [], { timeZone: 'UTC', now: new Date() })).toBeNull();
  });

  it('leaves drills out of the digest; /incident actions marks them DRILL', () => {
    const base = { workspace: 'T1', horizon: '1w' as const, createdAt: '2026-03-01T00:00:00.000Z', private: false, owner: bob };
    const drill: FollowupEntry = { ...base, number: 4, ref: 'INC-4', id: 'A1', text: 'practice item', drill: true };
    const real: FollowupEntry = { ...base, number: 5, ref: 'INC-5', id: 'A1', text: 'real item' };
    const now = new Date('2026-03-02T00:00:00Z');
    expect(digestMessage(t, [drill], { timeZone: 'UTC', now })).toBeNull();
    const text = digestMessage(t, [drill, real], { timeZone: 'UTC', now })?.text ?? '';
    expect(text).toContain('1 open, 0 overdue');
    expect(text).not.toContain('practice');
    expect(entryLine(t, drill, { timeZone: 'UTC', now })).toBe('• A1 · INC-4 · DRILL · practice item · <@U2> · due within 1 week after the resolve');
    expect(entryLine(t, real, { timeZone: 'UTC', now })).not.toContain('DRILL');
  });

  it('reminds about an item of a private incident by its reference only (a DM shows on lock screens)', () => {
    const e: FollowupEntry = { workspace: 'T1', number: 7, ref: 'INC-7', id: 'A3', text: 'rotate the payroll keys', horizon: '1w', createdAt: '', private: true, owner: bob, dueAt: '2026-03-09T03:00:00.000Z' };
    for (const kind of ['before', 'overdue', 'weekly'] as const) {
      const dm = plainTimes(reminderMessage(t, e, kind, SEOUL).text);
      expect(dm).not.toContain('payroll');
      expect(dm).toContain('A3 of INC-7');
      expect(dm).toContain('INC-7 is a private incident: what the item says is in its channel.');
      expect(dm).toContain('`/incident action done A3 INC-7`');
    }
    expect(plainTimes(reminderMessage(t, e, 'before', SEOUL).text).split('\n')[0]).toBe(':alarm_clock: Follow-up A3 of INC-7 is due 2026-03-09 12:00.');
  });

  it('reminds with the item, its incident and how to mark it done', () => {
    const e: FollowupEntry = { workspace: 'T1', number: 7, ref: 'INC-7', id: 'A3', text: 'alert', horizon: '1w', createdAt: '', private: false, owner: bob, dueAt: '2026-03-09T03:00:00.000Z' };
    expect(plainTimes(reminderMessage(t, e, 'before', SEOUL).text)).toBe(':alarm_clock: Follow-up A3 of INC-7 is due 2026-03-09 12:00: alert\nDone? `/incident action done A3 INC-7`');
  });
});

describe('the index entries and the effect that keeps them', () => {
  it('holds the open items of an incident, none of a cancelled one', () => {
    let inc = add(declared(), { text: 'a', horizon: '1w', owner: bob }, '2026-03-02T01:00:00Z');
    inc = add(inc, { text: 'b', horizon: 'q' }, '2026-03-02T01:01:00Z');
    inc = step(inc, (i) => decideActionDone(i, 'A1', bob, new Date('2026-03-02T02:00:00Z')));
    expect(followupEntries(inc).map((e) => e.id)).toEqual(['A2']);
    expect(followupEntries({ ...inc, status: 'cancelled' })).toEqual([]);
  });

  it("tells the owner once when someone else marks the item done, by reference only for a private incident, never for a drill", () => {
    const done = (inc: Incident, by: Actor) => {
      const events = decideActionDone(inc, 'A1', by, new Date('2026-03-04T08:00:00Z'));
      return effectsFor(project(inc, events), events, t).filter((e) => e.kind === 'followup_done');
    };
    const owned = add(declared(), { text: 'alert on <@U9> pool', horizon: '1w', owner: bob }, '2026-03-02T01:00:00Z');
    expect(done(owned, alice)).toEqual([
      { kind: 'followup_done', itemId: 'A1', user: bob, message: { text: ':white_check_mark: <@U1> marked follow-up A1 of INC-7 done: alert on <\u2060@U9> pool' } },
    ]);
    expect(done(owned, bob)).toEqual([]);
    expect(done(add(declared(), { text: 'x', horizon: '1w' }, '2026-03-02T01:00:00Z'), alice)).toEqual([]);
    const secret = done({ ...owned, private: true }, alice);
    expect(secret.map((e) => e.kind === 'followup_done' && e.message.text)).toEqual([':white_check_mark: <@U1> marked follow-up A1 of INC-7 done.']);
    expect(done(add(declared({ scenario: 'db-connection' }), { text: 'x', horizon: '1w', owner: bob }, '2026-03-02T01:00:00Z'), alice)).toEqual([]);
  });

  it('asks for sync_followups when items change, and on a resolve only with items', () => {
    const kinds = (inc: Incident, events: IncidentEvent[]) => effectsFor(project(inc, events), events, t).map((e) => e.kind);
    const fresh = declared();
    expect(kinds(fresh, decideAction(fresh, { text: 'x', horizon: '1w' }, alice, new Date('2026-03-02T01:00:00Z')))).toContain('sync_followups');
    expect(kinds(fresh, decideResolve(fresh, undefined, alice, new Date('2026-03-02T01:00:00Z')))).not.toContain('sync_followups');
    const withItem = add(fresh, { text: 'x', horizon: '1w' }, '2026-03-02T01:00:00Z');
    expect(kinds(withItem, decideResolve(withItem, undefined, alice, new Date('2026-03-02T02:00:00Z')))).toContain('sync_followups');
  });

  it('takes exactly one item id after `done`, and refuses anything else', () => {
    expect(doneItemId('done A3')).toBe('A3');
    expect(doneItemId('DONE 3 ')).toBe('3');
    for (const args of ['done', 'done A1 A2', 'done <!channel>', 'done fix it']) expect(refused(() => doneItemId(args)).code).toBe('bad_action_done');
  });

  it('reads the filter of /incident actions, any case', () => {
    expect(actionsFilter(undefined)).toBe('open');
    expect(actionsFilter('MINE')).toBe('mine');
    expect(refused(() => actionsFilter('closed')).code).toBe('bad_actions_filter');
  });
});

describe('closing without follow-ups', () => {
  const resolvedAt = new Date('2026-03-02T03:00:00Z');
  const close = new Date('2026-03-02T04:00:00Z');

  it('closes and asks, once; No follow-ups needed ticks the checklist step once', () => {
    const inc = resolve(declared(), resolvedAt.toISOString());
    const first = decideCloseAndAsk(inc, alice, close);
    expect(first.map((e) => e.type)).toEqual(['closed', 'followups_asked']);
    const closed = project(inc, first);
    expect(closed.status).toBe('closed');
    expect(closed.followupsAsked).toBe(true);
    const none = decideNoFollowups(closed, 'no follow-ups needed', alice, close);
    expect(none.map((e) => e.type)).toEqual(['checklist_ticked']);
    expect(decideNoFollowups(project(closed, none), 'no follow-ups needed', alice, close)).toEqual([]);
  });

  it('closes at once with follow-ups, and never asks for a drill', () => {
    const withItem = resolve(add(declared(), { text: 'x', horizon: '1w' }, '2026-03-02T01:00:00Z'), resolvedAt.toISOString());
    expect(decideCloseAndAsk(withItem, alice, close).map((e) => e.type)).toEqual(['closed']);
    const drill = resolve(declared({ scenario: 'db-connection' }), resolvedAt.toISOString());
    expect(decideCloseAndAsk(drill, alice, close).map((e) => e.type)).toEqual(['closed']);
  });

  it('refuses what close refuses (not resolved yet) without asking', () => {
    expect(refused(() => decideCloseAndAsk(declared(), alice, close)).code).toBe('not_resolved');
  });
});

describe('config followups.digest', () => {
  it('defaults to Monday 09:00, takes a weekday in any case or short, or false', () => {
    const defaults = parseConfig({});
    expect(defaults.ok && defaults.config.followups).toEqual({ digest: { day: 'monday', hour: 9 } });
    const set = parseConfig({ followups: { digest: { day: 'Fri', hour: 18 } } });
    expect(set.ok && set.config.followups.digest).toEqual({ day: 'friday', hour: 18 });
    const off = parseConfig({ followups: { digest: false } });
    expect(off.ok && off.config.followups.digest).toBe(false);
  });

  it('names the path of a bad day or hour', () => {
    const bad = parseConfig({ followups: { digest: { day: 'someday', hour: 24 } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/followups\.digest/);
  });
});
