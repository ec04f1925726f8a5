import { describe, expect, it } from 'vitest';
import { IncidentError, type ErrorCode } from '../../src/core/errors.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import {
  acceptsMessages,
  decideAction,
  decideActionDone,
  decideCancel,
  decideClose,
  decideNote,
  decideResolve,
  decideRole,
  decideSeverity,
  decideStatus,
  declareEvents,
} from '../../src/core/lifecycle.js';
import { ACTIVE_STATUSES, type ActiveStatus, type Actor, type Incident } from '../../src/core/model.js';
import { BOT, project } from '../../src/core/projection.js';

const KEY = { workspace: 'T1', number: 7 };
const alice: Actor = { id: 'U1', name: 'Alice' };
const bob: Actor = { id: 'U2', name: 'Bob' };
const carol: Actor = { id: 'U3', name: 'Carol' };
/** 2025-12-26T09:MM:00Z: minutes after the declaration. */
const at = (min: number): Date => new Date(Date.UTC(2025, 11, 26, 9, min));
const iso = (min: number): string => at(min).toISOString();

function declared(severity = 'P2'): Incident {
  return project(null, declareEvents({ title: 'Checkout is down', summary: '', severity, private: false }, alice, at(0)), KEY);
}

/** Runs a decision and applies its events, as the store does. */
function step(inc: Incident, decide: (inc: Incident) => IncidentEvent[]): Incident {
  return project(inc, decide(inc));
}

function expectRefused(fn: () => unknown, code: ErrorCode, details?: Record<string, string | number>): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(IncidentError);
  const err = thrown as IncidentError;
  expect(err.code).toBe(code);
  if (details) expect(err.details).toMatchObject(details);
}

const resolved = (): Incident => step(declared(), (i) => decideResolve(i, 'rolled back', bob, at(20)));
const closed = (): Incident => step(resolved(), (i) => decideClose(i, carol, at(30)));
const cancelled = (): Incident => step(declared(), (i) => decideCancel(i, 'false alarm', bob, at(5)));

describe('declare', () => {
  it('records the declaration and makes the declarer commander', () => {
    const events = declareEvents({ title: 'Checkout is down', summary: 'card payments fail', service: 'payments', severity: 'P1', private: true }, alice, at(0));
    expect(events.map((e) => e.type)).toEqual(['declared', 'role_assigned']);
    expect(events.every((e) => e.at === iso(0) && e.actor.id === alice.id)).toBe(true);

    const inc = project(null, events, KEY);
    expect(inc).toMatchObject({
      ref: 'INC-7',
      title: 'Checkout is down',
      summary: 'card payments fail',
      service: 'payments',
      severity: 'P1',
      private: true,
      status: 'investigating',
      declaredAt: iso(0),
      lastUpdateAt: iso(0),
      statusHistory: [{ status: 'investigating', at: iso(0) }],
      roles: { commander: alice },
      participants: [alice],
      actionItems: [],
      version: 2,
    });
    expect(inc.resolvedAt).toBeUndefined();
    expect(inc.closedAt).toBeUndefined();
  });
});

