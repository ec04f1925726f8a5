import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../src/config.js';
import { IncidentError } from '../../src/core/errors.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import { decideAction, decideActionDone, decideCancel, decideClose, decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { computeStats, distribution, doraBand, median, mtbf, parseSince, percentile, visibleRecords } from '../../src/core/stats.js';
import { statsRecord } from '../../src/core/stats-record.js';
import { chartTitle, sparkline, statsText } from '../../src/core/stats-text.js';
import type { StatsRecord } from '../../src/core/stats-types.js';
import { plainTimes } from '../../src/core/chat-time.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = new Date('2026-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

/** A closed incident's record from offsets (minutes after its declaration). */
function rec(number: number, declared: string, o: { sev: string; service?: string; pagedAfter?: number; ackAfter?: number; resolveAfter: number; detectBefore?: number; reviewAfterResolveH?: number; followUps?: StatsRecord['followUps']; drill?: boolean; cancelled?: boolean }): StatsRecord {
  const d = at(declared);
  const resolved = d + o.resolveAfter * MIN;
  return {
    ref: `INC-${number}`,
    number,
    severity: o.sev,
    ...(o.service ? { service: o.service } : {}),
    declaredAt: iso(d),
    ...(o.detectBefore !== undefined ? { detectedAt: iso(d - o.detectBefore * MIN), timeToDetectMs: o.detectBefore * MIN } : {}),
    ...(o.pagedAfter !== undefined ? { firstPagedAt: iso(d + o.pagedAfter * MIN) } : {}),
    ...(o.ackAfter !== undefined && o.pagedAfter !== undefined ? { acknowledgedAt: iso(d + o.ackAfter * MIN), timeToAckMs: (o.ackAfter - o.pagedAfter) * MIN } : {}),
    resolvedAt: iso(resolved),
    timeToResolveMs: o.resolveAfter * MIN,
    closedAt: iso(resolved + HOUR),
    drill: o.drill ?? false,
    cancelled: o.cancelled ?? false,
    ...(o.reviewAfterResolveH !== undefined ? { postmortemReviewedAt: iso(resolved + o.reviewAfterResolveH * HOUR) } : {}),
    followUps: o.followUps ?? [],
  };
}

/** Five incidents that count, a drill, a cancelled one and one before the period. */
const FIXTURE: StatsRecord[] = [
  rec(1, '2026-02-02T10:00:00Z', { sev: 'P1', service: 'payments', pagedAfter: 0, ackAfter: 5, resolveAfter: 30, detectBefore: 10, reviewAfterResolveH: 24, followUps: [{ dueAt: '2026-02-09T10:30:00Z', completedAt: '2026-02-08T09:00:00Z' }] }),
  rec(2, '2026-02-05T10:00:00Z', { sev: 'P2', service: 'payments', pagedAfter: 1, ackAfter: 41, resolveAfter: 120, reviewAfterResolveH: 72, followUps: [{ dueAt: '2026-02-12T12:00:00Z', completedAt: '2026-02-14T09:00:00Z' }] }),
  rec(3, '2026-02-10T00:00:00Z', { sev: 'P3', service: 'search', resolveAfter: 90, followUps: [{ dueAt: '2026-02-17T01:30:00Z' }] }),
  rec(4, '2026-02-12T10:00:00Z', { sev: 'P1', service: 'payments', pagedAfter: 0, ackAfter: 10, resolveAfter: 20 * 60, detectBefore: 30, followUps: [{ dueAt: '2026-03-20T06:00:00Z' }] }),
  rec(5, '2026-02-28T20:00:00Z', { sev: 'P2', service: 'search', pagedAfter: 0, ackAfter: 2, resolveAfter: 45 }),
  rec(6, '2026-02-15T10:00:00Z', { sev: 'P1', service: 'payments', pagedAfter: 0, ackAfter: 1, resolveAfter: 1, drill: true }),
  rec(7, '2026-02-16T10:00:00Z', { sev: 'P2', service: 'payments', resolveAfter: 3, cancelled: true }),
  rec(8, '2026-01-10T10:00:00Z', { sev: 'P4', service: 'payments', resolveAfter: 5 }),
];

const OPTIONS = { severities: DEFAULT_SEVERITIES, timeZone: 'UTC', now: NOW };
const since30 = parseSince('30d', NOW, 'UTC');
const QUERY = { sinceMs: since30.sinceMs, untilMs: NOW.getTime() + 1 };

