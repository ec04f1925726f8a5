import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { dispatch } from '../../src/app/dispatch.js';
import { PromMetrics } from '../../src/infra/metrics.js';
import { observedStore } from '../../src/infra/observe.js';
import { testApp, type TestApp } from '../support/app.js';
import { parseMetrics, sample } from '../support/http.js';
import { MIN, pageDms, text } from '../support/paging.js';

/**
 * Drills on the real local workspace, dispatcher, Redis store and BullMQ queues, with the test's
 * clock: marked DRILL everywhere people see it, symptoms posted on their timers, scored in the
 * postmortem, and left out of the metrics.
 */

let app: TestApp;
afterEach(() => app?.close());

const START = new Date('2025-12-26T09:00:00Z');
const POLICY = { timeZone: 'UTC', policies: [{ id: 'p', tiers: [{ targets: [{ user: 'alice' }], delay: '5m' }] }], defaultPolicy: 'p' };

describe('drills', () => {
  it('runs a whole incident marked DRILL in the channel name, summary, page DM and announcement, posting its symptoms over minutes', async () => {
    app = await testApp(POLICY, START);
    await app.type('/as @carol');
    const out = text(await app.type('/incident drill db-connection'));
    expect(out).toContain('[workspace] channel #inc-1-drill-db-connection-failure created');
    expect(out).toMatch(/\[#incidents · announcement · m\d+\] bot:\s*🚨 INC-1 declared: DRILL: DB connection failure/);
    expect(out).toMatch(/Drill +DB connection failure/);
    expect(out).toContain('🧪 This is a DRILL (DB connection failure).');
    // The real policy pages: alice gets a page DM that says DRILL.
    const [dm] = pageDms(out, 'alice');
    expect(dm).toBeDefined();
    expect(out).toMatch(/\[DM @alice · m\d+\] bot:\s*📟 You are paged: INC-1 \(P1\) DRILL: DB connection failure/);
    // The first symptom at once, the others on their timers.
    expect(out).toContain('🧪 Drill symptom: Payment API errors at 48% (HTTP 5xx)');
    expect(text(await app.advance(1 * MIN))).not.toContain('Drill symptom');
    expect(text(await app.advance(1 * MIN))).toContain('🧪 Drill symptom: Database connections at max_connections');
    const later = text(await app.advance(10 * MIN));
    expect(later.match(/Drill symptom/g)).toHaveLength(2);
    expect(text(await app.advance(60 * MIN))).not.toContain('Drill symptom');
    const events = await app.deps.store.events({ workspace: 'local', number: 1 });
    expect(events.filter((e) => e.type === 'drill_symptom').map((e) => (e.type === 'drill_symptom' ? e.index : -1))).toEqual([0, 1, 2, 3]);
  });

  it('pages only whoever started it with --dry, and scores the response in its postmortem', async () => {
    app = await testApp(POLICY, START);
    await app.type('/as @carol');
    const out = text(await app.type('/incident drill api-latency --dry'));
    expect(out).toContain('Dry run: only you are paged.');
    expect(pageDms(out, 'alice')).toHaveLength(0);
    const [dm] = pageDms(out, 'carol');
    await app.type('/join #inc-1-drill-api-latency');
    app.clock.advance(3 * MIN);
    await app.type(`/react ${dm} ✅`);
    app.clock.advance(2 * MIN);
    await app.type('/incident update rolled back the deploy');
    await app.type('/incident resolve latency back to 20 ms');
    await app.type('/incident close');
    const inc = await app.deps.store.get({ workspace: 'local', number: 1 });
    const file = await readFile(inc?.postmortemPath ?? join(app.postmortemDir, 'missing.md'), 'utf8');
    expect(file).toContain('## Drill score');
    expect(file).toContain('- Time to acknowledge: 3 min');
    expect(file).toContain('- Time to first status update: 5 min');
    // graded, paged, notified, verified, closed: nothing was scoped, mitigated or recorded by hand.
    expect(file).toContain('- Checklist: 5 of 10 steps');
  });

  it('a dry drill never pages the real policy: not when its severity is raised, not when it is reopened with --page', async () => {
    app = await testApp(POLICY, START);
    await app.type('/as @carol');
    await app.type('/incident drill api-latency --dry');
    await app.type('/join #inc-1-drill-api-latency');
    await app.type('/incident sev P1 worse than planned');
    await app.type('/incident resolve done');
    const out = text(await app.type('/incident reopen --page'));
    expect(out).toContain('Paging again from the first tier of its policy.');
    expect(pageDms(text(app.output), 'alice')).toHaveLength(0);
    expect(pageDms(text(app.output), 'carol')).toHaveLength(2);
    // Resolved once, the scenario is over: no symptom comes after the reopening.
    expect(text(await app.advance(30 * MIN))).not.toContain('Drill symptom');
  });

  it('is left out of the metrics, unlike a real incident', async () => {
    app = await testApp(POLICY, START);
    const metrics = new PromMetrics();
    const store = observedStore(app.deps.store, metrics);
    metrics.watch({ store, severities: app.deps.config.severities.map((s) => s.id) });
    const deps = { ...app.deps, store, metrics };
    const inv = (text: string) => ({ platform: 'local' as const, workspace: 'local', channelId: 'general', user: { id: 'carol', name: 'carol' }, text });
    await dispatch(deps, commands, inv('drill thread-pool'));
    await app.settle();
    let samples = parseMetrics((await metrics.scrape()).text);
    expect(sample(samples, 'ic_incidents_declared_total', { severity: 'P1' })).toBe(0);
    expect(sample(samples, 'ic_incidents_open', { severity: 'P1' })).toBe(0);
    await dispatch(deps, commands, inv('declare Checkout down --sev P1'));
    await app.settle();
    samples = parseMetrics((await metrics.scrape()).text);
    expect(sample(samples, 'ic_incidents_declared_total', { severity: 'P1' })).toBe(1);
    expect(sample(samples, 'ic_incidents_open', { severity: 'P1' })).toBe(1);
  });

  it('refuses an unknown scenario, naming the known ones, and writes nothing', async () => {
    app = await testApp(POLICY, START);
    const out = text(await app.type('/incident drill fire-drill'));
    expect(out).toContain('`fire-drill` is not a drill scenario. Use one of: db-connection, thread-pool, api-latency.');
    expect(await app.deps.store.list('local', { all: true })).toEqual([]);
  });
});
