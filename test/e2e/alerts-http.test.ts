import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Incident } from '../../src/core/model.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { countMatches } from '../support/bot-process.js';
import { localBotEnv, startHttpBot, type HttpBot } from '../support/http.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * Alerts into `npm start`'s process over HTTP, as monitoring sends them (no Alertmanager in
 * between: test/e2e/alertmanager.test.ts has the real one). What the on-call person sees in the
 * terminal: one incident and one page per alert group, however often the group is re-sent; the
 * group's later alerts and resolves on its channel; Grafana's signed webhooks and PagerDuty-style
 * events. The refusals (401, 413, 400, 404, 503) are in test/e2e/http-server.test.ts.
 *
 * A delivery is answered once its alerts are recorded, so what the store holds when the answer
 * arrives is final: "nothing more happened" is read there, not waited for.
 */

const AM_TOKEN = 'alerts-http-token-71b9';
const GRAFANA_SECRET = 'grafana-hmac-secret-3e0c';
const ROUTING_KEY = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const WAIT_MS = 10_000;

type Json = Record<string, unknown>;
type AmAlert = { status: string; fingerprint: string; endsAt: string; annotations: { summary: string } };
type AmPayload = Json & { status: string; groupKey: string; alerts: AmAlert[] };

const fixture = async (name: string): Promise<string> => readFile(join('test/fixtures/alerts', name), 'utf8');
const json = <T = Json>(text: string): T => JSON.parse(text) as T;

let dir: string;
let redis: TestRedis;
let app: HttpBot;
let store: RedisIncidentStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-alerts-'));
  redis = await testRedis();
  store = new RedisIncidentStore(redis.redis, redis.prefix);
  await writeFile(
    join(dir, 'incident.yaml'),
    [
      'policies:',
      '  - id: slow',
      '    tiers:',
      '      - targets: [{ user: alice }]',
      '        delay: 1h',
      // The events' policy: bob is paged 2 s after alice unless someone acknowledges.
      '  - id: fast',
      '    tiers:',
      '      - targets: [{ user: alice }]',
      '        delay: 2s',
      '      - targets: [{ user: bob }]',
      'defaultPolicy: slow',
      'alertSources:',
      '  - id: am',
      '    kind: alertmanager',
      '    workspace: local',
      '    auth: { type: bearer, tokenEnv: IC_ALERTS_TOKEN }',
      '    limitPerMinute: 1000',
      '  - id: am-auto',
      '    kind: alertmanager',
      '    workspace: local',
      '    auth: { type: bearer, tokenEnv: IC_ALERTS_TOKEN }',
      '    routes:',
      '      - match: {}',
      '        autoResolve: true',
      '  - id: grafana',
      '    kind: grafana',
      '    workspace: local',
      '    auth: { type: hmac, secretEnv: IC_GRAFANA_SECRET }',
      '  - id: pd',
      '    kind: events',
      '    workspace: local',
      '    auth: { type: routingKey, keyEnv: IC_PD_ROUTING_KEY }',
      '    routes:',
      '      - match: {}',
      '        policy: fast',
      `postmortems: { dir: ${join(dir, 'postmortems')} }`,
    ].join('\n'),
  );
  const env = localBotEnv({
    redisUrl: inject('redisUrl'),
    prefix: redis.prefix,
    dir,
    extra: { IC_ALERTS_TOKEN: AM_TOKEN, IC_GRAFANA_SECRET: GRAFANA_SECRET, IC_PD_ROUTING_KEY: ROUTING_KEY },
  });
  app = await startHttpBot('alerts-bot', env);
}, 40_000);

