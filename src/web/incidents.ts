import type { FastifyReply } from 'fastify';
import { formatDate } from '../core/durations.js';
import type { Incident, IncidentKey } from '../core/model.js';
import { canView, type PageContext, type RegisterRoutes, type Viewer, type WebApp } from './context.js';
import { applyFilters, filterParams, parseFilters } from './incident-filters.js';
import { LiveStreams, streamTimeline } from './incident-live.js';
import { detailBody, detailTitle } from './incident-page.js';
import { readPostmortem } from './incident-postmortem.js';
import { coreT, csvRows, tableBody, toCsv } from './incident-table.js';
import { renderTimeline } from './incident-timeline.js';
import { html, queryString } from './html.js';
import { layout } from './layout.js';

/**
 * The incidents area of the dashboard: the table (GET /incidents, filters in the query), its CSV
 * (GET /incidents.csv), an incident's page (GET /incidents/:workspace/:number) and its live
 * timeline (GET …/live, Server-Sent Events). Every route shows only what `canView` lets the
 * viewer see; an incident they may not see is answered exactly like one that does not exist.
 */

/** Most incidents read per workspace for the table and the CSV (newest first). */
export const LIST_LIMIT = 2000;
/** Most rows in the table page; the CSV has every match. */
export const MAX_ROWS = 300;

/** Workspace ids as the adapters make them: `local`, `slack:T0123`, `discord:1234`. */
const WORKSPACE = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;
const NUMBER = /^[1-9][0-9]{0,8}$/;

/** The incident a page's path names, or undefined when the path is malformed. */
export function parseKey(params: { workspace?: unknown; number?: unknown }): IncidentKey | undefined {
  const { workspace, number } = params;
  if (typeof workspace !== 'string' || typeof number !== 'string') return undefined;
  if (!WORKSPACE.test(workspace) || !NUMBER.test(number)) return undefined;
  return { workspace, number: Number(number) };
}

/**
 * What an incident's page shows `viewer`: the incident, or undefined for "nothing here", which
 * is the same answer whether the incident is absent or private to people the viewer is not.
 */
export function visibleIncident(inc: Incident | null | undefined, viewer: Viewer, admins: readonly string[]): Incident | undefined {
  return inc && canView(inc, viewer, admins) ? inc : undefined;
}

/** The one "nothing here" page, for an absent incident, an invisible one and a malformed path alike. */
export function notFoundPage(ctx: PageContext): string {
  return layout(ctx, ctx.t('web.error.not_found'), html`<h1>${ctx.t('web.error.not_found')}</h1><p><a href="/incidents">${ctx.t('incidents.back')}</a></p>`);
}

function notFound(reply: FastifyReply, ctx: PageContext) {
  return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(ctx));
}

/** The incidents `viewer` may see, newest first per workspace, and whether a workspace had more than were read. */
export async function visibleIncidents(web: WebApp, viewer: Viewer): Promise<{ incidents: Incident[]; capped: boolean }> {
  const workspaces = await web.workspacesOf(viewer);
  const lists = await Promise.all(workspaces.map((w) => web.deps.store.list(w, { all: true, limit: LIST_LIMIT })));
  const admins = web.deps.config.admins;
  return { incidents: lists.flat().filter((inc) => canView(inc, viewer, admins)), capped: lists.some((l) => l.length >= LIST_LIMIT) };
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))].sort((a, b) => a.localeCompare(b));
}

export interface IncidentRouteOptions {
  /** Most live timelines open at once in this process; beyond, a stream is answered 503. */
  maxStreams?: number;
  /** How often a live timeline looks at the store. */
  pollMs?: number;
}

