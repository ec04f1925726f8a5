import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/context.js';
import { onCallAt } from '../core/rotation.js';
import type { Viewer, RegisterRoutes, WebApp } from './context.js';
import { html } from './html.js';
import { buildCalendar, feedAllowed, feedPath, feedShifts, feedUrl, personEvents, rotationEvents } from './ical.js';
import { pickLang, webTranslator } from './i18n/index.js';
import { layout } from './layout.js';
import { calendarBody, calendarRange, calendarTitle, parseDate, today, type CalendarView } from './oncall-calendar.js';
import { overviewBody } from './oncall-page.js';
import { coversBetween, mergeCovers, nowAndNext, piecesBetween, userIds, type CoversByRotation } from './oncall-shifts.js';

/**
 * The on-call area of the dashboard: /oncall (who is on call now and next, the feed URLs),
 * /oncall/:rotation (week and month calendars) and the signed iCal feeds under /ical/, which
 * have no session (feed readers carry no cookie) and check their token themselves.
 */

/** The workspace of a rotation feed given out before the bot knew any workspace (no covers). */
const NO_WORKSPACE = '-';

/** At most this many shift pieces on one calendar page (a month of an hourly rotation is ~700). */
const MAX_PIECES = 2000;

/** The covers a viewer's pages use: an operator's from every workspace, a person's from their own. */
async function coversOf(web: WebApp, viewer: Viewer, now: Date): Promise<{ covers: CoversByRotation; workspace?: string }> {
  const workspaces = await web.workspacesOf(viewer);
  const covers = mergeCovers(await Promise.all(workspaces.map((w) => web.deps.oncall.overrides(w, now))));
  return { covers, ...(workspaces[0] !== undefined ? { workspace: workspaces[0] } : {}) };
}

/** Display names of `ids` in `workspace`, looked up once each; the id where there is none. */
async function namer(deps: Deps, workspace: string | undefined, ids: readonly string[], known?: Viewer): Promise<(id: string) => string> {
  const names = new Map<string, string>();
  if (known?.kind === 'person' && known.workspace === workspace) names.set(known.userId, known.name);
  if (workspace !== undefined) {
    await Promise.all(
      ids
        .filter((id) => !names.has(id))
        .map(async (id) => {
          const name = await deps.chat.userName(workspace, id).catch(() => id);
          names.set(id, name || id);
        }),
    );
  }
  return (id) => names.get(id) ?? id;
}

function notFound(reply: FastifyReply) {
  return reply.code(404).type('text/plain; charset=utf-8').send('');
}

function feedT(req: FastifyRequest, deps: Deps) {
  return webTranslator(pickLang(req.headers['accept-language'], deps.config.locale));
}

function sendCalendar(reply: FastifyReply, body: string) {
  return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').header('x-robots-tag', 'noindex').send(body);
}

