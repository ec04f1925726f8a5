import { describe, expect, it } from 'vitest';
import { event, type EventBody, type IncidentEvent } from '../../src/core/events.js';
import { incidentTimes } from '../../src/core/metrics.js';
import type { Actor } from '../../src/core/model.js';
import { latestNames, withLatestNames } from '../../src/core/names.js';
import { participantsOf } from '../../src/core/participants.js';
import { BOT } from '../../src/core/projection.js';

/** Response figures to the second, from events with fixed times (no clock involved). */

const SEC = 1000;
const MIN = 60 * SEC;
const carol: Actor = { id: 'UCAROL', name: 'carol' };
const alice: Actor = { id: 'UALICE', name: 'alice' };
const dave: Actor = { id: 'UDAVE', name: 'dave' };
const erin: Actor = { id: 'UERIN', name: 'erin' };
const manager: Actor = { id: 'UMGR', name: 'manager' };

/** 2026-12-01 at `hh:mm:ss` UTC. */
const at = (clock: string): Date => new Date(`2026-12-01T${clock}Z`);
const ev = (body: EventBody, actor: Actor, clock: string): IncidentEvent => event(body, actor, at(clock)) as IncidentEvent;
const declared = (over: Partial<EventBody & { type: 'declared' }> = {}) =>
  ev({ type: 'declared', title: 'Checkout down', summary: '', severity: 'P3', private: false, ...over }, carol, '09:00:00');
const paged = (users: Actor[], tier: number, clock: string, step = tier): IncidentEvent =>
  ev({ type: 'paged', users, generation: 1, step, tier, round: 1 }, BOT, clock);
const ack = (who: Actor, clock: string, own?: true): IncidentEvent =>
  ev({ type: 'acknowledged', generation: 1, ttaMs: 0, ...(own ? { own } : {}) }, who, clock);

/** Tier 1 (alice) paged at 09:00, tier 2 (dave) at 09:05; dave answers at 09:09:12. */
function tieredIncident(): IncidentEvent[] {
  return [
    declared({ detectedAt: at('08:51:30').toISOString() }),
    ev({ type: 'role_assigned', role: 'commander', user: carol }, carol, '09:00:00'),
    paged([alice], 0, '09:00:00'),
    ev({ type: 'severity_changed', from: 'P3', to: 'P1', reason: 'all checkouts fail' }, carol, '09:03:20'),
    paged([dave], 1, '09:05:00'),
    ack(dave, '09:09:12'),
    ev({ type: 'status_changed', from: 'investigating', to: 'identified' }, dave, '09:12:00'),
    ev({ type: 'severity_changed', from: 'P1', to: 'P2' }, carol, '09:20:05'),
    ev({ type: 'status_changed', from: 'identified', to: 'monitoring', message: 'rolled back' }, dave, '09:31:07'),
    ev({ type: 'status_changed', from: 'monitoring', to: 'identified' }, dave, '09:35:00'),
    ev({ type: 'status_changed', from: 'identified', to: 'monitoring' }, dave, '09:40:00'),
    ev({ type: 'resolved', summary: 'error rate back to 0.1%' }, carol, '09:47:30'),
  ];
}

describe('incidentTimes: response figures', () => {
  it('measures detect, acknowledge, mitigate and resolve to the second', () => {
    const times = incidentTimes(tieredIncident());
    expect(times.timeToDetectMs).toBe(8 * MIN + 30 * SEC);
    expect(times.firstPagedAt).toBe(at('09:00:00').toISOString());
    expect(times.timeToAckMs).toBe(9 * MIN + 12 * SEC);
    expect(times.acknowledgedBy).toBe('dave');
    // The first move to monitoring counts, not the second after a step back.
    expect(times.mitigatedAt).toBe(at('09:31:07').toISOString());
    expect(times.timeToMitigateMs).toBe(31 * MIN + 7 * SEC);
    expect(times.timeToResolveMs).toBe(47 * MIN + 30 * SEC);
  });

  it('acknowledges per tier: a tier nobody of which answered stays unacknowledged', () => {
    expect(incidentTimes(tieredIncident()).ackByTier).toEqual([
      { tier: 1, pagedAt: at('09:00:00').toISOString() },
      { tier: 2, pagedAt: at('09:05:00').toISOString(), ackAt: at('09:09:12').toISOString(), ackBy: dave, ms: 4 * MIN + 12 * SEC },
    ]);
  });

  it('credits a tier-1 person who answers after tier 2 was paged to tier 1 only', () => {
    const events = [declared(), paged([alice, erin], 0, '09:00:00'), paged([dave], 1, '09:05:00'), ack(erin, '09:06:03')];
    expect(incidentTimes(events).ackByTier).toEqual([
      { tier: 1, pagedAt: at('09:00:00').toISOString(), ackAt: at('09:06:03').toISOString(), ackBy: erin, ms: 6 * MIN + 3 * SEC },
      { tier: 2, pagedAt: at('09:05:00').toISOString() },
    ]);
  });

  it('keeps the first page of a tier paged again in a later round, and counts who that round paged', () => {
    const events = [declared(), paged([alice], 0, '09:00:00'), paged([dave], 1, '09:05:00'), paged([erin], 0, '09:15:00', 2), ack(erin, '09:15:45')];
    const tier1 = incidentTimes(events).ackByTier?.[0];
    expect(tier1).toEqual({ tier: 1, pagedAt: at('09:00:00').toISOString(), ackAt: at('09:15:45').toISOString(), ackBy: erin, ms: 15 * MIN + 45 * SEC });
  });

  it('leaves out pages by hand and acknowledgements of one’s own pages', () => {
    const byHand = ev({ type: 'paged', users: [manager], generation: 1, step: -1 }, carol, '09:01:00');
    const events = [declared(), paged([alice], 0, '09:00:00'), byHand, ack(manager, '09:02:00', true), ack(alice, '09:03:01')];
    const times = incidentTimes(events);
    expect(times.ackByTier).toEqual([{ tier: 1, pagedAt: at('09:00:00').toISOString(), ackAt: at('09:03:01').toISOString(), ackBy: alice, ms: 3 * MIN + SEC }]);
    expect(times.timeToAckMs).toBe(3 * MIN + SEC);
  });

  it('has no tiers, no mitigation and no severity change for an incident without them', () => {
    const times = incidentTimes([declared(), ev({ type: 'resolved' }, carol, '09:04:59')]);
    expect(times.ackByTier).toBeUndefined();
    expect(times.mitigatedAt).toBeUndefined();
    expect(times.timeToMitigateMs).toBeUndefined();
    expect(times.severityChanges).toEqual([]);
    expect(times.timeToResolveMs).toBe(4 * MIN + 59 * SEC);
  });

  it('lists severity changes with their times, in order', () => {
    expect(incidentTimes(tieredIncident()).severityChanges).toEqual([
      { from: 'P3', to: 'P1', at: at('09:03:20').toISOString() },
      { from: 'P1', to: 'P2', at: at('09:20:05').toISOString() },
    ]);
  });
});

