import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import { testApp, type TestApp } from '../support/app.js';
import { Browserless, csrfOf, linkIn, serveDashboard, signIn } from '../support/web.js';

/**
 * The findings of the attacker-minded review of the dashboard (issue 14), each as the request
 * that showed it: live streams outliving sign-out, one session taking every stream, a CSRF
 * cookie planted from elsewhere passing for a signed-in person, cookies not Secure behind a TLS
 * proxy, sessions renewed by every request, and an absolute-form request answered 500.
 */

let app: TestApp;
let http: HttpServer;

beforeEach(async () => {
  app = await testApp();
  await app.type('/incident declare Payments timing out --sev P2');
});

afterEach(async () => {
  await http?.close();
  await app.close();
});

/** Opens an SSE stream with `b`'s cookies; resolves with its status and a promise of its end. */
async function openStream(b: Browserless, path: string): Promise<{ status: number; ended: Promise<void>; close(): void }> {
  const controller = new AbortController();
  const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(path, b.base), { headers: { cookie }, signal: controller.signal, redirect: 'manual' });
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    try {
      while (!(await reader.read()).done);
    } catch {
      // aborted by close()
    }
  })();
  return { status: res.status, ended, close: () => controller.abort() };
}

describe('live streams', () => {
  it('end when their session signs out', async () => {
    http = await serveDashboard(app);
    const b = new Browserless(http.url);
    await signIn(app, b);
    const stream = await openStream(b, '/incidents/local/1/live');
    expect(stream.status).toBe(200);
    const page = await b.get('/incidents');
    expect((await b.post('/signout', { _csrf: csrfOf(page.body) })).status).toBe(303);
    // Without the fix the stream stays open (and the test times out).
    await stream.ended;
  });

  it('are capped per session, so one browser cannot take them all', async () => {
    http = await serveDashboard(app);
    const greedy = new Browserless(http.url);
    await signIn(app, greedy);
    const open = [];
    for (let i = 0; i < 6; i++) open.push(await openStream(greedy, '/incidents/local/1/live'));
    expect(open.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const seventh = await openStream(greedy, '/incidents/local/1/live');
    expect(seventh.status).toBe(503);
    await app.type('/as bob');
    const other = new Browserless(http.url);
    await signIn(app, other);
    const fair = await openStream(other, '/incidents/local/1/live');
    expect(fair.status).toBe(200);
    for (const s of [...open, seventh, fair]) s.close();
  });
});

describe('CSRF', () => {
  it('a token from another visit (a planted cookie) does not pass for a signed-in person', async () => {
    http = await serveDashboard(app);
    // The attacker's own visit to a sign-in page: a CSRF cookie and its token.
    await app.type('/as mallory');
    await app.type('/incident web');
    const attacker = new Browserless(http.url);
    const token = csrfOf((await attacker.get(new URL(linkIn(app.output)).pathname)).body);
    await app.type('/as alice');
    const planted = attacker.cookies.get('ic_csrf')!;
    // The victim, signed in, with the attacker's CSRF cookie tossed into their jar.
    const victim = new Browserless(http.url);
    await signIn(app, victim);
    victim.cookies.set('ic_csrf', planted);
    const res = await victim.post('/signout', { _csrf: token });
    expect(res.status).toBe(403);
    // Still signed in: the forged sign-out did nothing.
    expect((await victim.get('/incidents')).status).toBe(200);
  });
});

describe('cookies and sessions', () => {
  it('are Secure behind a TLS proxy (PUBLIC_URL https)', async () => {
    http = await serveDashboard(app, { PUBLIC_URL: 'https://incidents.example.com' });
    await app.type('/incident web');
    const path = new URL(linkIn(app.output)).pathname;
    const proxied = { 'x-forwarded-proto': 'https' };
    const b = new Browserless(http.url);
    const confirm = await b.get(path, proxied);
    const csrfCookie = confirm.headers.getSetCookie().find((c) => c.startsWith('ic_csrf='));
    expect(csrfCookie).toMatch(/;\s*Secure/i);
    const done = await b.post(path, { _csrf: csrfOf(confirm.body) }, proxied);
    expect(done.status).toBe(303);
    const session = done.headers.getSetCookie().find((c) => c.startsWith('ic_session='));
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
  });

  it('last 12 hours from sign-in: a later request does not renew the cookie', async () => {
    http = await serveDashboard(app);
    const b = new Browserless(http.url);
    await signIn(app, b);
    const res = await b.get('/incidents');
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('ic_session='))).toEqual([]);
  });
});

describe('odd requests', () => {
  it('an absolute-form request line is redirected to sign-in, not answered 500', async () => {
    http = await serveDashboard(app);
    const { port } = new URL(http.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'GET', path: `http://127.0.0.1:${port}/incidents` }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(303);
  });
});
