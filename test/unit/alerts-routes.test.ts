import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { parseAlertPayload } from '../../src/core/alerts/parse.js';
import { routeAlert } from '../../src/core/alerts/routes.js';
import type { NormalizedAlert } from '../../src/core/alerts/types.js';

function config(doc: Record<string, unknown> = {}): AppConfig {
  const result = parseConfig(doc);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const alert = (labels: Record<string, string>, extra: Partial<NormalizedAlert> = {}): NormalizedAlert => ({ fingerprint: 'fp', status: 'firing', summary: 's', labels, links: [], ...extra });

const source = (routes: unknown[]) =>
  config({
    policies: [{ id: 'triage', tiers: [{ targets: [{ user: 'U1' }] }] }],
    alertSources: [{ id: 'am', kind: 'alertmanager', workspace: 'local', auth: { type: 'bearer', tokenEnv: 'T' }, routes }],
  }).alertSources[0]!;

describe('routeAlert: which route', () => {
  const routes = source([
    { match: { team: 'db' }, action: 'drop' },
    { match: { severity: ['warning', 'info'] }, action: 'page', policy: 'triage' },
    { matchRegex: { service: 'api|web' }, severity: 'P1', service: 'api', autoResolve: true },
    { match: { env: '' }, action: 'page' },
    {},
  ]);
  const c = config();

  it('takes the first route whose labels all match', () => {
    expect(routeAlert(c, routes, alert({ team: 'db', severity: 'warning' }))).toMatchObject({ action: 'drop', route: 0 });
    expect(routeAlert(c, routes, alert({ severity: 'info', service: 'api' }))).toEqual({ action: 'page', severity: 'P4', service: 'api', policy: 'triage', autoResolve: false, route: 1 });
    expect(routeAlert(c, routes, alert({ severity: 'critical', service: 'web', env: 'prod' }))).toEqual({ action: 'declare', severity: 'P1', service: 'api', autoResolve: true, route: 2 });
  });

  it('anchors regular expressions: the whole value must match', () => {
    expect(routeAlert(c, routes, alert({ service: 'api-gateway', env: 'prod' })).route).toBe(4);
    expect(routeAlert(c, routes, alert({ service: 'xapi', env: 'prod' })).route).toBe(4);
  });

  it('reads a missing label as empty, as Alertmanager does', () => {
    expect(routeAlert(c, routes, alert({ service: 'billing' })).route).toBe(3);
  });

  it('declares with the derived severity and service when no route matches', () => {
    expect(routeAlert(c, source([{ match: { team: 'db' } }]), alert({ severity: 'critical', service: 'API' }))).toEqual({ action: 'declare', severity: 'P1', service: 'api', autoResolve: false, route: null });
  });

  it('never matches on a regular expression that does not compile (the config check refuses it at start)', () => {
    const unchecked = { kind: 'alertmanager' as const, routes: [{ match: {}, matchRegex: { service: '(' }, action: 'drop' as const, autoResolve: false }] };
    expect(routeAlert(c, unchecked, alert({ service: '(' })).route).toBeNull();
  });

  it("routes the parsed fixtures by their labels: seed 003's alert is declared P1 for the api service", () => {
    const body = JSON.parse(readFileSync(new URL('../fixtures/alerts/alertmanager-latency-firing.json', import.meta.url), 'utf8'));
    const parsed = parseAlertPayload('alertmanager', body);
    if (!parsed.ok) throw new Error('refused');
    expect(routeAlert(c, source([]), parsed.batch.alerts[0]!)).toEqual({ action: 'declare', severity: 'P1', service: 'api', autoResolve: false, route: null });
  });
});

describe('routeAlert: severity from the alert', () => {
  const none = source([]);
  const severityOf = (c: AppConfig, labels: Record<string, string>, extra: Partial<NormalizedAlert> = {}) => routeAlert(c, none, alert(labels, extra)).severity;
  const sev = (id: string, name = id) => ({ id, name, responseMinutes: 10, updateEveryMinutes: 20 });

  it('maps the usual words onto seed 004 severities', () => {
    const c = config();
    expect(['critical', 'error', 'warning', 'info'].map((s) => severityOf(c, { severity: s }))).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(severityOf(c, { severity: 'CRITICAL' })).toBe('P1');
  });

  it('prefers a configured id, then a configured name, in any case', () => {
    expect(severityOf(config(), { severity: 'p2' })).toBe('P2');
    expect(severityOf(config(), { severity: 'High' })).toBe('P2');
    const custom = config({ severities: [sev('SEV0', 'Emergency'), sev('critical', 'Bad'), sev('SEV2')], defaultSeverity: 'SEV2' });
    expect(severityOf(custom, { severity: 'Critical' })).toBe('critical');
    expect(severityOf(custom, { severity: 'error' })).toBe('critical');
  });

  it('uses the events severity when there is no label', () => {
    expect(severityOf(config(), {}, { severity: 'warning' })).toBe('P3');
  });

  it('falls back to the default when the word is unknown, absent, or beyond the configured severities', () => {
    const c = config({ defaultSeverity: 'P2' });
    expect(severityOf(c, { severity: 'page-everyone' })).toBe('P2');
    expect(severityOf(c, {})).toBe('P2');
    const two = config({ severities: [sev('S1'), sev('S2')], defaultSeverity: 'S2' });
    expect(['critical', 'error', 'warning', 'info'].map((s) => severityOf(two, { severity: s }))).toEqual(['S1', 'S2', 'S2', 'S2']);
    const four = config({ severities: [sev('A'), sev('B'), sev('C'), sev('D'), sev('E')], defaultSeverity: 'C' });
    expect(severityOf(four, { severity: 'info' })).toBe('E');
  });
});

describe('routeAlert: service from the alert', () => {
  const none = source([]);

  it('takes the service label when it names a configured service, or when none are configured', () => {
    expect(routeAlert(config(), none, alert({ service: 'Checkout' })).service).toBe('checkout');
    const c = config({ services: [{ id: 'api' }] });
    expect(routeAlert(c, none, alert({ service: 'API' })).service).toBe('api');
    expect(routeAlert(c, none, alert({ service: 'billing' })).service).toBeUndefined();
    expect(routeAlert(c, none, alert({})).service).toBeUndefined();
  });
});

describe('autoResolve by kind', () => {
  const parsed = parseConfig({});
  const levels = parsed.ok ? parsed.config : undefined;
  it('resolves on a PagerDuty-style resolve unless the route says otherwise; Alertmanager and Grafana only tell the channel', () => {
    if (!levels) throw new Error('defaults');
    const a = { fingerprint: 'f', status: 'firing' as const, summary: 's', labels: {}, links: [] };
    expect(routeAlert(levels, { kind: 'events', routes: [] }, a).autoResolve).toBe(true);
    expect(routeAlert(levels, { kind: 'events', routes: [{ match: {}, matchRegex: {}, action: 'declare', autoResolve: false }] }, a).autoResolve).toBe(false);
    expect(routeAlert(levels, { kind: 'alertmanager', routes: [] }, a).autoResolve).toBe(false);
    expect(routeAlert(levels, { kind: 'grafana', routes: [] }, a).autoResolve).toBe(false);
  });
});
