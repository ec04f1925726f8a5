import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import { playgroundRoutes } from '../../src/web/playground.js';
import { testApp, type TestApp } from '../support/app.js';
import { Browserless, serveDashboard } from '../support/web.js';

/**
 * Issue 14's authorization rule, route by route: every route the dashboard registers (the
 * playground's included) is listed as Fastify registers it, and each is asked without a session.
 * A route added later is covered without editing this test. Only sign-in, the static files and
 * the iCal feeds (which carry their own signed token) answer; the rest redirect a page request
 * to /signin and refuse anything else, and none of them says a word of the incidents.
 */

const TITLE = 'Zebra-unicorn outage';
const config = {
  rotations: [{ id: 'backend', name: 'Backend', timeZone: 'UTC', layers: [{ members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
};
let app: TestApp;
let http: HttpServer;
const routes: { method: string; url: string }[] = [];

beforeAll(async () => {
  app = await testApp(config);
  await app.type(`/incident declare ${TITLE} --sev P2`);
  await app.type('/incident declare Secret thing --sev P3 --private');
  const playground = playgroundRoutes({ chat: app.chat, deps: app.deps, localUser: 'alice' });
  http = await serveDashboard(app, {}, [playground], (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
});

afterAll(async () => {
  await http?.close();
  await app?.close();
});

const OPEN = /^\/(signin|static|ical)(\/|$)|^\/favicon\.ico$/;
const filled = (url: string) =>
  url
    .replace(':workspace', 'local')
    .replace(':number', '1')
    .replace(':rotation', 'backend')
    .replace(':token', 'not-a-token')
    .replace(':file', url.startsWith('/ical/') ? 'backend.ics' : 'app.css');

describe('without a session', () => {
  it('registers the areas this test is meant to cover', () => {
    const urls = new Set(routes.map((r) => r.url));
    for (const u of ['/incidents', '/incidents.csv', '/incidents/:workspace/:number', '/incidents/:workspace/:number/live', '/oncall', '/insights', '/playground', '/playground/events', '/playground/say']) {
      expect(urls, u).toContain(u);
    }
  });

  it('every route that is not sign-in, a static file or a signed feed redirects or refuses, and shows no incident', async () => {
    const guarded = routes.filter((r) => !OPEN.test(r.url) && r.method !== 'OPTIONS');
    expect(guarded.length).toBeGreaterThan(10);
    const b = new Browserless(http.url);
    for (const r of guarded) {
      const path = filled(r.url);
      const res = r.method === 'GET' || r.method === 'HEAD' ? await b.get(path) : await b.post(path, { text: '/incident declare sneaky', user: 'alice', channel: 'general' });
      const what = `${r.method} ${path}`;
      if (r.method === 'GET' || r.method === 'HEAD') {
        expect(res.status, what).toBe(303);
        expect(res.headers.get('location'), what).toBe('/signin');
      } else {
        expect([401, 403], what).toContain(res.status);
      }
      expect(res.body, what).not.toContain('Zebra');
      expect(res.body, what).not.toContain('Secret thing');
    }
    // Nothing a refused POST carried was run.
    expect(app.output.join('\n')).not.toContain('sneaky');
  });

  it('an iCal feed without its signed token, or with another feed’s, gives no shift', async () => {
    const b = new Browserless(http.url);
    for (const path of ['/ical/rotation/local/backend.ics', '/ical/rotation/local/backend.ics?token=forged', '/ical/person/local/alice.ics', '/ical/person/local/alice.ics?token=forged']) {
      const res = await b.get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('BEGIN:VEVENT');
    }
  });
});
