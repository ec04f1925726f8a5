import { describe, expect, it } from 'vitest';
import { event, type IncidentEvent } from '../../src/core/events.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { BOT, project } from '../../src/core/projection.js';

const KEY = { workspace: 'T1', number: 12 };
const alice: Actor = { id: 'U1', name: 'Alice' };
const bob: Actor = { id: 'U2', name: 'Bob' };
const at = (min: number): Date => new Date(Date.UTC(2025, 11, 26, 9, min));

/** One of every event type, in an order an incident could really have. */
const events: IncidentEvent[] = [
  event({ type: 'declared', title: 'Search is slow', summary: 'p99 over 5 s', service: 'search', severity: 'P3', private: false }, alice, at(0)),
  event({ type: 'role_assigned', role: 'commander', user: alice }, alice, at(0)),
  event({ type: 'channel_created', channelId: 'C9', channelName: 'inc-12-search-is-slow' }, BOT, at(0)),
  event({ type: 'summary_posted', messageId: 'M1' }, BOT, at(0)),
  event({ type: 'severity_changed', from: 'P3', to: 'P2', reason: 'spreading' }, bob, at(4)),
  event({ type: 'status_changed', from: 'investigating', to: 'identified', message: 'index rebuild' }, alice, at(8)),
  event({ type: 'note_added', text: 'paused the rebuild' }, bob, at(9)),
  event({ type: 'message_posted', channelId: 'C9', messageId: 'M2', text: 'latency dropping' }, bob, at(10)),
  event({ type: 'role_assigned', role: 'scribe', user: bob }, alice, at(11)),
  event({ type: 'action_added', item: { id: 'A1', text: 'throttle rebuilds', horizon: '1m', owner: bob } }, alice, at(12)),
  event({ type: 'action_completed', id: 'A1' }, bob, at(13)),
  event({ type: 'resolved', summary: 'rebuild paused' }, alice, at(20)),
  event({ type: 'closed' }, alice, at(40)),
  event({ type: 'postmortem_written', path: 'pm/INC-12.md' }, BOT, at(40)),
];

describe('project', () => {
  it('gives the same state event by event as all at once', () => {
    const all = project(null, events, KEY);
    let one: Incident | null = null;
    for (const e of events) one = project(one, [e], KEY);
    expect(one).toEqual(all);
  });

  it('gives the same state for any split of the events into two batches', () => {
    const all = project(null, events, KEY);
    for (let cut = 1; cut < events.length; cut++) {
      const first = project(null, events.slice(0, cut), KEY);
      expect(project(first, events.slice(cut))).toEqual(all);
    }
  });

  it('counts every applied event in version', () => {
    for (let n = 1; n <= events.length; n++) {
      expect(project(null, events.slice(0, n), KEY).version).toBe(n);
    }
  });

  it('folds every event type into the state', () => {
    const inc = project(null, events, KEY);
    expect(inc).toMatchObject({
      workspace: 'T1',
      number: 12,
      ref: 'INC-12',
      title: 'Search is slow',
      summary: 'p99 over 5 s',
      service: 'search',
      severity: 'P2',
      status: 'closed',
      channelId: 'C9',
      channelName: 'inc-12-search-is-slow',
      summaryMessageId: 'M1',
      roles: { commander: alice, scribe: bob },
      resolution: 'rebuild paused',
      resolvedAt: at(20).toISOString(),
      closedAt: at(40).toISOString(),
      lastUpdateAt: at(20).toISOString(),
      postmortemPath: 'pm/INC-12.md',
      actionItems: [{ id: 'A1', text: 'throttle rebuilds', horizon: '1m', owner: bob, status: 'done', createdAt: at(12).toISOString() }],
      participants: [alice, bob],
    });
  });

  it('has no service field when none was declared', () => {
    const declared = event({ type: 'declared', title: 't', summary: '', severity: 'P3', private: false }, alice, at(0));
    expect(project(null, [declared], KEY)).not.toHaveProperty('service');
  });

  it('does not modify the state it starts from', () => {
    const before = project(null, events.slice(0, 4), KEY);
    const copy = structuredClone(before);
    project(before, events.slice(4));
    expect(before).toEqual(copy);
  });

  it('throws when declared comes twice', () => {
    const state = project(null, events.slice(0, 1), KEY);
    expect(() => project(state, [events[0] as IncidentEvent], KEY)).toThrow(/declared applied twice/);
    expect(() => project(null, [events[0] as IncidentEvent, events[0] as IncidentEvent], KEY)).toThrow(/declared applied twice/);
  });

  it('throws for an event before declared', () => {
    expect(() => project(null, [events[4] as IncidentEvent], KEY)).toThrow(/severity_changed before declared/);
  });

  it('throws for declared without the incident key, and for nothing at all', () => {
    expect(() => project(null, events.slice(0, 1))).toThrow(/key/);
    expect(() => project(null, [])).toThrow();
  });
});
