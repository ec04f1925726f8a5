import { afterEach, describe, expect, it } from 'vitest';
import { scanKeys, unlinkKeys } from '../../src/infra/redis-connect.js';
import { buildStatsIndex } from '../../src/app/stats-index.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, text } from '../support/paging.js';

/**
 * `/incident stats` on the real local workspace, dispatcher, Redis store and queues: incidents
 * that close are indexed (drills and cancelled ones marked), the answer reads the index, a
 * follow-up done or a review after the close rewrites the record, private incidents count only
 * for admins, incidents closed before the index existed are indexed once at start, and bad input
 * writes nothing.
 */

let app: TestApp;
afterEach(() => app?.close());

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = new Date('2026-02-02T09:00:00Z');
const CONFIG = {
  timeZone: 'UTC',
  services: [{ id: 'payments' }, { id: 'search' }],
  policies: [{ id: 'p', tiers: [{ targets: [{ user: 'alice' }], delay: '30m' }] }],
  defaultPolicy: 'p',
};

/** Declares as carol, alice acknowledges after `ackMin`, carol resolves after `resolveMin` and closes 10 min later. */
async function incident(ref: string, declare: string, ackMin: number, resolveMin: number): Promise<void> {
  await app.type('/as @carol');
  await app.type(`/incident declare ${declare}`);
  app.clock.advance(ackMin * MIN);
  await app.type('/as @alice');
  await app.type(`/incident ack ${ref}`);
  app.clock.advance((resolveMin - ackMin) * MIN);
  await app.type('/as @carol');
  await app.type(`/incident resolve ${ref} fixed`);
  app.clock.advance(10 * MIN);
  await close(ref);
}

/** Closes, confirming when the bot asks about an incident without follow-ups. */
async function close(ref: string): Promise<void> {
  await app.type(`/incident close ${ref}`);
  const number = Number(ref.slice(4));
  if ((await app.deps.store.get({ workspace: 'local', number }))?.status !== 'closed') await app.type(`/incident close ${ref}`);
}

async function records() {
  return (await app.deps.stats?.since('local', 0)) ?? [];
}