describe('participantsOf', () => {
  it('lists each person once with roles, join time and message count; the bot and the merely paged are left out', () => {
    const msg = (who: Actor, clock: string, n: number) => ev({ type: 'message_posted', channelId: 'C1', messageId: `m${n}`, text: 'x' }, who, clock);
    const events = [
      ...tieredIncident(),
      ev({ type: 'role_assigned', role: 'scribe', user: erin }, carol, '09:12:30'),
      msg(alice, '09:02:10', 1),
      msg(alice, '09:04:00', 2),
      msg(erin, '09:13:00', 3),
      ev({ type: 'role_assigned', role: 'commander', user: dave, previous: carol }, carol, '09:30:00'),
      ev({ type: 'note_added', text: 'handing over' }, carol, '09:30:01'),
      ev({ type: 'paged', users: [manager], generation: 1, step: 2, tier: 2 }, BOT, '09:30:02'),
    ];
    expect(participantsOf(events)).toEqual([
      { actor: carol, roles: ['commander'], joinedAt: at('09:00:00').toISOString(), messages: 0 },
      { actor: alice, roles: [], joinedAt: at('09:02:10').toISOString(), messages: 2 },
      { actor: dave, roles: ['commander'], joinedAt: at('09:09:12').toISOString(), messages: 0 },
      { actor: erin, roles: ['scribe'], joinedAt: at('09:12:30').toISOString(), messages: 1 },
    ]);
  });
});

describe('one name per person', () => {
  // Slack before the fix: a slash command said `ualice` (the login), a message `alice` (the display name).
  const login: Actor = { id: 'UALICE', name: 'ualice' };
  const events = [
    declared(),
    ev({ type: 'note_added', text: 'looking' }, login, '09:01:00'),
    ev({ type: 'role_assigned', role: 'scribe', user: login }, carol, '09:01:30'),
    ev({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'rolling back' }, alice, '09:02:00'),
    // Slack could not tell the name this time: the id alone never replaces a name.
    ev({ type: 'message_posted', channelId: 'C1', messageId: 'm2', text: 'done' }, { id: 'UALICE', name: 'UALICE' }, '09:04:00'),
  ];

  it('takes the latest real name for each id', () => {
    const names = latestNames(events);
    expect(names.get('UALICE')).toBe('alice');
    expect(names.get('UCAROL')).toBe('carol');
  });

  it('renames every actor, role holder and owner, and copies nothing when names already agree', () => {
    const renamed = withLatestNames(events);
    const people = renamed.flatMap((e) => [e.actor, ...(e.type === 'role_assigned' ? [e.user] : [])]).filter((a) => a.id === 'UALICE');
    expect(people.map((a) => a.name)).toEqual(['alice', 'alice', 'alice', 'alice']);
    expect(events[1]?.actor.name).toBe('ualice'); // the input is left as it was
    expect(withLatestNames(renamed)).toBe(renamed);
    const owner = ev({ type: 'action_added', item: { id: 'A1', text: 'fix', owner: login, horizon: '1w' } }, carol, '09:01:45');
    const named = withLatestNames([...events, owner]).at(-1);
    expect(named?.type === 'action_added' && named.item.owner).toEqual(alice);
  });
});