describe('percentiles', () => {
  it('takes the median as the middle value, or the mean of the two middle ones', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('takes p90 by nearest rank: sorted[ceil(0.9 n) - 1]', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile([...ten, 11], 90)).toBe(10);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 90)).toBe(18);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2, 3, 4], 90)).toBe(4);
    expect(distribution([30, 10, 20])).toEqual({ n: 3, median: 20, p90: 30 });
  });

  it('gives MTBF as the mean gap, n/a below two incidents', () => {
    expect(mtbf([0, 3 * DAY, 10 * DAY])).toBe(5 * DAY);
    expect(mtbf([5])).toBeUndefined();
  });

  it('bands the median time to restore as DORA does', () => {
    expect(doraBand(59 * MIN)).toBe('elite');
    expect(doraBand(HOUR)).toBe('high');
    expect(doraBand(DAY - 1)).toBe('high');
    expect(doraBand(DAY)).toBe('medium');
    expect(doraBand(7 * DAY - 1)).toBe('medium');
    expect(doraBand(7 * DAY)).toBe('low');
    expect(doraBand(undefined)).toBeUndefined();
  });
});

describe('computeStats over the fixture (last 30 days)', () => {
  const s = computeStats(FIXTURE, QUERY, OPTIONS);

  it('counts by severity and service, leaving out drills, cancelled and older incidents', () => {
    expect(s.count).toBe(5);
    expect(s.left).toEqual({ drills: 1, cancelled: 1 });
    expect(s.bySeverity).toEqual([
      { severity: 'P1', count: 2 },
      { severity: 'P2', count: 2 },
      { severity: 'P3', count: 1 },
      { severity: 'P4', count: 0 },
    ]);
    expect(s.byService).toEqual([
      { service: 'payments', count: 3, mtbfMs: 5 * DAY },
      { service: 'search', count: 2, mtbfMs: 18 * DAY + 20 * HOUR },
    ]);
  });

  it('gives MTTA and MTTR medians and p90', () => {
    expect(s.mtta).toEqual({ n: 4, median: 7.5 * MIN, p90: 40 * MIN });
    expect(s.mttr).toEqual({ n: 5, median: 90 * MIN, p90: 20 * HOUR });
    expect(s.ttd).toEqual({ n: 2, median: 20 * MIN, p90: 30 * MIN });
    expect(s.dora).toBe('high');
  });

  it('measures the P1/P2 response target from the declaration, over incidents that paged', () => {
    expect(s.ackTarget).toEqual({
      within: 3,
      of: 4,
      bySeverity: [
        { severity: 'P1', targetMinutes: 15, within: 2, of: 2 },
        { severity: 'P2', targetMinutes: 30, within: 1, of: 2 },
      ],
    });
  });

  it('judges reviews within 48 h once the 48 h are over, and follow-ups once done or due', () => {
    expect(s.reviews).toEqual({ within: 1, of: 4, pending: 1 });
    expect(s.followUps).toEqual({ total: 4, onTime: 1, late: 1, overdue: 1, openNotDue: 1, undated: 0 });
  });

  it('gives every week of the period, by severity with its medians, drills left out', () => {
    expect(s.series.weeks).toEqual([
      { start: '2026-01-26', incidents: {} },
      { start: '2026-02-02', incidents: { P1: 1, P2: 1 }, mttrMs: 75 * MIN, mttaMs: 22.5 * MIN },
      { start: '2026-02-09', incidents: { P3: 1, P1: 1 }, mttrMs: (90 * MIN + 20 * HOUR) / 2, mttaMs: 10 * MIN },
      { start: '2026-02-16', incidents: {} },
      { start: '2026-02-23', incidents: { P2: 1 }, mttrMs: 45 * MIN, mttaMs: 2 * MIN },
    ]);
  });

  it('filters by service and severity', () => {
    const payments = computeStats(FIXTURE, { ...QUERY, service: 'payments' }, OPTIONS);
    expect(payments.count).toBe(3);
    expect(payments.left).toEqual({ drills: 1, cancelled: 1 });
    const p1 = computeStats(FIXTURE, { ...QUERY, severity: 'P1' }, OPTIONS);
    expect(p1.count).toBe(2);
    expect(p1.mttr).toEqual({ n: 2, median: 10 * HOUR + 15 * MIN, p90: 20 * HOUR });
    expect(p1.byService).toEqual([{ service: 'payments', count: 2, mtbfMs: 10 * DAY }]);
  });

  it('says n/a where there is nothing to measure', () => {
    const one = computeStats([FIXTURE[2] as StatsRecord], QUERY, OPTIONS);
    expect(one.byService).toEqual([{ service: 'search', count: 1 }]);
    expect(one.mtta).toEqual({ n: 0 });
    expect(one.ackTarget.of).toBe(0);
    const t = translator('en');
    const text = plainTimes(statsText(one, { t, timeZone: 'UTC', since: since30, query: {}, sparklines: false }));
    expect(text).toContain('search 1 (MTBF n/a)');
    expect(text).toContain('MTTA (first page → acknowledged): n/a');
    expect(text).toContain('P1/P2 acknowledged within the response target: n/a');
  });
});