describe('/incident stats', () => {
  it('indexes incidents as they close and answers from the index, drills and cancelled left out', async () => {
    app = await testApp(CONFIG, START);
    await incident('INC-1', '"Payments down" --sev P1 --service payments', 4, 30);
    await app.type('/incident action INC-1 alert on pool usage --owner @alice --due 1w');
    app.clock.advance(DAY);
    await incident('INC-2', '"Search slow" --sev P2 --service search', 10, 120);
    await app.type('/as @carol');
    await app.type('/incident drill db-connection --dry');
    await app.type('/incident resolve INC-3 drill over');
    await close('INC-3');
    await app.type('/incident declare "False alarm" --sev P3 --service payments');
    await app.type('/incident cancel INC-4 not an incident');

    const indexed = await records();
    expect(indexed.map((r) => [r.ref, r.severity, r.service, r.drill, r.cancelled])).toEqual([
      ['INC-1', 'P1', 'payments', false, false],
      ['INC-2', 'P2', 'search', false, false],
      ['INC-3', 'P1', undefined, true, false],
      ['INC-4', 'P3', 'payments', false, true],
    ]);
    expect(indexed[0]).toMatchObject({ timeToAckMs: 4 * MIN, timeToResolveMs: 30 * MIN, followUps: [{ dueAt: expect.any(String) }] });

    app.clock.advance(HOUR);
    const out = text(await app.type('/incident stats'));
    expect(out).toMatch(/Incident stats, last 30 days \(since 2026-01-04 \d\d:\d\d\)/);
    expect(out).toContain('Incidents: 2 (P1 1 · P2 1 · P3 0 · P4 0)');
    expect(out).toContain('Left out of every figure: 1 drill(s), 1 cancelled.');
    expect(out).toContain('By service, with MTBF (mean time between failures): payments 1 (MTBF n/a) · search 1 (MTBF n/a)');
    expect(out).toContain('MTTA (first page → acknowledged): median 7 min, p90 10 min (of 2)');
    expect(out).toContain('MTTR (declared → resolved): median 1 h 15 min, p90 2 h (of 2)');
    expect(out).toContain('P1/P2 acknowledged within the response target: 2 of 2 (100%) — P1 within 15 min: 1 of 1 · P2 within 30 min: 1 of 1');
    expect(out).toContain('Follow-ups done on time: n/a; 0 done late, 0 overdue, 1 open and not due yet');
    expect(out).toContain('DORA time to restore: high (under a day), from the median time to resolve (1 h 15 min)');
    expect(out).toContain('Postmortems reviewed within 48 h of the resolve: n/a; 2 still within their 48 h');
    expect(out).toMatch(/ {2}incidents [▁▂▃▄▅▆▇█]+ {2}\(most in a week: 2\)/);

    // A follow-up done after the close rewrites the record.
    await app.type('/incident action INC-1 done A1');
    const [first] = await records();
    expect(first?.followUps[0]?.completedAt).toBe(app.clock.now().toISOString());
    expect(text(await app.type('/incident stats --service payments'))).toContain('Follow-ups done on time: 1 of 1 (100%); 0 done late, 0 overdue, 0 open and not due yet');
    // So does the review of its postmortem (about 27 h after its resolve).
    await app.type('/incident postmortem INC-1 done');
    expect((await records())[0]?.postmortemReviewedAt).toBe(app.clock.now().toISOString());
    expect(text(await app.type('/incident stats --service payments'))).toContain('Postmortems reviewed within 48 h of the resolve: 1 of 1 (100%); 0 still within their 48 h');

    const p2 = text(await app.type('/incident stats --sev p2 --since 2026-02-01'));
    expect(p2).toContain('Incident stats since 2026-02-01 00:00, severity P2');
    expect(p2).toContain('Incidents: 1 (P1 0 · P2 1 · P3 0 · P4 0)');
  });

  it('counts private incidents only for admins: with narrow filters nobody else learns their duration', async () => {
    app = await testApp({ ...CONFIG, admins: ['dave'] }, START);
    await incident('INC-1', '"Payments down" --sev P1 --service payments', 4, 30);
    app.clock.advance(DAY);
    await incident('INC-2', '"Payroll export" --sev P1 --service payments --private', 2, 7 * 60);
    expect((await records()).map((r) => [r.ref, r.private])).toEqual([['INC-1', undefined], ['INC-2', true]]);
    app.clock.advance(HOUR);

    // Anyone else, its own people included (the simple rule): as if it never happened.
    for (const who of ['bob', 'carol']) {
      await app.type(`/as @${who}`);
      const out = text(await app.type('/incident stats --service payments --sev P1'));
      expect(out).toContain('Incidents: 1 (P1 1 · P2 0 · P3 0 · P4 0)');
      expect(out).toContain('MTTR (declared → resolved): median 30 min, p90 30 min (of 1)');
      expect(out).not.toContain('Left out');
      expect(out).toMatch(/ {2}incidents [▁█]+ {2}\(most in a week: 1\)/);
    }
    await app.type('/as @dave');
    const admin = text(await app.type('/incident stats --service payments --sev P1'));
    expect(admin).toContain('Incidents: 2 (P1 2 · P2 0 · P3 0 · P4 0)');
    expect(admin).toContain('MTTR (declared → resolved): median 3 h 45 min, p90 7 h (of 2)');
  });

  it('builds the index once at start from incidents closed before it existed; a newer record wins', async () => {
    app = await testApp(CONFIG, START);
    await incident('INC-1', '"Payments down" --sev P1 --service payments', 4, 30);
    app.clock.advance(DAY);
    await incident('INC-2', '"Search slow" --sev P2 --service search', 10, 120);
    await app.type('/incident declare "Still open" --sev P3');
    // As right after an upgrade: the incidents are in the store, the index has none of them.
    const { redis, prefix } = app.redis;
    for await (const keys of scanKeys(redis, `${prefix}stats:*`)) await unlinkKeys(redis, keys);
    expect(text(await app.type('/incident stats'))).toContain('No closed incidents in this period.');

    expect(await buildStatsIndex(app.deps)).toBe(2);
    expect((await records()).map((r) => [r.ref, r.timeToResolveMs])).toEqual([['INC-1', 30 * MIN], ['INC-2', 120 * MIN]]);
    expect(text(await app.type('/incident stats'))).toContain('Incidents: 2 (P1 1 · P2 1 · P3 0 · P4 0)');
    // Once: the next start reads nothing.
    await app.deps.stats!.remove('local', 2);
    expect(await buildStatsIndex(app.deps)).toBe(0);
    expect((await records()).map((r) => r.ref)).toEqual(['INC-1']);
    // A build cut short (no marker) carries on, and keeps a record written meanwhile.
    await redis.del(`${prefix}stats:{local}:built`);
    const [first] = await records();
    await app.deps.stats!.put('local', { ...first!, timeToResolveMs: 31 * MIN });
    expect(await buildStatsIndex(app.deps)).toBe(1);
    expect((await records()).map((r) => [r.ref, r.timeToResolveMs])).toEqual([['INC-1', 31 * MIN], ['INC-2', 120 * MIN]]);
  });

  it('answers bad input clearly and writes nothing', async () => {
    app = await testApp(CONFIG, START);
    await incident('INC-1', '"Payments down" --sev P1 --service payments', 4, 30);
    const before = JSON.stringify(await records());
    const version = (await app.deps.store.get({ workspace: 'local', number: 1 }))?.version;
    expect(text(await app.type('/incident stats --since yesterday-ish'))).toContain('`yesterday-ish` is not a period. Use `30d`, `90d`, `12w` or a past date such as `2025-10-01` (at most 1826 days back).');
    expect(text(await app.type('/incident stats yesterday-ish'))).toContain('`yesterday-ish` is not a period.');
    expect(text(await app.type('/incident stats --since 2027-01-01'))).toContain('`2027-01-01` is not a period.');
    expect(text(await app.type('/incident stats --sev P9'))).toContain('`P9` is not a severity. Use one of: P1, P2, P3, P4.');
    expect(text(await app.type('/incident stats --service billing'))).toContain('Unknown service `billing`. Known services: payments, search.');
    expect(text(await app.type('/incident stats --color red'))).toContain('Unknown option `--color`.');
    expect(JSON.stringify(await records())).toBe(before);
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.version).toBe(version);
  });

  it('says so when the period has no closed incident, and names the services that had some', async () => {
    app = await testApp({ timeZone: 'UTC' }, START);
    expect(text(await app.type('/incident stats'))).toContain('No closed incidents in this period.');
    await incident('INC-1', '"Search slow" --sev P2 --service search', 2, 20);
    expect(text(await app.type('/incident stats --service billing'))).toContain('No closed incidents of service `billing` in this period. Services with closed incidents in it: search.');
  });
});