afterAll(async () => {
  await app?.bot.kill();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function post(source: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const auth: Record<string, string> = source.startsWith('am') ? { authorization: `Bearer ${AM_TOKEN}` } : {};
  const res = await fetch(`${app.url}/alerts/${source}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...auth, ...headers } });
  const text = await res.text();
  return { status: res.status, body: text ? json(text) : {} };
}

async function incident(ref: string): Promise<Incident> {
  const inc = await store.get({ workspace: 'local', number: Number(ref.replace('INC-', '')) });
  if (!inc) throw new Error(`no ${ref} in the store`);
  return inc;
}

/** What alerts write on an incident (its effects add their own events later: channel, summary, page sent). */
const ALERT_WRITES = new Set(['declared', 'alert_fired', 'alert_resolved', 'escalation_started', 'paged']);
async function alertWrites(ref: string): Promise<string[]> {
  const events = await store.events({ workspace: 'local', number: Number(ref.replace('INC-', '')) });
  return events.filter((e) => ALERT_WRITES.has(e.type)).map((e) => e.type);
}

const allIncidents = (): Promise<Incident[]> => store.list('local', { all: true });
const pagedRe = (who: string, ref: string): RegExp => new RegExp(`\\[DM @${who} · m\\d+\\] bot:\\n {4}📟 You are paged: ${ref} `);
const channelRe = (ref: string): RegExp => new RegExp(`\\[workspace\\] channel #${ref.toLowerCase()}-[a-z0-9-]+ created`);
/** The channel's welcome: posted once the channel is on the incident, so later changes are told in it. */
const welcomeRe = (ref: string): RegExp => new RegExp(`Welcome to ${ref}, opened from an alert`);

/** The fixture's payload as another alert group (its own groupKey and fingerprints). */
function otherGroup(payload: AmPayload, tag: string): AmPayload {
  return { ...payload, groupKey: `${payload.groupKey}:${tag}`, alerts: payload.alerts.map((a) => ({ ...a, fingerprint: `${a.fingerprint}${tag}` })) };
}

function resolvedAll(payload: AmPayload, alerts: AmAlert[]): AmPayload {
  return { ...payload, status: 'resolved', alerts: alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2025-06-05T14:12:00Z' })) };
}

describe('an Alertmanager group over HTTP', () => {
  let firing: string;
  let second: AmAlert;

  it('firing: 200 with INC-1; the channel opens and the on-call person is paged', async () => {
    firing = await fixture('alertmanager-latency-firing.json');
    const res = await post('am', firing);
    expect(res).toEqual({ status: 200, body: { status: 'ok', incidents: ['INC-1'] } });
    await app.bot.waitFor(channelRe('INC-1'), WAIT_MS);
    const page = await app.bot.waitFor(pagedRe('alice', 'INC-1'), WAIT_MS);
    expect(app.bot.out().slice(page.index)).toMatch(/^[^\n]*\n[^\n]*\n {4}🔔 API latency 281 ms \(normal 20 ms\)/);
  });

  it('the same payload delivered 4 more times changes nothing: one incident, one page', async () => {
    const before = await alertWrites('INC-1');
    expect(before).toEqual(['declared', 'alert_fired', 'escalation_started', 'paged']);
    for (let i = 0; i < 4; i++) expect(await post('am', firing)).toEqual({ status: 200, body: { status: 'ok', incidents: ['INC-1'] } });
    expect(await alertWrites('INC-1')).toEqual(before);
    const after = await incident('INC-1');
    expect(after.escalation?.pages.map((p) => p.user.id)).toEqual(['alice']);
    expect(await allIncidents()).toHaveLength(1);
    expect(countMatches(app.bot.out(), /You are paged:/)).toBe(1);
  });

  it('a second alert of the group goes on the channel as a new alert, and pages nobody', async () => {
    const mixed = json<AmPayload>(await fixture('alertmanager-mixed.json'));
    second = mixed.alerts[0] as AmAlert;
    const from = app.bot.out().length;
    expect(await post('am', JSON.stringify({ ...mixed, alerts: [second] }))).toEqual({ status: 200, body: { status: 'ok', incidents: ['INC-1'] } });
    await app.bot.waitFor(/\[#inc-1-[a-z0-9-]+ · m\d+\] bot:\n {4}🔔 New alert in this incident: p95 latency on api-1:8080 is 318 ms/, WAIT_MS, from);
    const inc = await incident('INC-1');
    expect(inc.alerts?.items.map((a) => a.status)).toEqual(['firing', 'firing']);
    expect(inc.escalation?.pages).toHaveLength(1);
    expect(countMatches(app.bot.out(), /You are paged:/)).toBe(1);
  });

  it('once every alert has resolved, the channel is told, with a Resolve button; the incident stays open', async () => {
    const payload = json<AmPayload>(firing);
    const from = app.bot.out().length;
    const res = await post('am', JSON.stringify(resolvedAll(payload, [payload.alerts[0] as AmAlert, second])));
    expect(res.status).toBe(200);
    // Both resolves came in one delivery: one message lists them.
    await app.bot.waitFor(/✅ 2 alerts resolved:\n\s+• API latency 281 ms \(normal 20 ms\)\n\s+• p95 latency on api-1:8080 is 318 ms/, WAIT_MS, from);
    await app.bot.waitFor(/Every alert of INC-1 has resolved\. Resolve the incident once the impact is over\.\n {4}\[ Resolve \]/, WAIT_MS, from);
    expect((await incident('INC-1')).status).toBe('investigating');
  });

  it('two deliveries of a new group at the same moment open one incident and page once', async () => {
    const payload = otherGroup(json<AmPayload>(firing), 'race');
    const body = JSON.stringify(payload);
    const answers = await Promise.all([post('am', body), post('am', body), post('am', body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const refs = new Set(answers.flatMap((a) => a.body.incidents as string[]));
    expect(refs.size).toBe(1);
    const [ref] = [...refs] as [string];
    await app.bot.waitFor(pagedRe('alice', ref), WAIT_MS);
    const group = (await allIncidents()).filter((i) => i.alerts?.groupKey === payload.groupKey);
    expect(group.map((i) => i.ref)).toEqual([ref]);
    expect(group[0]?.escalation?.pages).toHaveLength(1);
    expect(countMatches(app.bot.out(), channelRe(ref))).toBe(1);
  });
});

describe('a route with autoResolve', () => {
  it('resolves the incident on its own once its alerts have resolved', async () => {
    const payload = otherGroup(json<AmPayload>(await fixture('alertmanager-latency-firing.json')), 'auto');
    const res = await post('am-auto', JSON.stringify(payload));
    expect(res.status).toBe(200);
    const [ref] = res.body.incidents as [string];
    await app.bot.waitFor(welcomeRe(ref), WAIT_MS);
    const from = app.bot.out().length;
    expect((await post('am-auto', JSON.stringify(resolvedAll(payload, payload.alerts)))).status).toBe(200);
    await app.bot.waitFor(new RegExp(`✅ ${ref} resolved on its own after [^\\n]*: every alert resolved\\.`), WAIT_MS, from);
    expect((await incident(ref)).status).toBe('resolved');
  });
});

describe('Grafana with an HMAC signature', () => {
  const sign = (body: string, secret = GRAFANA_SECRET): string => createHmac('sha256', secret).update(body).digest('hex');

  it('a wrong signature is refused 401 and writes nothing; the signed body opens the next incident', async () => {
    const body = await fixture('grafana-firing.json');
    const before = await allIncidents();
    const wrong = await post('grafana', body, { 'x-grafana-alerting-signature': sign(body, 'not-the-secret') });
    expect(wrong.status).toBe(401);
    expect(await post('grafana', body, { 'x-grafana-alerting-signature': sign(`${body} `) })).toMatchObject({ status: 401 });
    expect(await allIncidents()).toHaveLength(before.length);

    const res = await post('grafana', body, { 'x-grafana-alerting-signature': sign(body) });
    // No number was taken by the refused deliveries.
    const next = `INC-${Math.max(...before.map((i) => i.number)) + 1}`;
    expect(res).toEqual({ status: 200, body: { status: 'ok', incidents: [next] } });
    const page = await app.bot.waitFor(pagedRe('alice', next), WAIT_MS);
    // Grafana's links come with the page.
    expect(app.bot.out().slice(page.index)).toMatch(/🔔 CPU on api-1:8080 at 95%\n[^\n]*\n {4}Links: [^\n]*https:\/\/grafana\.example\.com\/d\/api-overview/);
  });
});

describe('PagerDuty-style events', () => {
  it('trigger → 202 with the dedup key and a page; acknowledge stops the paging; resolve resolves', async () => {
    const trigger = await fixture('events-trigger.json');
    const res = await post('pd', trigger);
    expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'api-latency-api-1' } });
    const ref = (await allIncidents()).find((i) => i.alerts?.source === 'pd')?.ref as string;
    // Acknowledged once its channel is there, well before bob's tier is due (2 s).
    await app.bot.waitFor(welcomeRe(ref), WAIT_MS);
    await app.bot.waitFor(pagedRe('alice', ref), WAIT_MS);
    const from = app.bot.out().length;
    expect(await post('pd', await fixture('events-acknowledge.json'))).toMatchObject({ status: 202, body: { dedup_key: 'api-latency-api-1' } });
    await app.bot.waitFor(new RegExp(`pd acknowledged ${ref}\\. Escalation stopped\\.`), WAIT_MS, from);

    // An event nobody acknowledges, triggered after the first: its tier 2 (bob, 2 s later)
    // comes after the acknowledged one's would have.
    const control = json(trigger);
    const other = await post('pd', JSON.stringify({ ...control, dedup_key: 'control-unacked', payload: { ...(control.payload as Json), summary: 'Control: nobody acknowledges' } }));
    expect(other.status).toBe(202);
    const controlRef = (await allIncidents()).find((i) => i.alerts?.groupKey === 'control-unacked')?.ref as string;
    await app.bot.waitFor(pagedRe('bob', controlRef), WAIT_MS);
    expect(app.bot.out()).not.toMatch(pagedRe('bob', ref));
    const acked = await incident(ref);
    expect(acked.escalation?.phase).toBe('acknowledged');
    expect(acked.escalation?.pages.map((p) => p.user.id)).toEqual(['alice']);

    const resolvedFrom = app.bot.out().length;
    expect(await post('pd', await fixture('events-resolve.json'))).toMatchObject({ status: 202, body: { dedup_key: 'api-latency-api-1' } });
    await app.bot.waitFor(new RegExp(`✅ ${ref} resolved on its own`), WAIT_MS, resolvedFrom);
    expect((await incident(ref)).status).toBe('resolved');
  });
});