describe('legal transitions', () => {
  const pairs: [ActiveStatus, ActiveStatus][] = ACTIVE_STATUSES.flatMap((from) =>
    ACTIVE_STATUSES.filter((to) => to !== from).map((to): [ActiveStatus, ActiveStatus] => [from, to]),
  );

  it.each(pairs)('%s → %s is a status_changed event that moves lastUpdateAt', (from, to) => {
    let inc = declared();
    if (from !== 'investigating') inc = step(inc, (i) => decideStatus(i, from, undefined, alice, at(3)));
    const events = decideStatus(inc, to, 'found the bad deploy', bob, at(10));
    expect(events).toEqual([
      { type: 'status_changed', from, to, message: 'found the bad deploy', at: iso(10), actor: bob },
    ]);
    const after = project(inc, events);
    expect(after.status).toBe(to);
    expect(after.lastUpdateAt).toBe(iso(10));
    expect(after.statusHistory.at(-1)).toEqual({ status: to, at: iso(10) });
    expect(after.version).toBe(inc.version + 1);
  });

  it('leaves the message out of the event when none is given', () => {
    const [e] = decideStatus(declared(), 'identified', undefined, alice, at(1));
    expect(e).not.toHaveProperty('message');
  });

  it('walks investigating → identified → monitoring → resolved → closed with every step in the history', () => {
    let inc = declared();
    inc = step(inc, (i) => decideStatus(i, 'identified', 'bad deploy', alice, at(5)));
    inc = step(inc, (i) => decideStatus(i, 'monitoring', 'rolled back', alice, at(12)));
    inc = step(inc, (i) => decideResolve(i, 'error rate normal', bob, at(20)));
    expect(inc.status).toBe('resolved');
    expect(inc.resolvedAt).toBe(iso(20));
    expect(inc.resolution).toBe('error rate normal');
    expect(inc.lastUpdateAt).toBe(iso(20));
    expect(inc.closedAt).toBeUndefined();

    inc = step(inc, (i) => decideClose(i, carol, at(45)));
    expect(inc.status).toBe('closed');
    expect(inc.closedAt).toBe(iso(45));
    expect(inc.resolvedAt).toBe(iso(20));
    expect(inc.statusHistory).toEqual([
      { status: 'investigating', at: iso(0) },
      { status: 'identified', at: iso(5) },
      { status: 'monitoring', at: iso(12) },
      { status: 'resolved', at: iso(20) },
      { status: 'closed', at: iso(45) },
    ]);
  });

  it('can go back from monitoring to investigating', () => {
    let inc = step(declared(), (i) => decideStatus(i, 'monitoring', undefined, alice, at(5)));
    inc = step(inc, (i) => decideStatus(i, 'investigating', 'errors are back', alice, at(9)));
    expect(inc.status).toBe('investigating');
    expect(inc.statusHistory.map((s) => s.status)).toEqual(['investigating', 'monitoring', 'investigating']);
  });

  it('resolves straight from investigating; the event carries the summary only when given', () => {
    const withSummary = decideResolve(declared(), 'fixed', bob, at(20));
    expect(withSummary).toEqual([{ type: 'resolved', summary: 'fixed', at: iso(20), actor: bob }]);
    const bare = decideResolve(declared(), undefined, bob, at(20));
    expect(bare).toEqual([{ type: 'resolved', at: iso(20), actor: bob }]);
    expect(project(declared(), bare).resolution).toBeUndefined();
  });

  it.each(ACTIVE_STATUSES)('cancels from %s', (from) => {
    let inc = declared();
    if (from !== 'investigating') inc = step(inc, (i) => decideStatus(i, from, undefined, alice, at(2)));
    const events = decideCancel(inc, 'false alarm', bob, at(6));
    expect(events).toEqual([{ type: 'cancelled', reason: 'false alarm', at: iso(6), actor: bob }]);
    const after = project(inc, events);
    expect(after.status).toBe('cancelled');
    expect(after.cancelledAt).toBe(iso(6));
    expect(after.resolvedAt).toBeUndefined();
    expect(after.statusHistory.at(-1)).toEqual({ status: 'cancelled', at: iso(6) });
  });

  it('changes the severity without touching the update clock', () => {
    const inc = declared('P3');
    const events = decideSeverity(inc, 'P1', 'all regions', bob, at(4));
    expect(events).toEqual([{ type: 'severity_changed', from: 'P3', to: 'P1', reason: 'all regions', at: iso(4), actor: bob }]);
    const after = project(inc, events);
    expect(after.severity).toBe('P1');
    expect(after.lastUpdateAt).toBe(iso(0));
  });

  it('records a note without changing status or the update clock', () => {
    const after = step(declared(), (i) => decideNote(i, 'checking the load balancer', bob, at(3)));
    expect(after.status).toBe('investigating');
    expect(after.lastUpdateAt).toBe(iso(0));
    expect(after.version).toBe(declared().version + 1);
  });
});

