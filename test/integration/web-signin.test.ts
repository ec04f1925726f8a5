import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import { testApp, type TestApp } from '../support/app.js';
import { Browserless, csrfOf, linkIn, serveDashboard, signIn } from '../support/web.js';

/**
 * The dashboard's sign-in without a password (issue 14 point 5) on a real HTTP server and the
 * real core: `/incident web` DMs a one-time link; the link works once; without a session every
 * page redirects to /signin; forms need their CSRF token; the security headers are there.
 */

const ADMIN = 'operator-token-0123456789';
let app: TestApp;
let http: HttpServer;

beforeEach(async () => {
  app = await testApp();
  http = await serveDashboard(app, { DASHBOARD_ADMIN_TOKEN: ADMIN });
});

afterEach(async () => {
  await http.close();
  await app.close();
});

describe('without a session', () => {
  it('every dashboard page redirects to the page that explains how to get a link', async () => {
    const b = new Browserless(http.url);
    for (const path of ['/', '/incidents', '/incidents.csv', '/incidents/local/1', '/oncall', '/no-such-page']) {
      const res = await b.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/signin');
    }
    const signin = await b.get('/signin');
    expect(signin.status).toBe(200);
    expect(signin.body).toContain('/incident web');
  });

  it('a POST without a session is refused, not run', async () => {
    const res = await new Browserless(http.url).post('/incidents', { q: 'x' });
    expect([401, 404]).toContain(res.status);
  });
});

describe('a sign-in link', () => {
  it('comes by DM, not in the channel, and signs the person in once', async () => {
    const reply = await app.type('/incident web');
    expect(reply.join('\n')).toMatch(/direct message/);
    const dm = app.output.filter((l) => l.includes('/signin/'));
    expect(dm.length).toBeGreaterThan(0);
    expect(dm.every((l) => l.includes('DM @alice'))).toBe(true);
    const path = new URL(linkIn(app.output)).pathname;

    const b = new Browserless(http.url);
    // Opening the link (a chat app's preview does it too) uses nothing up.
    const confirm = await b.get(path);
    expect(confirm.status).toBe(200);
    expect((await b.get(path)).status).toBe(200);
    const done = await b.post(path, { _csrf: csrfOf(confirm.body) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/incidents');
    const table = await b.get('/incidents');
    expect(table.status).toBe(200);
    expect(table.body).toContain('alice');

    // The same link again, from another browser: gone.
    const other = new Browserless(http.url);
    const again = await other.get(path);
    expect(again.status).toBe(410);
    expect((await other.get('/incidents')).status).toBe(303);
  });

  it('a made-up token signs nobody in', async () => {
    const b = new Browserless(http.url);
    const res = await b.get(`/signin/${'A'.repeat(43)}`);
    expect(res.status).toBe(410);
  });

  it('the form without its CSRF token does not take the link', async () => {
    await app.type('/incident web');
    const path = new URL(linkIn(app.output)).pathname;
    const b = new Browserless(http.url);
    await b.get(path);
    const forged = await b.post(path, {});
    expect(forged.status).toBe(403);
    // Still usable by its owner.
    const confirm = await b.get(path);
    expect((await b.post(path, { _csrf: csrfOf(confirm.body) })).status).toBe(303);
  });

  it('a fresh session id at sign-in (no fixation), and sign-out ends it', async () => {
    const b = new Browserless(http.url);
    await b.get('/signin');
    const before = b.cookies.get('ic_session');
    await signIn(app, b);
    const after = b.cookies.get('ic_session');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const page = await b.get('/incidents');
    const out = await b.post('/signout', { _csrf: csrfOf(page.body) });
    expect(out.status).toBe(303);
    // The old cookie replayed no longer opens anything.
    const replay = new Browserless(http.url);
    replay.cookies.set('ic_session', after!);
    expect((await replay.get('/incidents')).status).toBe(303);
  });
});

describe('the operator token', () => {
  it('signs in with DASHBOARD_ADMIN_TOKEN, and a wrong token does not', async () => {
    const b = new Browserless(http.url);
    const page = await b.get('/signin');
    const wrong = await b.post('/signin/admin', { _csrf: csrfOf(page.body), token: 'not-the-token-at-all' });
    expect(wrong.headers.get('location')).toBe('/signin?failed=1');
    expect((await b.get('/incidents')).status).toBe(303);
    const right = await b.post('/signin/admin', { _csrf: csrfOf((await b.get('/signin')).body), token: ADMIN });
    expect(right.status).toBe(303);
    const table = await b.get('/incidents');
    expect(table.status).toBe(200);
    expect(table.body).toMatch(/operator/);
  });
});

describe('every page', () => {
  it('carries a CSP without inline scripts, refuses framing, and stays under 200 KB', async () => {
    const b = new Browserless(http.url);
    await signIn(app, b);
    const res = await b.get('/incidents');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
    const css = await b.get('/static/app.css');
    const js = await b.get('/static/app.js');
    expect(css.status).toBe(200);
    expect(js.status).toBe(200);
    expect(Buffer.byteLength(res.body) + Buffer.byteLength(css.body) + Buffer.byteLength(js.body)).toBeLessThan(200 * 1024);
  });

  it('speaks Korean to a browser that asks for it', async () => {
    const res = await new Browserless(http.url).get('/signin', { 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' });
    expect(res.body).toContain('lang="ko"');
    expect(res.body).toContain('로그인');
  });
});
