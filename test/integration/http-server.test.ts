import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertSourceConfig } from '../../src/core/alerts/config.js';
import { PromMetrics } from '../../src/infra/metrics.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { testApp, type TestApp } from '../support/app.js';
import { heldRequest, parseMetrics, sample } from '../support/http.js';

/**
 * The HTTP server in this process, around the real core (testApp): what happens to alert
 * requests under way when too many arrive at once, and when the server closes.
 */

const SOURCE: AlertSourceConfig = { id: 'am', kind: 'alertmanager', workspace: 'local', auth: { type: 'bearer', tokenEnv: 'UNUSED' }, limitPerMinute: 120, routes: [] };
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer t0ken' };

let app: TestApp;
let server: HttpServer | undefined;
let metrics: PromMetrics;
let payload: string;

beforeEach(async () => {
  app = await testApp();
  metrics = new PromMetrics({ defaultMetrics: false });
  payload = await readFile('test/fixtures/alerts/alertmanager-latency-firing.json', 'utf8');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await app.close();
});

function serve(maxInFlight?: number): Promise<HttpServer> {
  return startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: app.log,
    metrics,
    alerts: { deps: app.deps, sources: [SOURCE], secrets: new Map([['am', { type: 'bearer', token: 't0ken' }]]), metrics, ...(maxInFlight ? { maxInFlight } : {}) },
  });
}

const post = (url: string) => fetch(`${url}/alerts/am`, { method: 'POST', headers: HEADERS, body: payload });

describe('the HTTP server under load and at shutdown', () => {
  it('answers 503 with Retry-After while its limit of alert requests is under way, and takes alerts again after', async () => {
    server = await serve(1);
    const held = heldRequest(`${server.url}/alerts/am`, HEADERS, Buffer.byteLength(payload));
    await held.continued;

    const refused = await post(server.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // Health is not an alert request: it still answers.
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);

    expect((await held.finish(payload)).status).toBe(200);
    expect((await post(server.url)).status).toBe(200);
    const s = parseMetrics((await metrics.scrape()).text);
    expect(sample(s, 'ic_alerts_received_total', { source: 'am', outcome: 'unavailable' })).toBe(1);
  });

  it('on close, stops taking requests and lets the one under way finish', async () => {
    server = await serve();
    const { url } = server;
    const held = heldRequest(`${url}/alerts/am`, HEADERS, Buffer.byteLength(payload));
    await held.continued;

    const closed = server.close();
    // The listening socket goes at once: a new connection is refused (or, on a kept-alive one, answered 503).
    const fresh = await fetch(`${url}/livez`).then(
      (r) => r.status,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
    );
    expect([503, 'ECONNREFUSED']).toContain(fresh);

    const answer = await held.finish(payload);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
    await closed;
  });

  it('refuses a request without credentials before reading its body: it holds no slot a real sender needs', async () => {
    server = await serve(1);
    // A client that sends its headers and never its body, without a token: 401 at once.
    const socket = connect(server.port, '127.0.0.1');
    const answer = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    socket.write('POST /alerts/am HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    expect(await answer).toMatch(/^HTTP\/1\.1 401/);
    // Its connection is still open, and a real sender still gets in (the limit here is 1).
    expect((await post(server.url)).status).toBe(200);
    socket.destroy();
  });

  it('answers 400, not 503 for ever, to a payload nested too deeply to read', async () => {
    server = await serve();
    const events: AlertSourceConfig = { ...SOURCE, id: 'pd', kind: 'events', auth: { type: 'routingKey', keyEnv: 'UNUSED' } };
    await server.close();
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      log: app.log,
      alerts: { deps: app.deps, sources: [events], secrets: new Map([['pd', { type: 'routingKey', key: 'rk' }]]) },
    });
    const nested = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const body = `{"routing_key":"rk","event_action":"trigger","payload":{"summary":"deep","source":"x","severity":"critical","custom_details":${nested}}}`;
    const res = await fetch(`${server.url}/alerts/pd`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
  });
});