describe('illegal transitions', () => {
  it('refuses setting the status it already has', () => {
    expectRefused(() => decideStatus(declared(), 'investigating', undefined, alice, at(1)), 'same_status', { ref: 'INC-7', status: 'investigating' });
    const identified = step(declared(), (i) => decideStatus(i, 'identified', undefined, alice, at(1)));
    expectRefused(() => decideStatus(identified, 'identified', 'again', alice, at(2)), 'same_status');
  });

  it('refuses the severity it already has', () => {
    expectRefused(() => decideSeverity(declared('P2'), 'P2', undefined, alice, at(1)), 'same_severity', { severity: 'P2' });
  });

  it.each(ACTIVE_STATUSES)('refuses a status change to %s after resolve', (to) => {
    expectRefused(() => decideStatus(resolved(), to, undefined, alice, at(25)), 'illegal_transition', { ref: 'INC-7', from: 'resolved', to });
  });

  it('refuses resolving twice', () => {
    expectRefused(() => decideResolve(resolved(), 'again', alice, at(25)), 'illegal_transition', { from: 'resolved', to: 'resolved' });
  });

  it('refuses cancelling a resolved incident', () => {
    expectRefused(() => decideCancel(resolved(), 'oops', alice, at(25)), 'illegal_transition', { from: 'resolved', to: 'cancelled' });
  });

  it.each(ACTIVE_STATUSES)('refuses closing while %s (not resolved yet)', (status) => {
    let inc = declared();
    if (status !== 'investigating') inc = step(inc, (i) => decideStatus(i, status, undefined, alice, at(2)));
    expectRefused(() => decideClose(inc, alice, at(5)), 'not_resolved', { ref: 'INC-7', status });
  });

  const afterTheEnd: [string, (inc: Incident) => unknown][] = [
    ['status', (i) => decideStatus(i, 'identified', undefined, alice, at(50))],
    ['severity', (i) => decideSeverity(i, 'P1', undefined, alice, at(50))],
    ['role', (i) => decideRole(i, 'scribe', bob, alice, at(50))],
    ['note', (i) => decideNote(i, 'late thought', alice, at(50))],
    ['resolve', (i) => decideResolve(i, undefined, alice, at(50))],
    ['cancel', (i) => decideCancel(i, undefined, alice, at(50))],
    ['close', (i) => decideClose(i, alice, at(50))],
  ];

  it.each(afterTheEnd)('refuses %s after close', (_name, decide) => {
    expectRefused(() => decide(closed()), 'incident_finished', { ref: 'INC-7', status: 'closed' });
  });

  it.each(afterTheEnd)('refuses %s after cancel', (_name, decide) => {
    expectRefused(() => decide(cancelled()), 'incident_finished', { ref: 'INC-7', status: 'cancelled' });
  });

  it('refuses a new action item on a cancelled incident', () => {
    expectRefused(() => decideAction(cancelled(), { text: 'x', horizon: '1w' }, alice, at(50)), 'incident_finished', { status: 'cancelled' });
  });

  it('takes action items after close (postmortem follow-ups)', () => {
    const after = step(closed(), (i) => decideAction(i, { text: 'add an alert', horizon: 'q' }, alice, at(60)));
    expect(after.actionItems.map((a) => a.id)).toEqual(['A1']);
    expect(after.status).toBe('closed');
  });

  it('stops accepting channel messages once closed or cancelled', () => {
    expect(acceptsMessages(declared())).toBe(true);
    expect(acceptsMessages(resolved())).toBe(true);
    expect(acceptsMessages(closed())).toBe(false);
    expect(acceptsMessages(cancelled())).toBe(false);
  });
});

