import { parseEnv } from '../../src/config.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import type { RegisterRoutes } from '../../src/web/context.js';
import { webAreas } from '../../src/web/areas.js';
import { dashboard } from '../../src/web/mount.js';
import type { TestApp } from './app.js';

/**
 * The dashboard on a real HTTP server around a test app's core (the real local workspace,
 * store and queues on the test's Redis), as src/main.ts serves it, and a small cookie-keeping
 * client: what a browser does, without the browser.
 */

export async function serveDashboard(
  app: Pick<TestApp, 'deps' | 'log' | 'redis'>,
  env: NodeJS.ProcessEnv = {},
  extra: readonly RegisterRoutes[] = [],
  onRoute?: (route: { method: string | string[]; url: string }) => void,
): Promise<HttpServer> {
  const parsed = parseEnv({ KEY_PREFIX: app.redis.prefix, PORT: '0', ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const web = dashboard({ env: parsed.env, deps: app.deps, redis: app.redis.redis, areas: [...webAreas, ...extra], playground: extra.length > 0 });
  if (!web) throw new Error('dashboard is off');
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: app.log,
    trustProxy: Boolean(parsed.env.PUBLIC_URL?.startsWith('https:')),
    web: (f) => {
      if (onRoute) f.addHook('onRoute', onRoute);
      return web.register(f);
    },
  });
  web.listening(http.url);
  return http;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** A browser's cookie jar and the requests it makes (redirects not followed: tests look at them). */
export class Browserless {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send(path, { method: 'GET', headers });
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  }

  private async send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.base), { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const set of res.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/;\s*expires=Thu, 01 Jan 1970/i.test(set) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
}

/** The CSRF token of a page's forms. */
export function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m?.[1]) throw new Error('no CSRF field on the page');
  return m[1];
}

/** The sign-in link of the latest `/incident web` DM the local workspace printed. */
export function linkIn(output: readonly string[]): string {
  const m = [...output].reverse().map((l) => /(https?:\/\/\S+\/signin\/[A-Za-z0-9_-]+)/.exec(l)).find(Boolean);
  if (!m?.[1]) throw new Error(`no sign-in link in the output:\n${output.slice(-10).join('\n')}`);
  return m[1];
}

/** Signs `b` in as the app's current local user: `/incident web`, the link, the confirmation. */
export async function signIn(app: TestApp, b: Browserless): Promise<void> {
  await app.type('/incident web');
  const path = new URL(linkIn(app.output)).pathname;
  const confirm = await b.get(path);
  const done = await b.post(path, { _csrf: csrfOf(confirm.body) });
  if (done.status !== 303) throw new Error(`sign-in answered ${done.status}: ${done.body}`);
}