export const oncallRoutes: RegisterRoutes = (app, web) => {
  const { deps } = web;

  app.get('/oncall', async (req, reply) => {
    const ctx = web.page(req);
    const { covers, workspace } = await coversOf(web, ctx.viewer, ctx.now);
    const rotations = deps.config.rotations.map((rotation) => {
      const extra = covers[rotation.id] ?? [];
      const { current, next } = nowAndNext(rotation, ctx.now, extra);
      const override = !!current?.userId && onCallAt(rotation, ctx.now, extra)?.source === 'override';
      return { rotation, ...(current ? { current } : {}), ...(next ? { next } : {}), override };
    });
    const ids = userIds(rotations.flatMap((r) => [r.current, r.next].filter((s) => s !== undefined)));
    const name = await namer(deps, workspace, ids, ctx.viewer);
    // Feed URLs are absolute: calendar apps fetch them from outside the browser.
    const base = web.publicUrl || `http://${req.headers.host ?? '127.0.0.1'}`;
    const feeds = {
      // A person's own workspace; an operator's first (a workspace-less bot: no covers to show).
      rotations: Object.fromEntries(deps.config.rotations.map((r) => [r.id, feedUrl(base, feedPath.rotation(workspace ?? NO_WORKSPACE, r.id), web.sign)])),
      ...(ctx.viewer.kind === 'person' ? { personal: feedUrl(base, feedPath.person(ctx.viewer.workspace, ctx.viewer.userId), web.sign) } : {}),
    };
    return reply.type('text/html; charset=utf-8').send(layout(ctx, ctx.t('oncall.title'), overviewBody({ ctx, rotations, name, feeds })));
  });

  app.get<{ Params: { rotation: string }; Querystring: { view?: string; date?: string } }>('/oncall/:rotation', async (req, reply) => {
    const ctx = web.page(req);
    const rotation = deps.config.rotations.find((r) => r.id === req.params.rotation);
    if (!rotation) return reply.callNotFound();
    const view: CalendarView = req.query.view === 'month' ? 'month' : 'week';
    const range = calendarRange(view, parseDate(req.query.date) ?? today(ctx.now, ctx.timeZone), ctx.timeZone);
    const { covers, workspace } = await coversOf(web, ctx.viewer, ctx.now);
    const extra = covers[rotation.id] ?? [];
    const pieces = piecesBetween(rotation, range.from, range.until, extra, MAX_PIECES);
    const inView = coversBetween(rotation, range.from, range.until, extra);
    const name = await namer(deps, workspace, userIds([...pieces, ...inView], rotation), ctx.viewer);
    const title = rotation.name ?? rotation.id;
    const body = html`<p><a href="/oncall">${ctx.t('oncall.back')}</a></p>
<h1>${title}</h1>
<p class="muted">${ctx.t('oncall.rotation_tz', { tz: rotation.timeZone })}</p>
${calendarBody({ rotation, range, pieces, covers: inView, truncated: pieces.length >= MAX_PIECES, timeZone: ctx.timeZone, now: ctx.now, name, t: ctx.t })}`;
    return reply.type('text/html; charset=utf-8').send(layout(ctx, `${title} · ${calendarTitle(range, ctx.t)}`, body, { wide: true }));
  });

  app.get<{ Params: { workspace: string; file: string }; Querystring: { token?: string } }>('/ical/rotation/:workspace/:file', async (req, reply) => {
    const { workspace } = req.params;
    const id = /^([a-z0-9][a-z0-9_-]{0,39})\.ics$/.exec(req.params.file)?.[1];
    // The token is checked before anything is looked up: a bad one learns nothing, not even whether the rotation exists.
    if (id === undefined || !feedAllowed(feedPath.rotation(workspace, id), req.query.token, web.verify)) return notFound(reply);
    const rotation = deps.config.rotations.find((r) => r.id === id);
    if (!rotation) return notFound(reply);
    const t = feedT(req, deps);
    const now = deps.clock.now();
    // Only the covers of the workspace the URL was given for.
    const covers = workspace === NO_WORKSPACE ? {} : await deps.oncall.overrides(workspace, now);
    const shifts = feedShifts(rotation, now, covers[rotation.id] ?? []);
    const name = await namer(deps, workspace === NO_WORKSPACE ? undefined : workspace, userIds(shifts));
    const events = rotationEvents(rotation, shifts, (n) => t('oncall.feed.rotation_summary', { name: n }), name);
    return sendCalendar(reply, buildCalendar(t('oncall.feed.rotation_calname', { rotation: rotation.name ?? rotation.id }), events, now));
  });

  app.get<{ Params: { workspace: string; file: string }; Querystring: { token?: string } }>('/ical/person/:workspace/:file', async (req, reply) => {
    const { workspace, file } = req.params;
    const userId = file.endsWith('.ics') ? file.slice(0, -4) : '';
    if (!userId || !feedAllowed(feedPath.person(workspace, userId), req.query.token, web.verify)) return notFound(reply);
    const t = feedT(req, deps);
    const now = deps.clock.now();
    const covers = await deps.oncall.overrides(workspace, now);
    const perRotation = deps.config.rotations.map((rotation) => ({ rotation, shifts: feedShifts(rotation, now, covers[rotation.id] ?? []) }));
    const events = personEvents(perRotation, userId, (rotation) => t('oncall.feed.person_summary', { rotation }));
    const name = await namer(deps, workspace, [userId]);
    return sendCalendar(reply, buildCalendar(t('oncall.feed.person_calname', { name: name(userId) }), events, now));
  });
};
