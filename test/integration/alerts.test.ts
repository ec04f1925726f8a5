import { afterEach, describe, expect, it } from 'vitest';
import { ingestAlerts, sweepQuietAlerts } from '../../src/app/alerts.js';
import type { AlertSourceConfig } from '../../src/core/alerts/config.js';
import type { AlertBatch, NormalizedAlert } from '../../src/core/alerts/types.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, eventsOf, pageDms, text } from '../support/paging.js';

/**
 * Alerts into incidents through the real store, queues and local workspace: one incident per
 * alert group, never one per re-send, and one round of pages.
 */

let app: TestApp;
afterEach(() => app?.close());

const SOURCE = {
  id: 'prom',
  kind: 'alertmanager',
  workspace: 'local',
  auth: { type: 'bearer', tokenEnv: 'ALERTS_TOKEN' },
  routes: [
    { match: { severity: 'critical' }, severity: 'P1', service: 'api' },
    { match: { severity: 'info' }, action: 'drop' },
    { match: { severity: 'warning' }, severity: 'P3', action: 'page' },
    { match: { team: 'auto' }, severity: 'P2', autoResolve: true },
  ],
};

function config(source: object = SOURCE): object {
  return { ...PAGING, services: [{ id: 'api' }], alertSources: [source] };
}

async function open(source: object = SOURCE): Promise<AlertSourceConfig> {
  app = await testApp(config(source), new Date('2025-12-26T00:00:00Z'));
  const found = app.deps.config.alertSources[0];
  if (!found) throw new Error('no source');
  return found;
}

function alert(fingerprint: string, status: 'firing' | 'resolved' = 'firing', labels: Record<string, string> = { severity: 'critical' }): NormalizedAlert {
  return {
    fingerprint,
    status,
    summary: `API latency high (${fingerprint})`,
    labels: { alertname: 'HighLatency', ...labels },
    links: [{ label: 'generator', url: 'http://prometheus.local/graph?g0.expr=latency' }],
    startsAt: '2025-12-25T23:52:00Z',
    ...(status === 'resolved' ? { endsAt: '2025-12-26T00:30:00Z' } : {}),
  };
}

function batch(alerts: NormalizedAlert[], groupKey = '{}:{alertname="HighLatency"}'): AlertBatch {
  return { groupKey, alerts, title: 'HighLatency' };
}

async function ingest(source: AlertSourceConfig, b: AlertBatch) {
  const result = await ingestAlerts(app.deps, source, b);
  await app.settle();
  return result;
}

const incidents = () => app.deps.store.list('local', { all: true });

