import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../src/config.js';
import { plainTimes, renderTimes } from '../../src/core/chat-time.js';
import { translator } from '../../src/core/i18n/index.js';
import { decideCancel, decideResolve, decideRole, decideSeverity, decideStatus, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { decideUpdate } from '../../src/core/guidance.js';
import { project } from '../../src/core/projection.js';
import { nextUpdateDue, severityLabel, summaryMessage, type SummaryOptions } from '../../src/core/summary.js';

const t = translator('en');
const alice: Actor = { id: 'U1', name: 'Alice' };
const bob: Actor = { id: 'U2', name: 'Bob' };
/** 2025-12-26 at hh:mm UTC. */
const utc = (hh: number, mm: number): Date => new Date(Date.UTC(2025, 11, 26, hh, mm));

function declared(severity: string, service?: string): Incident {
  const input = { title: 'Checkout is down', summary: 'cards fail', severity, private: false, ...(service ? { service } : {}) };
  return project(null, declareEvents(input, alice, utc(9, 0)), { workspace: 'T1', number: 7 });
}

const options = (now: Date, timeZone = 'UTC'): SummaryOptions => ({ t, severities: DEFAULT_SEVERITIES, timeZone, now });

/** A field as the terminal shows it: times in the configured zone. */
function field(inc: Incident, label: string, o: SummaryOptions): string | undefined {
  const value = rawField(inc, label, o);
  return value === undefined ? undefined : plainTimes(value);
}

function rawField(inc: Incident, label: string, o: SummaryOptions): string | undefined {
  return summaryMessage(inc, o).fields?.find((f) => f.label === label)?.value;
}

describe('nextUpdateDue', () => {
  it.each([
    ['P1', 30],
    ['P2', 60],
    ['P3', 240],
    ['P4', 1440],
  ])('is the declaration + %s cadence (%d min) before any update', (sev, minutes) => {
    expect(nextUpdateDue(declared(sev), DEFAULT_SEVERITIES)).toEqual(new Date(utc(9, 0).getTime() + minutes * 60_000));
  });

  it('counts from the last status update: /incident update, or a status change with a message', () => {
    let inc = declared('P1');
    inc = project(inc, decideStatus(inc, 'identified', 'found it', bob, utc(9, 10)));
    expect(nextUpdateDue(inc, DEFAULT_SEVERITIES)).toEqual(utc(9, 40));
    inc = project(inc, decideUpdate(inc, 'rolling back', bob, utc(9, 25)));
    expect(nextUpdateDue(inc, DEFAULT_SEVERITIES)).toEqual(utc(9, 55));
  });

  it('does not count a bare status change (no message) as an update', () => {
    let inc = declared('P1');
    inc = project(inc, decideStatus(inc, 'identified', undefined, bob, utc(9, 10)));
    expect(nextUpdateDue(inc, DEFAULT_SEVERITIES)).toEqual(utc(9, 30));
  });

  it('shows the last update with its time and author', () => {
    let inc = declared('P1');
    expect(JSON.stringify(summaryMessage(inc, options(utc(9, 5))))).not.toContain('Last update');
    inc = project(inc, decideUpdate(inc, 'rolling back the deploy', bob, utc(9, 12)));
    expect(field(inc, 'Last update', options(utc(9, 20)))).toBe(`2025-12-26 09:12 by <@${bob.id}>: rolling back the deploy`);
  });

  it('follows a severity change to the new cadence', () => {
    let inc = declared('P3');
    inc = project(inc, decideSeverity(inc, 'P1', undefined, bob, utc(9, 5)));
    expect(nextUpdateDue(inc, DEFAULT_SEVERITIES)).toEqual(utc(9, 30));
  });

  it('is undefined once the incident is no longer active', () => {
    const inc = declared('P1');
    expect(nextUpdateDue(project(inc, decideResolve(inc, undefined, bob, utc(9, 20))), DEFAULT_SEVERITIES)).toBeUndefined();
    expect(nextUpdateDue(project(inc, decideCancel(inc, undefined, bob, utc(9, 20))), DEFAULT_SEVERITIES)).toBeUndefined();
  });
});

describe('summaryMessage', () => {
  it('shows the next update time while it is still ahead', () => {
    let inc = declared('P1');
    inc = project(inc, decideStatus(inc, 'identified', 'found it', bob, utc(9, 10)));
    expect(field(inc, 'Next update due', options(utc(9, 20)))).toBe('2025-12-26 09:40');
  });

  it('marks it overdue once it has passed', () => {
    let inc = declared('P1');
    inc = project(inc, decideStatus(inc, 'identified', 'found it', bob, utc(9, 10)));
    expect(field(inc, 'Next update due', options(utc(9, 41)))).toBe('overdue since 2025-12-26 09:40');
  });

  it('shows times in the configured zone', () => {
    const inc = declared('P2');
    const o = options(utc(9, 5), 'Asia/Seoul');
    expect(field(inc, 'Declared', o)).toBe('2025-12-26 18:00');
    expect(field(inc, 'Next update due', o)).toBe('2025-12-26 19:00');
  });

  it('writes each time as a token each platform shows in the zone of whoever reads it, with the configured zone as fallback', () => {
    const inc = declared('P2');
    const o = options(utc(9, 5), 'Asia/Seoul');
    const shown = (label: string) => renderTimes(rawField(inc, label, o) ?? '', (time) => `[${time.unix} ${time.style} ${time.fallback}]`);
    expect(shown('Declared')).toBe(`[${utc(9, 0).getTime() / 1000} datetime 2025-12-26 18:00]`);
    expect(shown('Next update due')).toBe(`[${utc(10, 0).getTime() / 1000} datetime 2025-12-26 19:00]`);
  });

  it('shows the resolved time instead of a next update once resolved', () => {
    const inc = declared('P1');
    const resolved = project(inc, decideResolve(inc, undefined, bob, utc(9, 47)));
    const msg = summaryMessage(resolved, options(utc(12, 0)));
    const labels = msg.fields?.map((f) => f.label) ?? [];
    expect(labels).toContain('Resolved');
    expect(labels).not.toContain('Next update due');
    expect(field(resolved, 'Resolved', options(utc(12, 0)))).toBe('2025-12-26 09:47');
    expect(JSON.stringify(msg)).not.toContain('overdue');
  });

  it('labels the severity with its name', () => {
    expect(field(declared('P1'), 'Severity', options(utc(9, 1)))).toBe('P1 Critical');
    expect(field(declared('P4'), 'Severity', options(utc(9, 1)))).toBe('P4 Low');
  });

  it('shows status, roles and service', () => {
    let inc = declared('P2', 'payments');
    inc = project(inc, decideRole(inc, 'scribe', bob, alice, utc(9, 2)));
    const o = options(utc(9, 3));
    expect(summaryMessage(inc, o).text).toBe('*INC-7 · Checkout is down*\ncards fail');
    expect(field(inc, 'Status', o)).toBe('investigating');
    expect(field(inc, 'Commander', o)).toBe(`<@${alice.id}>`);
    expect(field(inc, 'Comms', o)).toBe('nobody yet');
    expect(field(inc, 'Scribe', o)).toBe(`<@${bob.id}>`);
    expect(field(inc, 'Service', o)).toBe('payments');
  });
});

describe('severityLabel', () => {
  it('falls back to the bare id for a severity no longer configured', () => {
    expect(severityLabel(DEFAULT_SEVERITIES, 'P2')).toBe('P2 High');
    expect(severityLabel(DEFAULT_SEVERITIES, 'SEV0')).toBe('SEV0');
  });
});
