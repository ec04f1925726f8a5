import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlertPayload, type ParseResult } from '../../src/core/alerts/parse.js';
import { ALERT_LIMITS } from '../../src/core/alerts/sanitize.js';
import { atStatus, labelsFingerprint, latencyAlertPayload } from '../../src/core/alerts/sample.js';
import type { AlertBatch, AlertSourceKind } from '../../src/core/alerts/types.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function batchOf(kind: AlertSourceKind, body: unknown, newKey?: () => string): AlertBatch {
  const result = parseAlertPayload(kind, body, newKey ? { newKey } : {});
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.issues)}`);
  return result.batch;
}

function issuesOf(result: ParseResult): string[] {
  if (result.ok) throw new Error('expected the payload to be refused');
  return result.issues.map((i) => `${i.path}: ${i.message}`);
}

/** The mixed fixture with its first alert replaced by `alert` (merged over the original). */
function withAlert(alert: Record<string, unknown>): Record<string, unknown> {
  const body = fixture('alertmanager-mixed');
  const alerts = body.alerts as Record<string, unknown>[];
  alerts[0] = { ...alerts[0], ...alert };
  return body;
}

describe('Alertmanager webhook (version 4)', () => {
  it('decides each alert of a mixed delivery on its own status', () => {
    const batch = batchOf('alertmanager', fixture('alertmanager-mixed'));
    expect(batch.groupKey).toBe('{}:{alertname="HighLatency", service="api"}');
    expect(batch.title).toBe('HighLatency');
    expect(batch.alerts.map((a) => [a.fingerprint, a.status])).toEqual([
      ['5e378739e716d72a', 'firing'],
      ['bf3b41bddb430a19', 'resolved'],
    ]);
    const [firing, resolved] = batch.alerts;
    expect(firing).toMatchObject({ summary: 'p95 latency on api-1:8080 is 318 ms', startsAt: '2025-06-05T13:35:12.345Z' });
    // Go's zero time is "no end yet": a firing alert has no endsAt.
    expect(firing!.endsAt).toBeUndefined();
    expect(resolved).toMatchObject({ startsAt: '2025-06-05T13:36:02.101Z', endsAt: '2025-06-05T13:51:02.101Z' });
    expect(batch.truncated).toBeUndefined();
  });

  it("keeps seed 003's latency alert: summary, description, labels, links", () => {
    const [alert] = batchOf('alertmanager', fixture('alertmanager-latency-firing')).alerts;
    expect(alert).toEqual({
      fingerprint: 'c6e15f1681e2fabb',
      status: 'firing',
      summary: 'API latency 281 ms (normal 20 ms)',
      description: expect.stringContaining('CPU on api-1 is at 95%'),
      labels: { alertname: 'HighLatency', instance: 'api-1:8080', job: 'api', service: 'api', severity: 'critical' },
      links: [
        { label: 'generator', url: expect.stringMatching(/^http:\/\/prometheus\.example\.com:9090\/graph\?g0\.expr=/) },
        { label: 'runbook', url: 'https://runbooks.example.com/api/high-latency' },
      ],
      startsAt: '2025-06-05T13:35:00.000Z',
    });
    const [resolved] = batchOf('alertmanager', fixture('alertmanager-latency-resolved')).alerts;
    expect(resolved).toMatchObject({ fingerprint: 'c6e15f1681e2fabb', status: 'resolved', endsAt: '2025-06-05T14:12:00.000Z' });
  });

  it('falls back from the summary to the title annotation, the alert name, then the fingerprint', () => {
    const summaryOf = (alert: Record<string, unknown>) => batchOf('alertmanager', withAlert(alert)).alerts[0]!.summary;
    expect(summaryOf({ annotations: { title: 'Latency is high' } })).toBe('Latency is high');
    expect(summaryOf({ annotations: {} })).toBe('HighLatency');
    expect(summaryOf({ annotations: { summary: '  ' }, labels: { instance: 'api-1' } })).toBe('5e378739e716d72a');
  });

  it('counts the alerts Alertmanager left out', () => {
    expect(batchOf('alertmanager', { ...fixture('alertmanager-mixed'), truncatedAlerts: 7 }).truncated).toBe(7);
  });

  it('refuses a payload without what identifies its alerts, naming the paths', () => {
    const body = fixture('alertmanager-mixed');
    delete (body.alerts as Record<string, unknown>[])[0]!.fingerprint;
    expect(issuesOf(parseAlertPayload('alertmanager', body))).toEqual(['alerts.0.fingerprint: Required']);
    expect(issuesOf(parseAlertPayload('alertmanager', { ...fixture('alertmanager-mixed'), groupKey: undefined }))).toEqual(['groupKey: Required']);
  });

  it('refuses wrong types with their paths', () => {
    const issues = issuesOf(parseAlertPayload('alertmanager', withAlert({ status: 'burning', labels: { severity: 3 }, startsAt: 12 })));
    expect(issues).toEqual([
      expect.stringMatching(/^alerts\.0\.status: Invalid option/),
      expect.stringMatching(/^alerts\.0\.labels\.severity: Invalid input: expected string/),
      expect.stringMatching(/^alerts\.0\.startsAt: Invalid input: expected string/),
    ]);
    expect(issuesOf(parseAlertPayload('alertmanager', { ...fixture('alertmanager-mixed'), alerts: [] }))).toEqual([expect.stringMatching(/^alerts: Too small/)]);
  });

  it('refuses a body that is not an object as (body)', () => {
    for (const body of [null, [], 'firing', 42]) {
      expect(issuesOf(parseAlertPayload('alertmanager', body))).toEqual([expect.stringMatching(/^\(body\): Invalid input: expected object/)]);
    }
  });

  it('reports at most 10 issues however broken the payload is', () => {
    const alerts = Array.from({ length: 50 }, () => ({ status: 'firing' }));
    const result = parseAlertPayload('alertmanager', { groupKey: 'g', alerts });
    expect(issuesOf(result)).toHaveLength(10);
  });
});

describe('hostile payloads', () => {
  it('drops links that are not http(s), carry credentials or are relative', () => {
    const batch = batchOf(
      'alertmanager',
      withAlert({
        generatorURL: 'javascript:alert(document.cookie)',
        annotations: { summary: 's', runbook_url: 'https://trusted.example.com@evil.example.com/', dashboard: '/d/relative' },
      }),
    );
    expect(batch.alerts[0]!.links).toEqual([]);
    const grafana = fixture('grafana-firing');
    const alert = (grafana.alerts as Record<string, unknown>[])[0]!;
    Object.assign(alert, { dashboardURL: 'JavaScript:alert(1)', panelURL: 'data:text/html,<script>x</script>', silenceURL: 'vbscript:x', imageURL: ' javascript:x' });
    expect(batchOf('grafana', grafana).alerts[0]!.links.map((l) => l.label)).toEqual(['generator', 'runbook']);
  });

  it('clips huge summaries, descriptions and labels, and bounds their number', () => {
    const huge = 'x'.repeat(200_000);
    const labels = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`label_${i}`, huge]));
    const [alert] = batchOf('alertmanager', withAlert({ labels, annotations: { summary: huge, description: huge } })).alerts;
    expect(alert!.summary.length).toBe(ALERT_LIMITS.summary);
    expect(alert!.summary.endsWith('…')).toBe(true);
    expect(alert!.description!.length).toBe(ALERT_LIMITS.description);
    expect(Object.keys(alert!.labels)).toHaveLength(ALERT_LIMITS.labels);
    expect(Object.values(alert!.labels).every((v) => v.length === ALERT_LIMITS.labelValue)).toBe(true);
  });

  it('keeps a huge group key or fingerprint as one bounded identity', () => {
    const long = `{}:{alertname="${'a'.repeat(5000)}"}`;
    const one = batchOf('alertmanager', { ...withAlert({ fingerprint: long }), groupKey: long });
    const again = batchOf('alertmanager', { ...withAlert({ fingerprint: long }), groupKey: long });
    expect(one.groupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(one.alerts[0]!.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.groupKey).toBe(one.groupKey);
  });

  it('removes control and bidi-override characters and turns line breaks in labels into spaces', () => {
    const [alert] = batchOf('alertmanager', withAlert({ labels: { service: 'api\n\u202eipa', alertname: 'A\u0000B' }, annotations: { summary: 'line 1\r\nline 2\u0007' } })).alerts;
    expect(alert!.labels).toEqual({ service: 'api ipa', alertname: 'AB' });
    expect(alert!.summary).toBe('line 1\nline 2');
  });

  it('counts alerts beyond the limit of one delivery as truncated, and repeats of one fingerprint once', () => {
    const body = fixture('alertmanager-mixed');
    const template = (body.alerts as Record<string, unknown>[])[0]!;
    body.alerts = [...Array.from({ length: 1100 }, (_, i) => ({ ...template, fingerprint: `fp${i}` })), { ...template, fingerprint: 'fp0' }];
    const batch = batchOf('alertmanager', body);
    expect(batch.alerts).toHaveLength(ALERT_LIMITS.alerts);
    expect(batch.truncated).toBe(100);
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.constantFrom<AlertSourceKind>('alertmanager', 'grafana', 'events'), fc.jsonValue(), (kind, body) => {
        const result = parseAlertPayload(kind, body, { newKey: () => 'k' });
        expect(result.ok || result.issues.length > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on near-valid payloads with fields of any JSON type', () => {
    const base = fixture('grafana-firing');
    const alert = (base.alerts as Record<string, unknown>[])[0]!;
    const fields = [...Object.keys(alert)];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const body = { ...base, alerts: [{ ...alert, [field]: value }] };
        const result = parseAlertPayload('grafana', body);
        if (result.ok) expect(result.batch.alerts[0]!.links.every((l) => /^https?:\/\//.test(l.url))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Grafana unified-alerting webhook', () => {
  it("keeps Grafana's title, values and every link it sends", () => {
    const batch = batchOf('grafana', fixture('grafana-firing'));
    expect(batch.title).toBe('[FIRING:1] API CPU saturation API (api-1:8080 api critical)');
    expect(batch.groupKey).toContain('{alertname="API CPU saturation", grafana_folder="API"}');
    const [alert] = batch.alerts;
    expect(alert).toMatchObject({
      status: 'firing',
      summary: 'CPU on api-1:8080 at 95%',
      value: 'A=95.1235, B=95.1235, C=1',
      startsAt: '2025-06-05T14:00:00.152Z',
      labels: { alertname: 'API CPU saturation', service: 'api', severity: 'critical' },
    });
    expect(alert!.links.map((l) => l.label)).toEqual(['dashboard', 'panel', 'silence', 'image', 'generator', 'runbook']);
    expect(alert!.links.find((l) => l.label === 'silence')!.url).toMatch(/^https:\/\/grafana\.example\.com\/alerting\/silence\/new\?/);
  });

  it('takes the valueString when there are no values, and reads nulls as empty', () => {
    const body = fixture('grafana-firing');
    const alert = (body.alerts as Record<string, unknown>[])[0]!;
    Object.assign(alert, { values: null, annotations: null, dashboardURL: '', panelURL: '', imageURL: undefined });
    const [parsed] = batchOf('grafana', { ...body, commonAnnotations: null }).alerts;
    expect(parsed!.value).toMatch(/^\[ var='A' labels=\{instance=api-1:8080\} value=95\.12345678 \]/);
    expect(parsed!.summary).toBe('API CPU saturation');
    expect(parsed!.links.map((l) => l.label)).toEqual(['silence', 'generator']);
  });

  it("falls back to the alert name for the group title when Grafana's is empty", () => {
    expect(batchOf('grafana', { ...fixture('grafana-firing'), title: '' }).title).toBe('API CPU saturation');
  });
});

describe('PagerDuty Events API v2', () => {
  it('turns a trigger into one firing alert keyed by its dedup_key', () => {
    const batch = batchOf('events', fixture('events-trigger'));
    expect(batch).toMatchObject({ groupKey: 'api-latency-api-1', title: 'API latency 281 ms on api-1 (normal 20 ms)', routingKey: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' });
    expect(batch.acknowledge).toBeUndefined();
    expect(batch.alerts).toEqual([
      {
        fingerprint: 'api-latency-api-1',
        status: 'firing',
        summary: 'API latency 281 ms on api-1 (normal 20 ms)',
        description: '{"http_req_duration avg":"281.76ms","p95":"318.20ms","cpu":"95%"}',
        labels: { source: 'api-1.prod.example.com', component: 'api', group: 'prod-api', class: 'latency', severity: 'critical' },
        links: [
          { label: 'API overview dashboard', url: 'https://grafana.example.com/d/api-overview' },
          { label: 'API latency panel', url: 'https://grafana.example.com/render/d-solo/api-overview?panelId=4&width=1000&height=500' },
          { label: 'k6 Cloud', url: 'https://app.k6.io/runs/1234567' },
        ],
        startsAt: '2025-06-05T13:35:00.000Z',
        severity: 'critical',
      },
    ]);
  });

  it('generates a dedup_key for a trigger without one', () => {
    const body = { ...fixture('events-trigger'), dedup_key: undefined };
    expect(batchOf('events', body, () => 'generated-key')).toMatchObject({ groupKey: 'generated-key', alerts: [{ fingerprint: 'generated-key' }] });
    expect(batchOf('events', { ...body, dedup_key: '' }, () => 'generated-key').groupKey).toBe('generated-key');
    expect(batchOf('events', body).groupKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('marks an acknowledge on the batch, its alert still firing', () => {
    const batch = batchOf('events', fixture('events-acknowledge'));
    expect(batch).toMatchObject({ groupKey: 'api-latency-api-1', acknowledge: true, alerts: [{ fingerprint: 'api-latency-api-1', status: 'firing', summary: 'api-latency-api-1' }] });
  });

  it('turns a resolve into a resolved alert, using what of its payload is readable', () => {
    expect(batchOf('events', fixture('events-resolve')).alerts[0]).toMatchObject({ fingerprint: 'api-latency-api-1', status: 'resolved' });
    const withPayload = { ...fixture('events-resolve'), payload: { summary: 'latency back to 21 ms', severity: 'bogus', source: 7 } };
    expect(batchOf('events', withPayload).alerts[0]).toMatchObject({ summary: 'latency back to 21 ms', labels: {} });
  });

  it('refuses what PagerDuty refuses, naming the paths', () => {
    const trigger = fixture('events-trigger');
    expect(issuesOf(parseAlertPayload('events', { ...trigger, routing_key: undefined }))).toEqual(['routing_key: Required']);
    expect(issuesOf(parseAlertPayload('events', { ...trigger, event_action: 'explode' }))).toEqual([expect.stringMatching(/^event_action: Invalid option/)]);
    expect(issuesOf(parseAlertPayload('events', { ...trigger, dedup_key: 'k'.repeat(256) }))).toEqual([expect.stringMatching(/^dedup_key: Too big/)]);
    expect(issuesOf(parseAlertPayload('events', { ...trigger, payload: undefined }))).toEqual(['payload: Required']);
    const payload = { ...(trigger.payload as object), severity: 'fatal', source: undefined };
    expect(issuesOf(parseAlertPayload('events', { ...trigger, payload }))).toEqual(['payload.source: Required', expect.stringMatching(/^payload\.severity: Invalid option/)]);
    expect(issuesOf(parseAlertPayload('events', { ...fixture('events-resolve'), dedup_key: undefined }))).toEqual(['dedup_key: Required for resolve']);
  });

  it('clips a summary over 1024 characters instead of losing the event', () => {
    const trigger = fixture('events-trigger');
    const batch = batchOf('events', { ...trigger, payload: { ...(trigger.payload as object), summary: 's'.repeat(5000) } });
    expect(batch.alerts[0]!.summary).toHaveLength(1024);
  });

  it('accepts severities and actions in any case', () => {
    const trigger = fixture('events-trigger');
    const batch = batchOf('events', { ...trigger, event_action: 'TRIGGER', payload: { ...(trigger.payload as object), severity: 'Warning' } });
    expect(batch.alerts[0]).toMatchObject({ severity: 'warning', labels: { severity: 'warning' } });
  });
});

describe('the sample `npm run alert` posts', () => {
  it('is the seed 003 fixture, with the fingerprint Alertmanager computes', () => {
    expect(latencyAlertPayload('firing')).toEqual(fixture('alertmanager-latency-firing'));
    expect(latencyAlertPayload('resolved')).toEqual(fixture('alertmanager-latency-resolved'));
    // Alertmanager 0.25 gave these for the labels of the mixed fixture.
    const mixed = fixture('alertmanager-mixed').alerts as { labels: Record<string, string>; fingerprint: string }[];
    for (const a of mixed) expect(labelsFingerprint(a.labels)).toBe(a.fingerprint);
  });

  it('fires from now and resolves at now, keeping the fingerprint', () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const firing = batchOf('alertmanager', atStatus(latencyAlertPayload('resolved'), 'firing', now));
    expect(firing.alerts[0]).toMatchObject({ status: 'firing', startsAt: now.toISOString(), fingerprint: 'c6e15f1681e2fabb' });
    expect(firing.alerts[0]!.endsAt).toBeUndefined();
    const resolved = batchOf('alertmanager', atStatus(fixture('alertmanager-mixed'), 'resolved', now));
    expect(resolved.alerts.map((a) => [a.status, a.startsAt, a.endsAt])).toEqual([
      ['resolved', '2025-06-05T13:35:12.345Z', now.toISOString()],
      ['resolved', '2025-06-05T13:36:02.101Z', now.toISOString()],
    ]);
    expect(batchOf('events', atStatus(fixture('events-trigger'), 'resolved', now)).alerts[0]!.status).toBe('resolved');
  });
});
