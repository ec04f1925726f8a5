import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../src/config.js';
import { authorize } from '../../src/core/authz.js';
import { plainTimes } from '../../src/core/chat-time.js';
import { checklistMessage } from '../../src/core/checklist.js';
import { IncidentError } from '../../src/core/errors.js';
import { event } from '../../src/core/events.js';
import { decideChecklistTick, decideReminder, decideReopen, decideRolesReminder, decideSnooze, decideTakeRole, decideUpdate } from '../../src/core/guidance.js';
import { translator } from '../../src/core/i18n/index.js';
import { declareEvents, decideResolve, decideRole, decideStatus } from '../../src/core/lifecycle.js';
import type { Incident } from '../../src/core/model.js';
import { BOT, project } from '../../src/core/projection.js';
import { nextReminderAt } from '../../src/core/summary.js';

const alice = { id: 'U1', name: 'alice' };
const bob = { id: 'U2', name: 'bob' };
const t = translator('en');
const utc = (h: number, m: number) => new Date(Date.UTC(2025, 11, 26, h, m));
const SEV = DEFAULT_SEVERITIES;

/** A P1 (30-minute cadence) declared at 09:00 whose channel exists. */
function p1(severity = 'P1'): Incident {
  const inc = project(null, declareEvents({ title: 'DB down', summary: '', severity, private: false }, alice, utc(9, 0)), { workspace: 'local', number: 1 });
  return project(inc, [event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-1' }, BOT, utc(9, 0))]);
}

const apply = (inc: Incident, events: ReturnType<typeof decideUpdate>) => project(inc, events);

describe('update reminders', () => {
  it('fall due a cadence after the last update, then every cadence while nobody posts one', () => {
    let inc = p1();
    expect(nextReminderAt(inc, SEV)).toEqual(utc(9, 30));
    expect(decideReminder(inc, SEV, utc(9, 29))).toEqual([]);
    inc = apply(inc, decideReminder(inc, SEV, utc(9, 30)));
    expect(inc.remindedAt).toBe(utc(9, 30).toISOString());
    // Reminded for 09:30: the same timer again finds nothing, the next one is at 10:00.
    expect(decideReminder(inc, SEV, utc(9, 31))).toEqual([]);
    expect(nextReminderAt(inc, SEV)).toEqual(utc(10, 0));
  });

  it('after a Snooze, come when the snooze ends, sooner or later than the cadence would', () => {
    let inc = p1();
    inc = apply(inc, decideReminder(inc, SEV, utc(9, 30)));
    expect(nextReminderAt(apply(inc, decideSnooze(inc, 15, alice, utc(9, 31))), SEV)).toEqual(utc(9, 46));
    expect(nextReminderAt(apply(inc, decideSnooze(inc, 60, alice, utc(9, 31))), SEV)).toEqual(utc(10, 31));
  });

  it('after the snoozed reminder came, go on a cadence later, and a re-run of it reminds nobody again', () => {
    let inc = p1();
    inc = apply(inc, decideReminder(inc, SEV, utc(9, 30)));
    inc = apply(inc, decideSnooze(inc, 15, alice, utc(9, 31)));
    inc = apply(inc, decideReminder(inc, SEV, utc(9, 46)));
    expect(inc.remindedAt).toBe(utc(9, 46).toISOString());
    expect(nextReminderAt(inc, SEV)).toEqual(utc(10, 16));
    expect(decideReminder(inc, SEV, utc(9, 50))).toEqual([]);
    expect(decideReminder(inc, SEV, utc(10, 15))).toEqual([]);
    expect(decideReminder(inc, SEV, utc(10, 16))).toHaveLength(1);
  });

  it('start again from an update, which also ends a snooze', () => {
    let inc = apply(p1(), decideSnooze(p1(), 60, alice, utc(9, 10)));
    expect(nextReminderAt(inc, SEV)).toEqual(utc(10, 10));
    inc = apply(inc, decideUpdate(inc, 'rolled back', bob, utc(9, 20)));
    expect(inc.updateSnoozedUntil).toBeUndefined();
    expect(inc.lastUpdate).toEqual({ text: 'rolled back', at: utc(9, 20).toISOString(), by: bob });
    expect(nextReminderAt(inc, SEV)).toEqual(utc(9, 50));
  });

  it('never come before a snooze ends, nor once the incident is resolved or has no channel', () => {
    const inc = p1();
    expect(nextReminderAt(apply(inc, decideSnooze(inc, 15, alice, utc(9, 29))), SEV)).toEqual(utc(9, 44));
    expect(nextReminderAt(apply(inc, decideResolve(inc, undefined, alice, utc(9, 10))), SEV)).toBeUndefined();
    const noChannel = project(null, declareEvents({ title: 'x', summary: '', severity: 'P1', private: false }, alice, utc(9, 0)), { workspace: 'local', number: 2 });
    expect(nextReminderAt(noChannel, SEV)).toBeUndefined();
  });

  it('refuse an update or a snooze on an incident no longer worked on', () => {
    const resolved = apply(p1(), decideResolve(p1(), undefined, alice, utc(9, 10)));
    expect(() => decideUpdate(resolved, 'x', alice, utc(9, 11))).toThrow(IncidentError);
    expect(() => decideSnooze(resolved, 15, alice, utc(9, 11))).toThrow(IncidentError);
  });
});

describe('reopen', () => {
  it('takes a resolved incident back to investigating, clears its resolution and restarts the update clock', () => {
    const resolved = apply(p1(), decideResolve(p1(), 'fixed', alice, utc(9, 10)));
    const reopened = apply(resolved, decideReopen(resolved, 'back', false, alice, utc(9, 40)));
    expect(reopened.status).toBe('investigating');
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.resolution).toBeUndefined();
    expect(nextReminderAt(reopened, SEV)).toEqual(utc(10, 10));
    expect(reopened.checklist?.verified).toBeUndefined();
    expect(() => decideReopen(p1(), undefined, false, alice, utc(9, 1))).toThrow(IncidentError);
  });
});

describe('roles nobody holds', () => {
  it('are reminded once for a P1 ten minutes after declare, naming only the roles still missing', () => {
    let inc = apply(p1(), decideRole(p1(), 'scribe', bob, alice, utc(9, 2)));
    expect(decideRolesReminder(inc, SEV, utc(9, 9))).toEqual([]);
    const events = decideRolesReminder(inc, SEV, utc(9, 10));
    expect(events).toMatchObject([{ type: 'roles_reminded', missing: ['comms'] }]);
    inc = apply(inc, events);
    expect(decideRolesReminder(inc, SEV, utc(9, 30))).toEqual([]);
    expect(decideRolesReminder(p1('P3'), SEV, utc(9, 30))).toEqual([]);
  });

  it('can be taken by a volunteer only after the reminder and while nobody holds them; a volunteer comms posts no notices', () => {
    expect(() => decideTakeRole(p1(), 'comms', bob, utc(9, 5))).toThrow(IncidentError);
    const reminded = apply(p1(), decideRolesReminder(p1(), SEV, utc(9, 10)));
    const inc = apply(reminded, decideTakeRole(reminded, 'comms', bob, utc(9, 11)));
    expect(inc.roles.comms).toEqual(bob);
    expect(inc.volunteered?.comms).toBe(true);
    expect(() => decideTakeRole(inc, 'comms', alice, utc(9, 12))).toThrow(IncidentError);
    expect(() => authorize(inc, bob, 'notice', { admins: [] })).toThrow(IncidentError);
    // Handed by the commander, the role is comms' in full.
    const handed = apply(inc, decideRole(inc, 'comms', bob, alice, utc(9, 13)));
    expect(handed.volunteered?.comms).toBeUndefined();
    expect(() => authorize(handed, bob, 'notice', { admins: [] })).not.toThrow();
  });
});

describe('the checklist', () => {
  it('ticks steps from the timeline, keeps the first tick of each, and shows them with their time and reason', () => {
    let inc = p1();
    expect(Object.keys(inc.checklist ?? {})).toEqual(['graded']);
    inc = apply(inc, decideChecklistTick(inc, 'scope', 'a third of checkouts fail', alice, utc(9, 5)));
    inc = apply(inc, decideStatus(inc, 'monitoring', 'failover done', alice, utc(9, 20)));
    inc = apply(inc, decideUpdate(inc, 'still watching', alice, utc(9, 25)));
    inc = apply(inc, decideUpdate(inc, 'all good', alice, utc(9, 35)));
    // A status change with a message is an update: "notified" ticked at 09:20 and kept.
    expect(inc.checklist?.notified?.at).toBe(utc(9, 20).toISOString());
    expect(inc.checklist?.mitigated?.at).toBe(utc(9, 20).toISOString());
    expect(() => decideChecklistTick(inc, 'scope', 'again', alice, utc(9, 40))).toThrow(IncidentError);
    const text = plainTimes(checklistMessage(inc, t, 'UTC').text);
    expect(text).toContain('*Response checklist · INC-1* (4/10)');
    expect(text).toContain(':white_check_mark: 4. Scope (impact noted) · 2025-12-26 09:05 · by hand: a third of checkouts fail');
    expect(text).toContain(':white_large_square: 7. Verified (resolved)');
  });
});
