import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/context.js';
import type { RedisClient } from '../infra/redis-client.js';
import { RedisSessionStore, SESSION_TTL_MS, SignInLinks, dashboardSecret, signer } from './auth.js';
import type { PageContext, RegisterRoutes, Viewer, WebApp } from './context.js';
import { html } from './html.js';
import { LiveStreams } from './incident-live.js';
import { pickLang, webTranslator } from './i18n/index.js';
import { bare, layout } from './layout.js';
import { signInRoutes } from './signin.js';

/**
 * The web dashboard (issue 14) on the bot's one HTTP server: sessions (@fastify/session, kept in
 * Redis), CSRF protection (@fastify/csrf-protection), security headers (@fastify/helmet: a CSP
 * with scripts and styles from this origin only, no framing), the sign-in pages, and every
 * area's routes behind one guard: without a session a page redirects to /signin. Only /signin,
 * /static and the signed /ical/ feeds are open; /livez, /readyz, /metrics and the webhooks are
 * outside this plugin (src/http/server.ts).
 */

export interface WebOptions {
  deps: Deps;
  redis: RedisClient;
  prefix: string;
  /** Where browsers reach the bot (PUBLIC_URL, else the server's own URL): feed URLs start with it. */
  publicUrl: () => string;
  adminToken?: string;
  /** DASHBOARD_SECRET; absent, a secret kept in Redis. */
  secret?: string;
  /** The playground is served (local workspace only, 127.0.0.1 only). */
  playground: boolean;
  /** Every area's routes (incidents, on call, insights, playground). */
  areas: readonly RegisterRoutes[];
}

