import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LINK_TTL_MINUTES, type SignInLinks } from './auth.js';
import type { Viewer } from './context.js';
import { html } from './html.js';
import type { WebTranslate } from './i18n/index.js';
import { bare } from './layout.js';

/**
 * Sign-in and sign-out. A link from chat opens a confirmation page (GET uses nothing up: chat
 * apps fetch links to preview them); its button POSTs, which takes the link (once, ever) and
 * starts a fresh session. An operator may sign in with DASHBOARD_ADMIN_TOKEN instead.
 */

export interface SignInOptions {
  links: SignInLinks;
  adminToken?: string;
  /** The playground is served: the sign-in page points there. */
  playground: boolean;
  lang(req: FastifyRequest): { lang: string; t: WebTranslate };
  /** The request's CSRF token (one per request: the cookie behind it is set once). */
  csrf(req: FastifyRequest): string;
  /** Called with the session id that signed out (its live streams end). */
  signedOut?: (sessionId: string) => void;
}

export function signInRoutes(app: FastifyInstance, o: SignInOptions): void {
  const page = (req: FastifyRequest, reply: FastifyReply, title: string, body: ReturnType<typeof html>, status = 200) => {
    const { lang, t } = o.lang(req);
    return reply.code(status).type('text/html; charset=utf-8').send(bare({ lang, t, csrf: o.csrf(req) }, title, html`<main class="narrow">${body}</main>`));
  };

  app.get('/signin', async (req, reply) => {
    const { t } = o.lang(req);
    const failed = (req.query as { failed?: string }).failed === '1';
    return page(
      req,
      reply,
      t('web.signin.title'),
      html`<h1>${t('web.signin.title')}</h1>
<p class="notice">${t('web.signin.how', { minutes: LINK_TTL_MINUTES })}</p>
${o.playground ? html`<p>${t('web.signin.playground')}</p>` : ''}
${
  o.adminToken
    ? html`<h2>${t('web.signin.admin_token')}</h2><p class="muted">${t('web.signin.admin')}</p>
${failed ? html`<p class="bad" role="alert">${t('web.signin.bad_admin')}</p>` : ''}
<form method="post" action="/signin/admin"><input type="hidden" name="_csrf" value="${o.csrf(req)}"><input type="password" name="token" autocomplete="current-password" aria-label="${t('web.signin.admin_token')}" required> <button type="submit">${t('web.signin.admin_button')}</button></form>`
    : ''
}`,
    );
  });

  app.get<{ Params: { token: string } }>('/signin/:token', async (req, reply) => {
    const { t } = o.lang(req);
    const person = await o.links.peek(req.params.token);
    if (!person) return page(req, reply, t('web.signin.title'), html`<h1>${t('web.signin.title')}</h1><p class="bad" role="alert">${t('web.signin.used')}</p>`, 410);
    return page(
      req,
      reply,
      t('web.signin.title'),
      html`<h1>${t('web.signin.title')}</h1><p>${t('web.signin.confirm', { name: person.name, platform: person.platform })}</p>
<form method="post" action="/signin/${req.params.token}"><input type="hidden" name="_csrf" value="${o.csrf(req)}"><button class="primary" type="submit">${t('web.signin.button')}</button></form>`,
    );
  });

  app.post<{ Params: { token: string } }>('/signin/:token', { preValidation: app.csrfProtection }, async (req, reply) => {
    const { t } = o.lang(req);
    const person = await o.links.take(req.params.token);
    if (!person) return page(req, reply, t('web.signin.title'), html`<h1>${t('web.signin.title')}</h1><p class="bad" role="alert">${t('web.signin.used')}</p>`, 410);
    await startSession(req, person);
    return reply.redirect('/incidents', 303);
  });

  app.post<{ Body: { token?: string } }>('/signin/admin', { preValidation: app.csrfProtection }, async (req, reply) => {
    if (!o.adminToken || !sameSecret(String(req.body?.token ?? ''), o.adminToken)) return reply.redirect('/signin?failed=1', 303);
    await startSession(req, { kind: 'admin' });
    return reply.redirect('/incidents', 303);
  });

  app.post('/signout', { preValidation: app.csrfProtection }, async (req, reply) => {
    const id = req.session.sessionId;
    await req.session.destroy();
    o.signedOut?.(id);
    return reply.redirect('/signin', 303);
  });
}

/** A new session id for the signed-in viewer (never the one the browser came with: no fixation). */
export async function startSession(req: FastifyRequest, viewer: Viewer): Promise<void> {
  await req.session.regenerate();
  req.session.set('viewer', viewer);
  await req.session.save();
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