describe('parseSince', () => {
  it('reads 30d, 90d, 12w and a date at midnight in the configured zone', () => {
    expect(parseSince(undefined, NOW, 'UTC')).toEqual({ sinceMs: NOW.getTime() - 30 * DAY, days: 30 });
    expect(parseSince('90d', NOW, 'UTC')).toEqual({ sinceMs: NOW.getTime() - 90 * DAY, days: 90 });
    expect(parseSince('12w', NOW, 'UTC')).toEqual({ sinceMs: NOW.getTime() - 84 * DAY, days: 84 });
    expect(parseSince('2026-02-01', NOW, 'Asia/Seoul')).toEqual({ sinceMs: at('2026-01-31T15:00:00Z'), date: '2026-02-01' });
  });

  it.each(['yesterday-ish', '0d', '9999d', '2026-02-30', '2026-03-02', '2019-01-01', '30', 'd30'])('refuses %s with bad_since', (value) => {
    expect(() => parseSince(value, NOW, 'UTC')).toThrow(IncidentError);
    try {
      parseSince(value, NOW, 'UTC');
    } catch (err) {
      expect((err as IncidentError).code).toBe('bad_since');
    }
  });
});

describe('the text answer', () => {
  const s = computeStats(FIXTURE, QUERY, OPTIONS);

  it('labels every figure, in English and Korean', () => {
    const en = plainTimes(statsText(s, { t: translator('en'), timeZone: 'UTC', since: since30, query: {}, sparklines: true }));
    expect(en.split('\n')).toEqual([
      '*Incident stats*, last 30 days (since 2026-01-30 12:00)',
      'Incidents: 5 (P1 2 · P2 2 · P3 1 · P4 0)',
      'Left out of every figure: 1 drill(s), 1 cancelled.',
      'By service, with MTBF (mean time between failures): payments 3 (MTBF 5 d) · search 2 (MTBF 18 d 20 h)',
      'MTTA (first page → acknowledged): median 7 min 30 s, p90 40 min (of 4)',
      'MTTR (declared → resolved): median 1 h 30 min, p90 20 h (of 5)',
      'Time to detect (impact began → declared): median 20 min (known for 2 of 5)',
      'P1/P2 acknowledged within the response target: 3 of 4 (75%) — P1 within 15 min: 2 of 2 · P2 within 30 min: 1 of 2',
      'Postmortems reviewed within 48 h of the resolve: 1 of 4 (25%); 1 still within their 48 h',
      'Follow-ups done on time: 1 of 3 (33%); 1 done late, 1 overdue, 1 open and not due yet',
      'DORA time to restore: high (under a day), from the median time to resolve (1 h 30 min)',
      'Per week, 5 weeks from 2026-01-26:',
      '  incidents ▁██▁▅  (most in a week: 2)',
      '  MTTR      ·▂█·▁  (longest: 10 h 45 min; · = nothing resolved)',
    ]);
    const ko = plainTimes(statsText(s, { t: translator('ko'), timeZone: 'UTC', since: since30, query: {}, sparklines: false }));
    expect(ko).toContain('MTTA (첫 호출 → 확인): 중앙값 7분 30초');
    expect(ko).toContain('DORA 복구 시간 등급: 높음 (하루 미만)');
  });

  it('names the period and the --service / --sev filters in the chart title', () => {
    const en = translator('en');
    expect(chartTitle({ t: en, since: since30, query: {} })).toBe('Incidents and MTTR per week, last 30 days');
    expect(chartTitle({ t: en, since: parseSince('2026-02-01', NOW, 'UTC'), query: { service: 'payments', severity: 'P1' } })).toBe('Incidents and MTTR per week since 2026-02-01, service payments, severity P1');
    expect(chartTitle({ t: translator('ko'), since: since30, query: { service: 'payments' } })).toBe('주별 장애 건수와 MTTR, 최근 30일, 서비스 payments');
  });

  it('draws sparklines from zero to the largest value, · where a week has none', () => {
    expect(sparkline([0, 1, 2, 4])).toBe('▁▃▅█');
    expect(sparkline([undefined, 0, 0])).toBe('·▁▁');
    expect(sparkline([])).toBe('');
  });
});