/** Paths any browser may open without a session. */
const OPEN = [/^\/signin(\/|$|\?)/, /^\/static\//, /^\/ical\//, /^\/favicon\.ico$/];

/** Live (SSE) streams at once, per process and per session. */
const MAX_STREAMS = 200;
const MAX_STREAMS_PER_SESSION = 6;

/** Cookies only over HTTPS when PUBLIC_URL says browsers come that way (a TLS proxy in front); else when the request did. */
function cookieSecure(publicUrl: string): true | 'auto' {
  return publicUrl.startsWith('https:') ? true : 'auto';
}

/** What a CSRF token is bound to: the session of a signed-in viewer; one shared value before sign-in. */
function csrfUser(req: FastifyRequest): string {
  return viewerOf(req) ? `session:${req.session.sessionId}` : 'anonymous';
}

const STATIC: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

export async function webPlugin(app: FastifyInstance, o: WebOptions): Promise<void> {
  const secret = await dashboardSecret(o.redis, o.prefix, o.secret);
  const links = new SignInLinks(o.redis, o.prefix);
  const feeds = signer(secret);
  await app.register(async (scope) => {
    await scope.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      // Plain http on localhost must keep working: no HSTS from here (a TLS proxy in front sets it).
      strictTransportSecurity: false,
    });
    await scope.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
    await scope.register(fastifyCookie);
    await scope.register(fastifySession, {
      secret,
      cookieName: 'ic_session',
      store: new RedisSessionStore(o.redis, o.prefix),
      saveUninitialized: false,
      // SESSION_TTL_MS from sign-in, not from the last request.
      rolling: false,
      cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure(o.publicUrl()), maxAge: SESSION_TTL_MS },
    });
    // The token is bound to the session (getUserInfo), so a CSRF cookie planted from another
    // site (a sibling subdomain, another port of localhost) cannot pass for a signed-in person.
    await scope.register(fastifyCsrf, {
      cookieKey: 'ic_csrf',
      cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: false, secure: cookieSecure(o.publicUrl()) },
      getUserInfo: csrfUser,
      csrfOpts: { hmacKey: secret },
    });

    const lang = (req: FastifyRequest) => {
      const l = pickLang(req.headers['accept-language'], o.deps.config.locale);
      return { lang: l, t: webTranslator(l) };
    };
    const tokens = new WeakMap<FastifyRequest, string>();
    const replies = new WeakMap<FastifyRequest, FastifyReply>();
    const csrf = (req: FastifyRequest): string => {
      let token = tokens.get(req);
      if (token === undefined) {
        token = replies.get(req)!.generateCsrf({ userInfo: csrfUser(req) });
        tokens.set(req, token);
      }
      return token;
    };
    scope.addHook('onRequest', async (req, reply) => {
      replies.set(req, reply);
    });
    // The guard: every route of this scope but the open ones needs a session.
    scope.addHook('preHandler', async (req, reply) => {
      const path = req.url.split('?')[0] ?? '/';
      if (OPEN.some((re) => re.test(path))) return;
      if (viewerOf(req)) return;
      if (req.method === 'GET' || req.method === 'HEAD') return reply.redirect('/signin', 303);
      return reply.code(401).type('text/plain; charset=utf-8').send(lang(req).t('web.error.forbidden'));
    });
    scope.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply) => {
      const { t } = lang(req);
      if (err.code?.startsWith('FST_CSRF')) return reply.code(403).type('text/html; charset=utf-8').send(bare(lang(req), t('web.signin.title'), html`<main class="narrow"><p class="bad" role="alert">${t('web.error.csrf')}</p></main>`));
      if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).type('text/plain; charset=utf-8').send(err.message);
      o.deps.log.error({ path: req.url.split('?')[0], err: err.message }, 'dashboard request failed');
      return reply.code(500).type('text/plain; charset=utf-8').send(t('web.error.generic'));
    });
    scope.setNotFoundHandler(async (req, reply) => {
      const viewer = viewerOf(req);
      if (!viewer) return reply.redirect('/signin', 303);
      const ctx = pageFor(req, viewer);
      return reply.code(404).type('text/html; charset=utf-8').send(layout(ctx, ctx.t('web.error.not_found'), html`<h1>${ctx.t('web.error.not_found')}</h1>`));
    });

    const live = new LiveStreams(MAX_STREAMS, MAX_STREAMS_PER_SESSION);
    scope.addHook('preClose', async () => live.stopAll());
    const pageFor = (req: FastifyRequest, viewer: Viewer): PageContext => ({
      ...lang(req),
      viewer,
      csrf: csrf(req),
      now: o.deps.clock.now(),
      timeZone: o.deps.config.timeZone,
      playground: o.playground,
      path: req.url.split('?')[0] ?? '/',
    });
    const web: WebApp = {
      deps: o.deps,
      get publicUrl() {
        return o.publicUrl();
      },
      page(req) {
        const viewer = viewerOf(req);
        if (!viewer) throw Object.assign(new Error('no session'), { statusCode: 401 });
        return pageFor(req, viewer);
      },
      async workspacesOf(viewer) {
        return viewer.kind === 'admin' ? o.deps.store.workspaces() : [viewer.workspace];
      },
      sign: feeds.sign,
      verify: feeds.verify,
      live,
    };

    scope.get('/', async (req, reply) => reply.redirect(o.playground && viewerOf(req)?.kind !== 'admin' ? '/playground' : '/incidents', 303));
    // No icon: an empty answer, so browsers stop asking (and log no 404).
    scope.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
    scope.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
      const m = /^([a-z-]+)\.(css|js)$/.exec(req.params.file);
      const body = m ? staticFile(req.params.file) : undefined;
      if (!m || body === undefined) return reply.code(404).send();
      return reply.type(STATIC[m[2]!]!).header('cache-control', 'public, max-age=300').send(body);
    });
    signInRoutes(scope, { links, adminToken: o.adminToken, playground: o.playground, lang, csrf, signedOut: (id) => live.stopOwner(id) });
    for (const area of o.areas) await area(scope, web);
  });
}

/** The signed-in viewer of a request, if any. */
export function viewerOf(req: FastifyRequest): Viewer | undefined {
  // A request the session plugin did not see (an absolute-form URL, say) has no session at all.
  if (typeof req.session?.get !== 'function') return undefined;
  const v = req.session.get('viewer') as Viewer | undefined;
  return v && (v.kind === 'admin' || v.kind === 'person') ? v : undefined;
}

const files = new Map<string, string | undefined>();
/** A file of src/web/static, read once. */
function staticFile(name: string): string | undefined {
  if (!files.has(name)) {
    try {
      files.set(name, readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8'));
    } catch {
      files.set(name, undefined);
    }
  }
  return files.get(name);
}

declare module 'fastify' {
  interface Session {
    viewer?: Viewer;
  }
}
