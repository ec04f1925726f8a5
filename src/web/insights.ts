import type { FastifyReply } from 'fastify';
import type { Deps } from '../app/context.js';
import { openFollowups } from '../app/followups.js';
import { isAdmin } from '../core/authz.js';
import { IncidentError } from '../core/errors.js';
import { isOverdue } from '../core/followups.js';
import { computeStats, MAX_DAYS, parseSince, selectRecords, visibleRecords, type Since, type StatsQuery } from '../core/stats.js';
import type { StatsRecord } from '../core/stats-types.js';
import type { PageContext, RegisterRoutes, Viewer } from './context.js';
import { html, type Html } from './html.js';
import { countByOwner, insightsBody, periodHeading, type OwnerCount } from './insights-page.js';
import { layout } from './layout.js';

/**
 * The insights area of the dashboard: GET /insights?period=90d[&workspace=W], the figures of
 * `/incident stats` as charts. The period takes what `/incident stats --since` takes (parseSince:
 * `30d`, `12w`, `2026-10-01`); the records come from the stats index (deps.stats) of every
 * workspace the viewer may look into, private incidents only for an operator or a configured
 * admin (visibleRecords, as commands/stats.ts decides with isAdmin). Figures only: no title or
 * reference of any incident is shown.
 */

/** The page's period when the URL names none: a quarter, long enough for a weekly trend. */
export const DEFAULT_PERIOD = '90d';
const PERIODS = ['30d', '90d', '180d', '365d'];

interface InsightsQuery {
  period?: string;
  workspace?: string;
}

/** Whether `viewer` counts private incidents: an operator, or a person among the configured admins. */
export function countsPrivate(viewer: Viewer, admins: readonly string[]): boolean {
  return viewer.kind === 'admin' || isAdmin({ admins }, viewer.userId);
}

/** The records of `workspaces` declared in the query's period that `admin` may count, each with its workspace. */
async function recordsOf(deps: Deps, workspaces: readonly string[], query: StatsQuery, admin: boolean): Promise<{ workspace: string; records: StatsRecord[] }[]> {
  const index = deps.stats;
  if (!index) return [];
  return Promise.all(workspaces.map(async (workspace) => ({ workspace, records: visibleRecords(await index.since(workspace, query.sinceMs, query.untilMs), admin) })));
}

/**
 * The open, overdue follow-ups of the counted incidents (those of the figures: in the period, no
 * drill, not cancelled, private ones only for `admin`) by owner, from the cross-incident index of
 * open items (openFollowups, as `/incident actions overdue` reads it). Undefined when it fails:
 * the figures do not wait on it.
 */
async function overdueOwners(deps: Deps, per: readonly { workspace: string; records: StatsRecord[] }[], query: StatsQuery, admin: boolean, now: Date): Promise<OwnerCount[] | undefined> {
  try {
    const owners: (string | undefined)[] = [];
    for (const { workspace, records } of per) {
      const counted = new Set(selectRecords(records, query).counted.map((r) => r.number));
      if (counted.size === 0) continue;
      for (const e of await openFollowups(deps, workspace)) {
        if (!counted.has(e.number) || e.drill || (e.private && !admin) || !isOverdue(e, now)) continue;
        owners.push(e.owner ? e.owner.name || e.owner.id : undefined);
      }
    }
    return countByOwner(owners);
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'insights: overdue follow-ups by owner not read');
    return undefined;
  }
}

/** The period and workspace form (GET: the choice stays in the URL). */
export function insightsForm(ctx: Pick<PageContext, 't'>, o: { period: string; workspaces: readonly string[]; workspace?: string }): Html {
  const { t } = ctx;
  const periods = PERIODS.includes(o.period) ? PERIODS : [...PERIODS, o.period];
  const workspaceField =
    o.workspaces.length > 1
      ? html`<label>${t('insights.workspace')}<select name="workspace"><option value="">${t('insights.all_workspaces')}</option>${o.workspaces.map(
          (w) => html`<option value="${w}"${w === o.workspace ? html` selected` : ''}>${w}</option>`,
        )}</select></label>`
      : '';
  return html`<form method="get" action="/insights" class="filters insights-filters">
<label>${t('insights.period')}<input name="period" value="${o.period}" list="insights-periods" size="12" aria-describedby="insights-period-hint"></label>
<datalist id="insights-periods">${periods.map((p) => html`<option value="${p}"></option>`)}</datalist>
${workspaceField}<button type="submit">${t('insights.show')}</button>
<span class="muted" id="insights-period-hint">${t('insights.period_hint')}</span>
</form>`;
}

function send(reply: FastifyReply, ctx: PageContext, heading: string, body: Html, code = 200) {
  const page = html`<h1>${ctx.t('insights.title')}</h1>${body}`;
  return reply.code(code).type('text/html; charset=utf-8').send(layout(ctx, heading ? `${ctx.t('insights.title')} · ${heading}` : ctx.t('insights.title'), page));
}

export const insightsRoutes: RegisterRoutes = (app, web) => {
  const { deps } = web;

  app.get<{ Querystring: InsightsQuery }>('/insights', async (req, reply) => {
    const ctx = web.page(req);
    const period = (typeof req.query.period === 'string' ? req.query.period : '').trim() || DEFAULT_PERIOD;
    const all = await web.workspacesOf(ctx.viewer);
    const workspace = typeof req.query.workspace === 'string' && all.includes(req.query.workspace) ? req.query.workspace : undefined;
    const form = insightsForm(ctx, { period, workspaces: all, ...(workspace ? { workspace } : {}) });
    let since: Since;
    try {
      since = parseSince(period, ctx.now, deps.config.timeZone);
    } catch (err) {
      if (!(err instanceof IncidentError)) throw err;
      return send(reply, ctx, '', html`${form}<p class="notice bad" role="alert">${ctx.t('insights.bad_period', { value: period, max: MAX_DAYS })}</p>`, 400);
    }
    const query: StatsQuery = { sinceMs: since.sinceMs, untilMs: ctx.now.getTime() + 1 };
    const admin = countsPrivate(ctx.viewer, deps.config.admins);
    const per = await recordsOf(deps, workspace ? [workspace] : all, query, admin);
    const stats = computeStats(
      per.flatMap((p) => p.records),
      query,
      { severities: deps.config.severities, timeZone: deps.config.timeZone, now: ctx.now },
    );
    const owners = stats.followUps.overdue > 0 ? await overdueOwners(deps, per, query, admin, ctx.now) : undefined;
    const heading = periodHeading(ctx.t, since);
    const body = insightsBody({
      ctx,
      stats,
      severities: deps.config.severities.map((s) => s.id),
      ...(owners ? { overdueByOwner: owners } : {}),
      admin,
      indexed: deps.stats !== undefined,
    });
    return send(reply, ctx, heading, html`${form}<p class="muted">${heading}</p>${body}`);
  });
};
