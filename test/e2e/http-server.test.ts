import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRedis, freePort, type EnsuredRedis } from '../../src/infra/redis-server.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { localBotEnv, sample, scrape, startHttpBot, type HttpBot, type Samples } from '../support/http.js';

/**
 * The bot's one HTTP server, end to end: `npm start`'s process (local workspace) on a Redis of
 * this file's own, so the test can stop it. Health and readiness, /metrics moving with what a
 * person did in the terminal, and the alert endpoint's refusals, each with its status code.
 */

const TOKEN = 'test-alert-token-8c1f';
const PREFIX = 'http:';
const firing = (): Promise<string> => readFile('test/fixtures/alerts/alertmanager-latency-firing.json', 'utf8');

let dir: string;
let redisServer: EnsuredRedis;
let app: HttpBot;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-http-'));
  redisServer = await ensureRedis(`redis://127.0.0.1:${await freePort()}`, { dataDir: join(dir, 'redis'), ephemeral: false });
  await writeFile(
    join(dir, 'incident.yaml'),
    [
      'policies:',
      '  - id: default',
      '    tiers:',
      '      - targets: [{ user: alice }]',
      '      - targets: [{ user: bob }]',
      '        delay: 60s',
      'defaultPolicy: default',
      'alertSources:',
      '  - id: am',
      '    kind: alertmanager',
      '    workspace: local',
      '    auth: { type: bearer, tokenEnv: IC_TEST_ALERTS_TOKEN }',
      `postmortems: { dir: ${join(dir, 'postmortems')} }`,
    ].join('\n'),
  );
  const env = localBotEnv({ redisUrl: redisServer.url, prefix: PREFIX, dir, extra: { IC_TEST_ALERTS_TOKEN: TOKEN } });
  app = await startHttpBot('http-bot', env);
}, 40_000);

afterAll(async () => {
  await app?.bot.kill();
  await redisServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers } });
}

async function incidentsWritten(): Promise<number> {
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  try {
    return (await new RedisIncidentStore(redis, PREFIX).list('local', { all: true })).length;
  } finally {
    await redis.quit();
  }
}

/** Scrapes until `check` holds (the counters of effects move a moment after the terminal prints them). */
async function scrapeUntil(check: (s: Samples) => boolean, what: string, timeoutMs = 10_000): Promise<Samples> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(app.url);
    if (check(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`metrics never showed ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the HTTP server of a running bot', () => {
  it('answers /livez, and /readyz with each part it checked', async () => {
    const live = await fetch(`${app.url}/livez`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, checks: { redis: 'ok', workers: 'ok' } });
    // The banner told where alerts go; the configured source replaces the built-in one.
    expect(app.bot.out()).toMatch(new RegExp(`HTTP on ${app.url}: alerts on ${app.url}/alerts/am;`));
  });

  it('serves metrics that move with a declaration, its page, an acknowledgement and the commands typed', async () => {
    const before = await scrape(app.url);
    expect(sample(before, 'ic_incidents_declared_total', { severity: 'P1' })).toBe(0);

    app.bot.type('/incident declare DB down --sev P1');
    await app.bot.waitFor(/\[DM @alice · m\d+\] bot:\n[^\n]*You are paged: INC-1 \(P1\) DB down/, 10_000);
    app.bot.type('/incident frobnicate');
    const paged = await scrapeUntil((s) => sample(s, 'ic_pages_sent_total') === 1 && sample(s, 'ic_commands_total', { command: 'unknown', outcome: 'user_error' }) === 1, 'the page and the typo');
    expect(sample(paged, 'ic_incidents_declared_total', { severity: 'P1' })).toBe(1);
    expect(sample(paged, 'ic_incidents_open', { severity: 'P1' })).toBe(1);
    expect(sample(paged, 'ic_incidents_open', { severity: 'P2' })).toBe(0);
    expect(sample(paged, 'ic_commands_total', { command: 'declare', outcome: 'ok' })).toBe(1);
    // Bob's tier waits on a timer job.
    expect(sample(paged, 'ic_queue_jobs', { queue: 'escalation', state: 'delayed' })).toBeGreaterThanOrEqual(1);
    // The handoff queue is counted too (its timers, when rotations have boundaries ahead).
    expect(paged.has('ic_queue_jobs{queue="handoff",state="delayed"}')).toBe(true);
    expect(paged.has('ic_escalation_step_lateness_seconds_count')).toBe(true);
    expect(paged.has('process_resident_memory_bytes')).toBe(true);

    const from = app.bot.out().length;
    app.bot.type('/as @alice');
    app.bot.type('/incident ack INC-1');
    // The command's own answer comes once it has returned: its counter has moved by then.
    await app.bot.waitFor(/Acknowledged INC-1\. Escalation stopped\./, 10_000, from);
    const acked = await scrapeUntil((s) => sample(s, 'ic_acknowledgements_total') === 1, 'the acknowledgement');
    expect(sample(acked, 'ic_time_to_acknowledge_seconds_count')).toBe(1);
    expect(sample(acked, 'ic_commands_total', { command: 'ack', outcome: 'ok' })).toBe(1);
  });

  it('refuses an unknown source (404), a wrong or missing token (401, nothing written), a body over 512 KB (413) and a body that is not a payload (400)', async () => {
    const written = await incidentsWritten();
    const body = await firing();

    expect((await post('/alerts/nope', body)).status).toBe(404);
    expect((await post('/alerts/am', body, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post('/alerts/am', body, { authorization: '' })).status).toBe(401);
    expect((await post('/alerts/am', ' '.repeat(600 * 1024))).status).toBe(413);
    const notJson = await post('/alerts/am', '{"alerts": [');
    expect(notJson.status).toBe(400);
    const notPayload = await post('/alerts/am', JSON.stringify({ hello: 'world' }));
    expect(notPayload.status).toBe(400);
    const answer = (await notPayload.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(answer.issues.length).toBeGreaterThan(0);
    expect(answer.issues.every((i) => typeof i.path === 'string' && typeof i.message === 'string')).toBe(true);

    expect(await incidentsWritten()).toBe(written);
    const s = await scrape(app.url);
    expect(sample(s, 'ic_alerts_received_total', { source: 'am', outcome: 'rejected' })).toBe(2);
    expect(sample(s, 'ic_alerts_received_total', { source: 'am', outcome: 'too_large' })).toBe(1);
    expect(sample(s, 'ic_alerts_received_total', { source: 'am', outcome: 'invalid' })).toBe(2);
  });

  it('answers a valid, authenticated Alertmanager delivery 200 with the incidents it touched', async () => {
    const res = await post('/alerts/am', await firing());
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { status: string; incidents: unknown };
    expect(answer.status).toBe('ok');
    expect(Array.isArray(answer.incidents)).toBe(true);
  });

  it('with its Redis stopped: /readyz 503 naming redis, alerts 503 with Retry-After (never 4xx), /livez still 200', async () => {
    await redisServer.stop();
    const deadline = Date.now() + 10_000;
    let ready: Response;
    while ((ready = await fetch(`${app.url}/readyz`)).status === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { ok: boolean; failing: string[]; checks: Record<string, string> };
    expect(body.failing).toContain('redis');
    expect(body.checks.redis).not.toBe('ok');

    const alert = await post('/alerts/am', await firing());
    expect(alert.status).toBe(503);
    expect(Number(alert.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/livez`)).status).toBe(200);
  }, 20_000);
});