export function incidentRoutesWith(o: IncidentRouteOptions = {}): RegisterRoutes {
  return (app, web) => {
    const { deps } = web;
    const admins = deps.config.admins;
    const streams = o.maxStreams !== undefined ? new LiveStreams(o.maxStreams) : web.live;
    app.addHook('preClose', async () => streams.stopAll());

    app.get('/incidents', async (req, reply) => {
      const ctx = web.page(req);
      const filters = parseFilters(req.query as Record<string, unknown>);
      // The filter form sends every field, empty ones too: answer with the short URL worth sharing.
      const canonical = queryString(filterParams(filters));
      if (!sameKeys(req.url, canonical)) return reply.redirect(`/incidents${canonical}`, 303);
      const { incidents, capped } = await visibleIncidents(web, ctx.viewer);
      const shown = applyFilters(incidents, filters, ctx.now, ctx.timeZone);
      const body = tableBody(ctx, filters, shown, {
        severities: distinct([...deps.config.severities.map((s) => s.id), ...incidents.map((i) => i.severity)]),
        services: distinct([...deps.config.services.map((s) => s.id), ...incidents.map((i) => i.service)]),
        commanders: distinct(incidents.map((i) => i.roles.commander?.name)).slice(0, 200),
        total: incidents.length,
        ...(capped ? { capped: LIST_LIMIT } : {}),
        maxRows: MAX_ROWS,
        manyWorkspaces: new Set(incidents.map((i) => i.workspace)).size > 1,
      });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(ctx, ctx.t('incidents.title'), body, { wide: true }));
    });

    app.get('/incidents.csv', async (req, reply) => {
      const ctx = web.page(req);
      const filters = parseFilters(req.query as Record<string, unknown>);
      const { incidents } = await visibleIncidents(web, ctx.viewer);
      const shown = applyFilters(incidents, filters, ctx.now, ctx.timeZone);
      const name = `incidents-${formatDate(ctx.now.toISOString(), ctx.timeZone)}.csv`;
      // The byte-order mark lets spreadsheet programs read UTF-8 (Korean titles) as UTF-8.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(`\uFEFF${toCsv(csvRows(shown, ctx))}`);
    });

    app.get<{ Params: { workspace: string; number: string } }>('/incidents/:workspace/:number', async (req, reply) => {
      const ctx = web.page(req);
      const key = parseKey(req.params);
      const inc = visibleIncident(key ? await deps.store.get(key) : null, ctx.viewer, admins);
      if (!inc) return notFound(reply, ctx);
      const ct = coreT(ctx);
      const [events, postmortem] = await Promise.all([deps.store.events({ workspace: inc.workspace, number: inc.number }), readPostmortem(inc.postmortemPath, deps.config.postmortems.dir)]);
      const body = detailBody({
        ctx,
        ct,
        inc,
        severityNames: Object.fromEntries(deps.config.severities.map((s) => [s.id, s.name])),
        timeline: renderTimeline(events, ct, { ...ctx, workspace: inc.workspace }),
        postmortem,
      });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(ctx, detailTitle(inc), body, { wide: true }));
    });

    app.get<{ Params: { workspace: string; number: string }; Querystring: { v?: string } }>('/incidents/:workspace/:number/live', async (req, reply) => {
      const ctx = web.page(req);
      const key = parseKey(req.params);
      const inc = visibleIncident(key ? await deps.store.get(key) : null, ctx.viewer, admins);
      if (!key || !inc) return notFound(reply, ctx);
      const since = /^\d{1,9}$/.test(req.query.v ?? '') ? Number(req.query.v) : undefined;
      const ct = coreT(ctx);
      streamTimeline(req, reply, streams, {
        deps,
        key,
        since,
        visible: (now) => canView(now, ctx.viewer, admins),
        render: async () => renderTimeline(await deps.store.events(key), ct, { ...ctx, workspace: key.workspace }).value,
        pollMs: o.pollMs ?? 1000,
      });
      return reply;
    });
  };
}

/** The incidents area with its defaults: 200 live timelines per process, the store polled each second. */
export const incidentRoutes: RegisterRoutes = incidentRoutesWith();

/** Whether `url` carries exactly the (non-empty) parameters of `canonical`: else a redirect cleans it, once. */
function sameKeys(url: string, canonical: string): boolean {
  const given = [...new URLSearchParams(url.split('?')[1] ?? '')].filter(([, v]) => v !== '').map(([k]) => k);
  const wanted = [...new URLSearchParams(canonical.slice(1)).keys()];
  return given.length === wanted.length && given.every((k) => wanted.includes(k));
}