describe('action items', () => {
  it('numbers items A1, A2, A3 and records owner, horizon and creation time', () => {
    let inc = declared();
    inc = step(inc, (i) => decideAction(i, { text: 'add a canary', horizon: '1w' }, alice, at(10)));
    inc = step(inc, (i) => decideAction(i, { text: 'alert on 5xx', owner: bob, horizon: '1m' }, alice, at(11)));
    inc = step(inc, (i) => decideAction(i, { text: 'rewrite deploys', horizon: 'q' }, carol, at(12)));
    expect(inc.actionItems).toEqual([
      { id: 'A1', text: 'add a canary', horizon: '1w', status: 'open', createdAt: iso(10) },
      { id: 'A2', text: 'alert on 5xx', owner: bob, horizon: '1m', status: 'open', createdAt: iso(11) },
      { id: 'A3', text: 'rewrite deploys', horizon: 'q', status: 'open', createdAt: iso(12) },
    ]);
  });

  it('marks one item done (id in any case) and leaves the others open', () => {
    let inc = declared();
    inc = step(inc, (i) => decideAction(i, { text: 'one', horizon: '1w' }, alice, at(10)));
    inc = step(inc, (i) => decideAction(i, { text: 'two', horizon: '1w' }, alice, at(11)));
    const events = decideActionDone(inc, 'a2', bob, at(12));
    expect(events).toEqual([{ type: 'action_completed', id: 'A2', at: iso(12), actor: bob }]);
    inc = project(inc, events);
    expect(inc.actionItems.map((a) => [a.id, a.status])).toEqual([
      ['A1', 'open'],
      ['A2', 'done'],
    ]);
  });

  it('refuses marking an item done twice', () => {
    let inc = step(declared(), (i) => decideAction(i, { text: 'one', horizon: '1w' }, alice, at(10)));
    inc = step(inc, (i) => decideActionDone(i, 'A1', alice, at(11)));
    expectRefused(() => decideActionDone(inc, 'A1', bob, at(12)), 'action_already_done', { id: 'A1' });
  });

  it('refuses an unknown item', () => {
    const inc = step(declared(), (i) => decideAction(i, { text: 'one', horizon: '1w' }, alice, at(10)));
    expectRefused(() => decideActionDone(inc, 'A9', alice, at(11)), 'unknown_action_item', { ref: 'INC-7', id: 'A9' });
  });
});

describe('roles and participants', () => {
  it('hands a role over and records who held it before', () => {
    let inc = declared();
    const first = decideRole(inc, 'comms', bob, alice, at(2));
    expect(first).toEqual([{ type: 'role_assigned', role: 'comms', user: bob, at: iso(2), actor: alice }]);
    inc = project(inc, first);
    expect(inc.roles.comms).toEqual(bob);

    const second = decideRole(inc, 'comms', carol, alice, at(3));
    expect(second).toEqual([{ type: 'role_assigned', role: 'comms', user: carol, previous: bob, at: iso(3), actor: alice }]);
    inc = project(inc, second);
    expect(inc.roles).toEqual({ commander: alice, comms: carol });
  });

  it('replaces the commander, keeping the previous one as a participant', () => {
    const [e] = decideRole(declared(), 'commander', bob, alice, at(2));
    expect(e).toMatchObject({ role: 'commander', user: bob, previous: alice });
    const inc = project(declared(), [e as IncidentEvent]);
    expect(inc.roles.commander).toEqual(bob);
    expect(inc.participants.map((p) => p.id)).toEqual([alice.id, bob.id]);
  });

  it('lists each person once, in order of first appearance, and never the bot', () => {
    let inc = declared();
    inc = project(inc, [event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-7-checkout' }, BOT, at(0))]);
    inc = project(inc, [event({ type: 'summary_posted', messageId: 'M1' }, BOT, at(0))]);
    inc = step(inc, (i) => decideNote(i, 'first', bob, at(1)));
    inc = step(inc, (i) => decideNote(i, 'second', bob, at(2)));
    inc = step(inc, (i) => decideNote(i, 'third', alice, at(3)));
    inc = step(inc, (i) => decideRole(i, 'scribe', carol, alice, at(4)));
    inc = step(inc, (i) => decideRole(i, 'comms', carol, alice, at(5)));
    inc = step(inc, (i) => decideRole(i, 'comms', BOT, alice, at(6)));
    expect(inc.participants.map((p) => p.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(inc.participants.some((p) => p.id === BOT.id)).toBe(false);
  });

  it('counts an action item owner as a participant', () => {
    const inc = step(declared(), (i) => decideAction(i, { text: 'x', owner: carol, horizon: '1w' }, alice, at(3)));
    expect(inc.participants.map((p) => p.id)).toEqual([alice.id, carol.id]);
  });
});
