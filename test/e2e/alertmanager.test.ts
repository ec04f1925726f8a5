import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { findAlertmanager, startAlertmanager, type PostableAlert, type RunningAlertmanager } from '../support/alertmanager.js';
import { countMatches } from '../support/bot-process.js';
import { localBotEnv, startHttpBot, type HttpBot } from '../support/http.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * With the real Alertmanager between the monitoring and the bot: an alert posted to
 * Alertmanager's API (as Prometheus posts it) goes through its grouping and its webhook receiver
 * to `npm start`'s process, which opens the incident and pages whoever the rotation has on call;
 * the alert's resolve flows the same way. Alertmanager flushes a group every 2 s here, so each
 * step takes a few seconds; every wait is for the bot's output, never a fixed time.
 */

const binary = findAlertmanager();
if (!binary.ok) console.log(`[alertmanager.test] skipped: ${binary.reason}`);

const TOKEN = 'am-e2e-token-5d2a';
const DELIVERY_MS = 12_000;
const PAGE = /\[DM @alice · m\d+\] bot:\n {4}📟 You are paged: INC-1 \(P1\)/;
const CHANNEL = /\[workspace\] channel #inc-1-[a-z0-9-]+ created/;

let dir: string;
let redis: TestRedis;
let app: HttpBot;
let am: RunningAlertmanager;

const startsAt = new Date(Date.now() - 60_000).toISOString();
const latency = (endsAt?: string): PostableAlert => ({
  labels: { alertname: 'HighLatency', service: 'api', severity: 'critical', instance: 'api-1:8080' },
  annotations: { summary: 'API p99 latency 281 ms (normally 20 ms)', description: 'CPU on api-1 is at 95%.' },
  generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=api_latency',
  startsAt,
  ...(endsAt ? { endsAt } : {}),
});

describe.skipIf(!binary.ok)('the real Alertmanager pages through the bot', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-am-'));
    redis = await testRedis();
    await writeFile(
      join(dir, 'incident.yaml'),
      [
        'rotations:',
        '  - id: api-oncall',
        '    timeZone: UTC',
        '    layers:',
        '      - members: [alice]',
        '        shift: 1w',
        '        handoff: "09:00"',
        '        start: 2024-01-01',
        'policies:',
        '  - id: api',
        '    tiers:',
        '      - targets: [{ rotation: api-oncall }]',
        '        delay: 1h',
        'defaultPolicy: api',
        'alertSources:',
        '  - id: am',
        '    kind: alertmanager',
        '    workspace: local',
        '    auth: { type: bearer, tokenEnv: IC_AM_TEST_TOKEN }',
        '    routes:',
        '      - match: { severity: critical }',
        '        severity: P1',
        `postmortems: { dir: ${join(dir, 'postmortems')} }`,
      ].join('\n'),
    );
    const env = localBotEnv({ redisUrl: inject('redisUrl'), prefix: redis.prefix, dir, extra: { IC_AM_TEST_TOKEN: TOKEN } });
    app = await startHttpBot('am-bot', env);
    am = await startAlertmanager(binary.ok ? binary.path : '', { webhookUrl: `${app.url}/alerts/am`, token: TOKEN, dir: join(dir, 'alertmanager') });
  }, 40_000);

  afterAll(async () => {
    await am?.stop();
    await app?.bot.kill();
    await redis?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an alert posted to Alertmanager opens one incident and pages the on-call person once; its resolve tells the channel', async () => {
    await am.postAlerts([latency()]);
    await app.bot.waitFor(CHANNEL, DELIVERY_MS).catch(withAlertmanagerOutput);
    const page = await app.bot.waitFor(PAGE, DELIVERY_MS);
    expect(app.bot.out().slice(page.index)).toMatch(/You are paged: INC-1 \(P1\) [^\n]*\n {4}🔔 API p99 latency 281 ms \(normally 20 ms\)/);
    // Alertmanager's labels and its link to the graph are in the page.
    expect(app.bot.out()).toMatch(/Labels: alertname=HighLatency, instance=api-1:8080, service=api, severity=critical/);
    expect(app.bot.out()).toMatch(/generator: http:\/\/prometheus\.example\.com:9090\/graph\?g0\.expr=api_latency/);

    const from = app.bot.out().length;
    await am.postAlerts([latency(new Date(Date.now() - 1_000).toISOString())]);
    await app.bot.waitFor(/✅ Alert resolved: API p99 latency 281 ms \(normally 20 ms\)/, DELIVERY_MS, from).catch(withAlertmanagerOutput);
    await app.bot.waitFor(/Every alert of INC-1 has resolved\. Resolve the incident once the impact is over\.\n {4}\[ Resolve \]/, DELIVERY_MS, from);

    // Nothing doubled: one incident, one channel, one page DM, one page in the record.
    const out = app.bot.out();
    expect(countMatches(out, /\[workspace\] channel #inc-\d+/)).toBe(1);
    expect(countMatches(out, /You are paged:/)).toBe(1);
    const incidents = await new RedisIncidentStore(redis.redis, redis.prefix).list('local', { all: true });
    expect(incidents.map((i) => i.ref)).toEqual(['INC-1']);
    const [inc] = incidents;
    expect(inc?.escalation?.pages.map((p) => p.user.id)).toEqual(['alice']);
    expect(inc?.alerts?.items).toHaveLength(1);
    expect(inc?.status).toBe('investigating');
  }, 30_000);
});

/** A delivery that never came: show what Alertmanager said about it. */
function withAlertmanagerOutput(err: Error): never {
  throw new Error(`${err.message}\n--- alertmanager output ---\n${am.output().slice(-2000)}`);
}