describe('private incidents', () => {
  // INC-9: a private P1 of payments, the only incident of its week: its MTTR would be its duration.
  const secret: StatsRecord = { ...rec(9, '2026-02-23T10:00:00Z', { sev: 'P1', service: 'payments', pagedAfter: 0, ackAfter: 3, resolveAfter: 7 * 60 }), private: true };
  const records = [...FIXTURE, secret];
  const narrow = { ...QUERY, service: 'payments', severity: 'P1' };

  it('are left out of every figure and the weekly series for anyone but an admin, without a trace', () => {
    const s = computeStats(visibleRecords(records, false), narrow, OPTIONS);
    expect(s).toEqual(computeStats(FIXTURE, narrow, OPTIONS));
    expect(s.series.weeks.find((w) => w.start === '2026-02-23')).toEqual({ start: '2026-02-23', incidents: {} });
    expect(s.mttr.n).toBe(2);
  });

  it('count for admins', () => {
    const s = computeStats(visibleRecords(records, true), narrow, OPTIONS);
    expect(s.count).toBe(3);
    expect(s.series.weeks.find((w) => w.start === '2026-02-23')).toEqual({ start: '2026-02-23', incidents: { P1: 1 }, mttrMs: 7 * HOUR, mttaMs: 3 * MIN });
  });
});

describe('statsRecord', () => {
  const alice: Actor = { id: 'U1', name: 'alice' };
  const bob: Actor = { id: 'U2', name: 'bob' };
  const t0 = at('2026-02-02T10:00:00Z');
  const when = (min: number) => new Date(t0 + min * MIN);

  function build(): { inc: Incident; events: IncidentEvent[] } {
    const events: IncidentEvent[] = [];
    let inc: Incident | null = null;
    const add = (evs: IncidentEvent[]) => {
      events.push(...evs);
      inc = project(inc, evs, { workspace: 'T1', number: 3 });
      return inc;
    };
    add(declareEvents({ title: 'DB down', summary: '', service: 'payments', severity: 'P1', private: false }, alice, when(0)));
    add([event({ type: 'paged', users: [bob], generation: 1, step: 0 }, alice, when(1))]);
    add([event({ type: 'acknowledged', generation: 1, ttaMs: 4 * MIN }, bob, when(5))]);
    add(decideAction(inc as unknown as Incident, { text: 'pool alert', horizon: '1w' }, alice, when(10)));
    add(decideResolve(inc as unknown as Incident, 'fixed', alice, when(40)));
    add(decideClose(inc as unknown as Incident, alice, when(60)));
    add(decideActionDone(inc as unknown as Incident, 'A1', bob, when(3 * 24 * 60)));
    return { inc: inc as unknown as Incident, events };
  }

  it('keeps the figures of incidentTimes and each follow-up with its due and done times', () => {
    const { inc, events } = build();
    const r = statsRecord(inc, events);
    expect(r).toMatchObject({
      ref: 'INC-3',
      number: 3,
      severity: 'P1',
      service: 'payments',
      declaredAt: iso(t0),
      firstPagedAt: iso(t0 + MIN),
      acknowledgedAt: iso(t0 + 5 * MIN),
      timeToAckMs: 4 * MIN,
      resolvedAt: iso(t0 + 40 * MIN),
      timeToResolveMs: 40 * MIN,
      closedAt: iso(t0 + 60 * MIN),
      drill: false,
      cancelled: false,
    });
    expect(r.followUps).toHaveLength(1);
    expect(r.followUps[0]?.completedAt).toBe(iso(t0 + 3 * DAY));
    // Due a week after the resolve (the item's own dueAt when it has one).
    expect(Date.parse(r.followUps[0]?.dueAt ?? '')).toBeGreaterThan(t0 + 40 * MIN);
  });

  it('marks a cancelled incident', () => {
    const events = declareEvents({ title: 'x', summary: '', severity: 'P3', private: false }, alice, when(0));
    const declared = project(null, events, { workspace: 'T1', number: 4 });
    const cancel = decideCancel(declared, 'false alarm', alice, when(3));
    const r = statsRecord(project(declared, cancel), [...events, ...cancel]);
    expect(r).toMatchObject({ cancelled: true, drill: false, number: 4 });
    expect(r.resolvedAt).toBeUndefined();
    expect(r.private).toBeUndefined();
  });

  it('marks a private incident', () => {
    const events = declareEvents({ title: 'payroll', summary: '', severity: 'P1', private: true }, alice, when(0));
    const declared = project(null, events, { workspace: 'T1', number: 5 });
    const cancel = decideCancel(declared, 'false alarm', alice, when(3));
    expect(statsRecord(project(declared, cancel), [...events, ...cancel])).toMatchObject({ private: true, number: 5 });
  });
});
