import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import type { WebMessageKey } from './i18n/index.js';

/**
 * The page around every dashboard view: navigation, who is signed in, sign-out, the stylesheet
 * and the small script (both served from /static: the CSP allows scripts and styles from this
 * origin only, never inline).
 */

const NAV: { href: string; key: WebMessageKey; playgroundOnly?: boolean }[] = [
  { href: '/incidents', key: 'web.nav.incidents' },
  { href: '/oncall', key: 'web.nav.oncall' },
  { href: '/insights', key: 'web.nav.insights' },
  { href: '/playground', key: 'web.nav.playground', playgroundOnly: true },
];

export function layout(ctx: PageContext, title: string, body: Html, opts: { wide?: boolean } = {}): string {
  const who = ctx.viewer.kind === 'admin' ? ctx.t('web.signed_in_admin') : ctx.t('web.signed_in_as', { name: ctx.viewer.name });
  const items = NAV.filter((n) => !n.playgroundOnly || ctx.playground).map(
    (n) => html`<a href="${n.href}"${ctx.path === n.href || ctx.path.startsWith(`${n.href}/`) ? html` aria-current="page"` : ''}>${ctx.t(n.key)}</a>`,
  );
  return bare(
    ctx,
    title,
    html`<header class="top">
  <strong class="brand">${ctx.t('web.title')}</strong>
  <nav>${items}</nav>
  <form method="post" action="/signout" class="who"><span>${who}</span><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">${ctx.t('web.nav.signout')}</button></form>
</header>
<main${opts.wide ? html` class="wide"` : ''}>${body}</main>`,
  );
}

/** A page without navigation (sign-in, errors): no viewer needed. */
export function bare(ctx: { lang: string; t: PageContext['t']; csrf?: string }, title: string, body: Html): string {
  return `<!doctype html>${html`<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · ${ctx.t('web.title')}</title><link rel="stylesheet" href="/static/app.css">${ctx.csrf ? html`<meta name="csrf-token" content="${ctx.csrf}">` : ''}<script src="/static/app.js" defer></script></head><body>${body}</body></html>`}`;
}