describe('alerts into incidents', () => {
  it('opens one incident with its channel and pages on-call once, however often the payload comes', async () => {
    const source = await open();
    const first = await ingest(source, batch([alert('a1')]));
    expect(first).toMatchObject({ incidents: ['INC-1'], outcomes: { opened: 1 } });
    const out = text(app.output);
    // 2025-12-26 is in alice's week of the backend rotation (test/support/paging.ts).
    expect(pageDms(out, 'alice')).toHaveLength(1);
    expect(out).toContain('API latency high (a1)');
    expect(out).toContain('alertname=HighLatency');
    expect(out).toContain('generator: http://prometheus.local/graph?g0.expr=latency');
    expect(out).toMatch(/#inc-1-highlatency/);

    for (let i = 0; i < 3; i++) expect((await ingest(source, batch([alert('a1')]))).outcomes).toEqual({ duplicate: 1 });
    expect(await incidents()).toHaveLength(1);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(1);
    const inc = (await incidents())[0];
    expect(inc).toMatchObject({ severity: 'P1', service: 'api', detectedAt: '2025-12-25T23:52:00.000Z' });
  });

  it('gives one incident and one round of pages to two deliveries of a new group at the same moment', async () => {
    const source = await open();
    const results = await Promise.all([ingestAlerts(app.deps, source, batch([alert('a1')])), ingestAlerts(app.deps, source, batch([alert('a1'), alert('a2')]))]);
    await app.settle();
    expect(results.map((r) => r.incidents)).toEqual([['INC-1'], ['INC-1']]);
    expect(await incidents()).toHaveLength(1);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(1);
    const fired = (await eventsOf(app)).filter((e) => e.type === 'alert_fired').map((e) => (e.type === 'alert_fired' ? e.fingerprint : ''));
    expect(fired.sort()).toEqual(['a1', 'a2']);
  });

  it('puts a new alert of the group on the timeline without paging, and tells the channel when all resolved', async () => {
    const source = await open();
    await ingest(source, batch([alert('a1')]));
    const from = app.output.length;
    expect((await ingest(source, batch([alert('a1'), alert('a2')]))).outcomes).toEqual({ added: 1, duplicate: 1 });
    const added = text(app.output.slice(from));
    expect(added).toContain('New alert in this incident: API latency high (a2)');
    expect(pageDms(added, 'alice')).toHaveLength(0);

    // One payload mixing a resolved and a firing alert: decided per alert.
    expect((await ingest(source, batch([alert('a1', 'resolved'), alert('a2')]))).outcomes).toEqual({ resolved: 1, duplicate: 1 });
    expect(text(app.output)).not.toContain('Every alert of INC-1 has resolved');
    const last = app.output.length;
    await ingest(source, batch([alert('a2', 'resolved')]));
    const told = text(app.output.slice(last));
    expect(told).toContain('Alert resolved: API latency high (a2)');
    expect(told).toContain('Every alert of INC-1 has resolved');
    expect(told).toMatch(/\[ Resolve \]/);
    expect((await incidents())[0]?.status).toBe('investigating');

    // alice acknowledged, so she leads it and may press Resolve.
    const [dm] = pageDms(text(app.output), 'alice');
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${dm} ✅`))).toContain('Acknowledged INC-1');
    const button = / · (m\d+)\] bot:\n\s+Every alert of INC-1 has resolved/.exec(told)?.[1];
    expect(button).toBeDefined();
    expect(text(await app.type(`/press ${button} resolve`))).toContain('resolved INC-1');
    expect((await incidents())[0]?.status).toBe('resolved');
  });

  it('resolves on its own with autoResolve, and a firing after the incident ended opens a new one', async () => {
    const source = await open();
    const labels = { team: 'auto' };
    await ingest(source, batch([alert('x1', 'firing', labels)], 'auto-group'));
    await ingest(source, batch([alert('x1', 'resolved', labels)], 'auto-group'));
    expect(text(app.output)).toContain('INC-1 resolved on its own');
    expect((await incidents())[0]?.status).toBe('resolved');
    const again = await ingest(source, batch([alert('x1', 'firing', labels)], 'auto-group'));
    expect(again).toMatchObject({ incidents: ['INC-2'], outcomes: { opened: 1 } });
    expect(pageDms(text(app.output), 'alice')).toHaveLength(2);
  });

  it('says so on the timeline when someone resolves an incident whose alerts still fire; their re-sends open nothing', async () => {
    const source = await open();
    await ingest(source, batch([alert('a1')]));
    await app.type('/as @alice');
    const [dm] = pageDms(text(app.output), 'alice');
    await app.type(`/react ${dm} ✅`);
    const out = text(await app.type('/incident resolve INC-1 rolled back'));
    expect(out).toContain('1 alert(s) of this incident were still firing when it was resolved');
    expect(text(await app.type('/incident timeline INC-1'))).toMatch(/resolved: rolled back, 1 alert\(s\) still firing/);
    expect((await ingest(source, batch([alert('a1')]))).outcomes).toEqual({ duplicate: 1 });
    expect(await incidents()).toHaveLength(1);
  });

  it('opens a new incident and pages again when an alert that never resolved fires after its incident was closed', async () => {
    const source = await open();
    await ingest(source, batch([alert('a1')]));
    const [dm] = pageDms(text(app.output), 'alice');
    await app.type('/as @alice');
    await app.type(`/react ${dm} ✅`);
    await app.type('/incident resolve INC-1');
    await app.type('/incident close INC-1');
    // Its resolve came after the close (nothing is recorded on a closed incident), then it fires again.
    expect((await ingest(source, batch([alert('a1', 'resolved')]))).outcomes).toEqual({ duplicate: 1 });
    const again = await ingest(source, batch([alert('a1')]));
    expect(again).toMatchObject({ incidents: ['INC-2'], outcomes: { opened: 1 } });
    expect(pageDms(text(app.output), 'alice')).toHaveLength(2);
  });

  it('pages without a channel for a triage route, and opens the channel when the paged person presses Declare', async () => {
    const source = await open();
    await ingest(source, batch([alert('w1', 'firing', { severity: 'warning' })], 'warn-group'));
    const out = text(app.output);
    const [dm] = pageDms(out, 'alice');
    expect(dm).toBeDefined();
    expect(out).toContain('No incident channel yet');
    expect(out).toMatch(/\[ Declare incident \]/);
    expect([...app.chat.channels.values()].map((c) => c.name).filter((n) => n.startsWith('inc-'))).toEqual([]);
    await app.type('/as @bob');
    expect(text(await app.type(`/press ${dm} declare`))).toContain('Only someone paged for INC-1 can declare it');
    await app.type('/as @alice');
    const declared = text(await app.type(`/press ${dm} declare`));
    expect(declared).toContain('Declared INC-1: its channel is opening.');
    expect(text(app.output)).toMatch(/#inc-1-highlatency/);
    expect((await incidents())[0]?.roles.commander?.id).toBe('alice');
  });

  it('drops what a drop route matches, and folds groups over the per-minute limit into the open incident', async () => {
    const source = await open({ ...SOURCE, limitPerMinute: 1 });
    expect((await ingest(source, batch([alert('i1', 'firing', { severity: 'info' })], 'info'))).outcomes).toEqual({ dropped: 1 });
    expect(await incidents()).toHaveLength(0);
    await ingest(source, batch([alert('g1')], 'g1'));
    const folded = await ingest(source, batch([alert('g2')], 'g2'));
    expect(folded).toMatchObject({ incidents: ['INC-1'], outcomes: { folded: 1 } });
    expect(await incidents()).toHaveLength(1);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(1);
    // The folded group stays with that incident: its resolve lands there too.
    expect((await ingest(source, batch([alert('g2', 'resolved')], 'g2'))).outcomes).toEqual({ resolved: 1 });
    expect(text(await app.type('/incident timeline INC-1'))).toContain('folded in over the rate limit');
  });

  it('counts only alerts of new groups towards the limit: re-sends of a triage page do not make a critical group fold into it', async () => {
    const source = await open({ ...SOURCE, limitPerMinute: 2 });
    const warn = { severity: 'warning' };
    await ingest(source, batch([alert('w1', 'firing', warn)], 'warn'));
    for (let i = 0; i < 3; i++) await ingest(source, batch([alert('w1', 'firing', warn)], 'warn'));
    expect(await ingest(source, batch([alert('c1')], 'crit-1'))).toMatchObject({ incidents: ['INC-2'], outcomes: { opened: 1 } });
    // Over the limit now (3 > 2): a group no more severe folds into the open incident.
    expect(await ingest(source, batch([alert('w2', 'firing', warn)], 'warn-2'))).toMatchObject({ incidents: ['INC-2'], outcomes: { folded: 1 } });
    expect(pageDms(text(app.output), 'alice')).toHaveLength(2);
  });

  it('over the limit, never folds a more severe group, and never into a triage page', async () => {
    const source = await open({ ...SOURCE, limitPerMinute: 1 });
    await ingest(source, batch([alert('p2', 'firing', { team: 'auto' })], 'auto'));
    // P1 over a P2: its own incident, paged.
    expect(await ingest(source, batch([alert('c1')], 'crit-1'))).toMatchObject({ incidents: ['INC-2'], outcomes: { opened: 1 } });
    await app.type('/as @alice');
    const dms = pageDms(text(app.output), 'alice');
    await app.type(`/react ${dms[1]} ✅`);
    await app.type('/incident resolve INC-2');
    const warn = { severity: 'warning' };
    expect(await ingest(source, batch([alert('w1', 'firing', warn)], 'warn-1'))).toMatchObject({ incidents: ['INC-3'], outcomes: { paged: 1 } });
    // The latest open incident is a triage page: the next group does not disappear into it.
    expect(await ingest(source, batch([alert('w2', 'firing', warn)], 'warn-2'))).toMatchObject({ incidents: ['INC-4'], outcomes: { paged: 1 } });
    expect(pageDms(text(app.output), 'alice')).toHaveLength(4);
  });

  it('counts alerts of a quiet source as resolved after resolveAfterQuiet', async () => {
    const source = await open({ ...SOURCE, resolveAfterQuiet: '30m' });
    await ingest(source, batch([alert('q1', 'firing', { team: 'auto' })], 'quiet'));
    let wall = Date.now();
    app.deps.wallMs = () => wall;
    expect(await sweepQuietAlerts(app.deps)).toBe(0);
    wall += 31 * MIN;
    expect(await sweepQuietAlerts(app.deps)).toBe(1);
    await app.settle();
    expect(text(app.output)).toContain('its source went quiet');
    expect((await incidents())[0]?.status).toBe('resolved');
  });

  it('shows the time to detect in the postmortem', async () => {
    const source = await open();
    await ingest(source, batch([alert('a1')]));
    await app.type('/as @alice');
    const [dm] = pageDms(text(app.output), 'alice');
    await app.type(`/react ${dm} ✅`);
    await app.type('/incident resolve INC-1');
    const closed = text(await app.type('/incident close INC-1'));
    expect(closed).toMatch(/Time to detect \| 8 min/);
  });
});
