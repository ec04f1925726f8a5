import { describe, expect, it } from 'vitest';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { decideAction, decideCancel, decideClose, decideNote, decideResolve, decideStatus, declareEvents } from '../../src/core/lifecycle.js';
import { chronological, incidentTimes } from '../../src/core/metrics.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';

const MIN = 60_000;
const bora: Actor = { id: 'U02', name: 'Bora' };
const alice: Actor = { id: 'U01', name: 'Alice' };
/** A wall-clock time on 2025-12-26 in Korea (seed 004 incident #1). */
const kst = (hhmm: string): Date => new Date(`2025-12-26T${hhmm}:00+09:00`);

/** Events and the incident they project to, built only through the lifecycle rules. */
class Log {
  readonly events: IncidentEvent[] = [];
  private state: Incident | null = null;
  get inc(): Incident {
    if (!this.state) throw new Error('not declared yet');
    return this.state;
  }
  add(evs: IncidentEvent[]): this {
    this.events.push(...evs);
    this.state = project(this.state, evs, { workspace: 'T1', number: 1 });
    return this;
  }
}

/** Seed 004 #1: declared 09:09, identified 09:20, monitoring 09:40, resolved at `resolve`, closed 11:00. */
function seedIncident(resolve = '09:47'): Log {
  const log = new Log();
  log.add(declareEvents({ title: 'Server down', summary: 'pools exhausted', service: 'api', severity: 'P1', private: false }, bora, kst('09:09')));
  log.add(decideNote(log.inc, 'restarted the servers', alice, kst('09:15')));
  log.add(decideStatus(log.inc, 'identified', 'thread pool 200/200', bora, kst('09:20')));
  log.add(decideStatus(log.inc, 'monitoring', undefined, bora, kst('09:40')));
  log.add(decideResolve(log.inc, 'error rate 0.3%', bora, kst(resolve)));
  log.add(decideAction(log.inc, { text: 'alert on pool usage', horizon: '1w' }, bora, kst('10:30')));
  log.add(decideClose(log.inc, bora, kst('11:00')));
  return log;
}

describe('incidentTimes', () => {
  it('measures seed 004 #1 from the declare: 09:09 → 09:47 is 38 minutes', () => {
    const times = incidentTimes(seedIncident().events);
    expect(times.declaredAt).toBe('2025-12-26T00:09:00.000Z');
    expect(times.resolvedAt).toBe('2025-12-26T00:47:00.000Z');
    expect(times.closedAt).toBe('2025-12-26T02:00:00.000Z');
    expect(times.cancelledAt).toBeUndefined();
    expect(times.timeToResolveMs).toBe(38 * MIN);
  });

  it('follows the resolve event, not a constant', () => {
    expect(incidentTimes(seedIncident('10:24').events).timeToResolveMs).toBe(75 * MIN);
  });

  it('splits the time to resolve over the active statuses, ignoring what happens after', () => {
    const { statusDurations, timeToResolveMs } = incidentTimes(seedIncident().events);
    expect(statusDurations).toEqual({ investigating: 11 * MIN, identified: 20 * MIN, monitoring: 7 * MIN });
    const sum = statusDurations.investigating + statusDurations.identified + statusDurations.monitoring;
    expect(sum).toBe(timeToResolveMs);
  });

  it('counts a status entered twice once per stay', () => {
    const log = new Log();
    log.add(declareEvents({ title: 'x', summary: '', severity: 'P2', private: false }, bora, kst('09:00')));
    log.add(decideStatus(log.inc, 'identified', undefined, bora, kst('09:10')));
    log.add(decideStatus(log.inc, 'investigating', 'wrong guess', bora, kst('09:15')));
    log.add(decideStatus(log.inc, 'identified', undefined, bora, kst('09:35')));
    log.add(decideResolve(log.inc, undefined, bora, kst('09:45')));
    expect(incidentTimes(log.events).statusDurations).toEqual({ investigating: 30 * MIN, identified: 15 * MIN, monitoring: 0 });
  });

  it('stops the clock at a cancel and reports no resolve', () => {
    const log = new Log();
    log.add(declareEvents({ title: 'false alarm', summary: '', severity: 'P3', private: false }, bora, kst('09:00')));
    log.add(decideStatus(log.inc, 'identified', undefined, bora, kst('09:05')));
    log.add(decideCancel(log.inc, 'synthetic check misfired', bora, kst('09:12')));
    const times = incidentTimes(log.events);
    expect(times.resolvedAt).toBeUndefined();
    expect(times.timeToResolveMs).toBeUndefined();
    expect(times.cancelledAt).toBe(kst('09:12').toISOString());
    expect(times.timeToCancelMs).toBe(12 * MIN);
    expect(times.statusDurations).toEqual({ investigating: 5 * MIN, identified: 7 * MIN, monitoring: 0 });
  });

  it('for an open incident counts up to `until`, or else to the latest event', () => {
    const log = new Log();
    log.add(declareEvents({ title: 'ongoing', summary: '', severity: 'P2', private: false }, bora, kst('09:00')));
    log.add(decideNote(log.inc, 'looking', alice, kst('09:20')));
    expect(incidentTimes(log.events).statusDurations.investigating).toBe(20 * MIN);
    expect(incidentTimes(log.events, kst('10:00')).statusDurations.investigating).toBe(60 * MIN);
    expect(incidentTimes(log.events, kst('10:00')).timeToResolveMs).toBeUndefined();
  });

  it('is not fooled by a chat message appended late with its earlier original time', () => {
    const log = seedIncident();
    const late = event({ type: 'message_posted', channelId: 'C1', messageId: 'm9', text: 'is it down?' }, alice, kst('09:08'));
    const times = incidentTimes([...log.events, late]);
    expect(times.timeToResolveMs).toBe(38 * MIN);
    expect(times.declaredAt).toBe(kst('09:09').toISOString());
  });

  it('is correct across the spring-forward DST change in America/New_York', () => {
    const log = new Log();
    // 01:30 EST → 03:15 EDT on 2025-03-09: 1 h 45 min on the wall clock, 45 minutes really.
    log.add(declareEvents({ title: 'dst', summary: '', severity: 'P2', private: false }, bora, new Date('2025-03-09T01:30:00-05:00')));
    log.add(decideResolve(log.inc, undefined, bora, new Date('2025-03-09T03:15:00-04:00')));
    expect(incidentTimes(log.events).timeToResolveMs).toBe(45 * MIN);
  });

  it('needs a declared event', () => {
    expect(() => incidentTimes([])).toThrow(/declared/);
  });
});

describe('chronological', () => {
  it('sorts by time and keeps append order for equal times', () => {
    const sorted = chronological([
      { at: '2025-12-26T00:10:00Z', n: 1 },
      { at: '2025-12-26T00:05:00Z', n: 2 },
      { at: '2025-12-26T00:10:00Z', n: 3 },
      { at: '2025-12-26T09:04:00+09:00', n: 4 },
    ]);
    expect(sorted.map((x) => x.n)).toEqual([4, 2, 1, 3]);
  });
});
