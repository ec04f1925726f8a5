import { formatDate, formatDuration, formatTime } from '../core/durations.js';
import { tierOf, type Page } from '../core/escalation.js';
import type { Translate } from '../core/i18n/index.js';
import { ROLES, type Actor, type Incident } from '../core/model.js';
import { LOCAL_WORKSPACE } from '../adapters/local/seat.js';
import type { PageContext } from './context.js';
import { incidentPath, markers } from './incident-table.js';
import type { PostmortemText } from './incident-postmortem.js';
import { renderMarkdown } from './incident-postmortem.js';
import { html, queryString, type Html } from './html.js';

/**
 * An incident's page (GET /incidents/:workspace/:number), pure: the summary, roles, paging
 * state, the live timeline (its HTML made by incident-timeline.ts), action items, the
 * postmortem and the chat channel. Every piece of user text goes through `html`.
 */

export interface DetailInput {
  ctx: PageContext;
  /** The chat catalog in the page's language (statuses, roles, durations). */
  ct: Translate;
  inc: Incident;
  /** Display names of the configured severities, by id. */
  severityNames: Record<string, string>;
  timeline: Html;
  postmortem: PostmortemText;
}

/** The chat channel of an incident: a link on Slack and Discord, the `#name` on the local workspace. */
export function channelLink(inc: Pick<Incident, 'workspace' | 'channelId' | 'channelName'>): { text: string; href?: string } | undefined {
  if (!inc.channelId) return inc.channelName ? { text: `#${inc.channelName}` } : undefined;
  const text = `#${inc.channelName ?? inc.channelId}`;
  const [platform, team] = [inc.workspace.slice(0, inc.workspace.indexOf(':')), inc.workspace.slice(inc.workspace.indexOf(':') + 1)];
  const id = /^[A-Za-z0-9]+$/;
  if (!id.test(team) || !id.test(inc.channelId)) return { text };
  if (platform === 'slack') return { text, href: `https://app.slack.com/client/${team}/${inc.channelId}` };
  if (platform === 'discord') return { text, href: `https://discord.com/channels/${team}/${inc.channelId}` };
  return { text };
}

/** Where the live timeline of an incident streams from; `v`, the version the page shows (sent again only once it moved). */
export function livePath(inc: { workspace: string; number: number; version: number }): string {
  return `${incidentPath(inc)}/live?v=${inc.version}`;
}

function when(ctx: PageContext, iso: string | undefined): Html | string {
  return iso ? html`<time datetime="${iso}">${formatTime(iso, ctx.timeZone)}</time>` : '';
}

function field(label: string, value: Html | string | undefined, cls?: string): Html | string {
  return value === undefined || value === '' ? '' : html`<dt>${label}</dt><dd${cls ? html` class="${cls}"` : ''}>${value}</dd>`;
}

function summary(d: DetailInput): Html {
  const { ctx, ct, inc } = d;
  const t = ctx.t;
  const linked = channelLink(inc);
  // On the local workspace with the playground served, the channel opens there.
  const channel =
    linked && !linked.href && ctx.playground && inc.workspace === LOCAL_WORKSPACE && inc.channelId ? { ...linked, href: `/playground${queryString({ c: inc.channelId })}` } : linked;
  const sevName = d.severityNames[inc.severity];
  return html`<section class="card incident-summary"><h2>${t('incident.summary')}</h2><dl class="facts">
${field(t('incidents.col.severity'), html`<span class="badge sev">${inc.severity}</span>${sevName ? html` ${sevName}` : ''}`)}
${field(t('incidents.col.status'), ct(`word.status.${inc.status}`))}
${field(t('incidents.col.service'), inc.service)}
${field(t('incident.declared'), html`${when(ctx, inc.declaredAt)} · ${t('incident.by', { name: inc.declaredBy.name })}`)}
${field(t('incident.detected'), when(ctx, inc.detectedAt))}
${field(t('incident.resolved'), when(ctx, inc.resolvedAt))}
${field(t('incident.closed'), when(ctx, inc.closedAt))}
${field(t('incident.cancelled'), when(ctx, inc.cancelledAt))}
${field(t('incident.resolution'), inc.resolution, 'text')}
${field(t('incident.channel'), channel ? (channel.href ? html`<a href="${channel.href}" rel="noopener noreferrer">${channel.text}</a>` : html`<code>${channel.text}</code>`) : undefined)}
</dl>
${inc.summary ? html`<h3>${t('incident.summary_text')}</h3><p class="text">${inc.summary}</p>` : ''}
${inc.lastUpdate ? html`<h3>${t('incident.last_update')}</h3><p class="text">${inc.lastUpdate.text}</p><p class="muted">${when(ctx, inc.lastUpdate.at)} · ${t('incident.by', { name: inc.lastUpdate.by.name })}</p>` : ''}
</section>`;
}

function people(d: DetailInput): Html {
  const { ctx, ct, inc } = d;
  const t = ctx.t;
  const nobody = html`<span class="muted">${t('incident.role_nobody')}</span>`;
  return html`<section class="card incident-roles"><h2>${t('incident.roles')}</h2><dl class="facts">
${ROLES.map((r) => html`<dt>${ct(`word.role.${r}`)}</dt><dd>${inc.roles[r]?.name ?? nobody}</dd>`)}
</dl>
${inc.participants.length ? html`<h3>${t('incident.participants')}</h3><p>${inc.participants.map((p, i) => html`${i ? ', ' : ''}${p.name}`)}</p>` : ''}
</section>`;
}

function nameOf(inc: Incident, id: string | undefined): string | undefined {
  if (!id) return undefined;
  const known: Actor[] = [inc.declaredBy, ...inc.participants, ...Object.values(inc.roles).filter((a): a is Actor => !!a), ...(inc.escalation?.pages.map((p) => p.user) ?? [])];
  return known.find((a) => a.id === id)?.name ?? id;
}

function pageStep(d: DetailInput, p: Page): string {
  const t = d.ctx.t;
  const policy = d.inc.escalation?.snapshot?.policy;
  if (p.step < 0) {
    const by = nameOf(d.inc, p.requestedBy);
    return by ? t('incident.paging.by_hand_by', { name: by }) : t('incident.paging.by_hand');
  }
  if (!policy || policy.tiers.length === 0) return t('incident.paging.step', { step: p.step + 1 });
  const { tier, round } = tierOf(policy, p.step);
  return round > 0 ? t('incident.paging.tier_round', { tier: tier + 1, round: round + 1 }) : t('incident.paging.tier', { tier: tier + 1 });
}

function paging(d: DetailInput): Html {
  const { ctx, ct, inc } = d;
  const t = ctx.t;
  const e = inc.escalation;
  if (!e) return html`<section class="card incident-paging"><h2>${t('incident.paging')}</h2><p class="empty muted">${t('incident.paging.none')}</p></section>`;
  const policy = e.snapshot?.policy.name ?? e.policyId;
  const pages = [...e.pages].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return html`<section class="card incident-paging"><h2>${t('incident.paging')}</h2><dl class="facts">
${field(t('incident.paging.policy'), policy)}
${field(t('incident.paging.phase'), t(`incident.paging.phase.${e.phase}`))}
${e.acknowledgedBy ? field(t('incident.paging.acknowledged'), html`${e.acknowledgedBy.name} · ${when(ctx, e.acknowledgedAt)}${e.ttaMs !== undefined ? html` · ${t('incident.paging.after', { tta: formatDuration(e.ttaMs, ct) })}` : ''}`) : ''}
${e.phase === 'paging' && e.nextAt ? field(t('incident.paging.next'), when(ctx, e.nextAt)) : ''}
</dl>
${
  pages.length === 0
    ? html`<p class="empty muted">${t('incident.paging.nobody')}</p>`
    : html`<table class="pages"><thead><tr><th scope="col">${t('incident.paging.col.person')}</th><th scope="col">${t('incident.paging.col.paged')}</th><th scope="col">${t('incident.paging.col.step')}</th><th scope="col">${t('incident.paging.col.state')}</th><th scope="col">${t('incident.paging.col.delivered')}</th><th scope="col">${t('incident.paging.col.answered')}</th></tr></thead><tbody>
${pages.map(
  (p) => html`<tr class="page-${p.state}"><td>${p.user.name}</td><td>${when(ctx, p.at)}</td><td>${pageStep(d, p)}</td><td>${t(`incident.page_state.${p.state}`)}${p.reason ? html`<div class="muted small">${p.reason}</div>` : ''}</td><td>${when(ctx, p.sentAt)}</td><td>${p.ackedAt ? when(ctx, p.ackedAt) : p.endedAt ? html`${when(ctx, p.endedAt)}${p.endedBy ? html` · ${nameOf(inc, p.endedBy)}` : ''}` : ''}</td></tr>`,
)}
</tbody></table>`
}
</section>`;
}

function actionItems(d: DetailInput): Html {
  const { ctx, ct, inc } = d;
  const t = ctx.t;
  if (inc.actionItems.length === 0) return html`<section class="incident-actions"><h2>${t('incident.actions')}</h2><p class="empty muted">${t('incident.actions.none')}</p></section>`;
  return html`<section class="incident-actions"><h2>${t('incident.actions')}</h2><table class="actions"><thead><tr><th scope="col">#</th><th scope="col">${t('incident.actions.col.text')}</th><th scope="col">${t('incident.actions.col.owner')}</th><th scope="col">${t('incident.actions.col.horizon')}</th><th scope="col">${t('incident.actions.col.due')}</th><th scope="col">${t('incident.actions.col.status')}</th></tr></thead><tbody>
${inc.actionItems.map((a) => {
  const overdue = a.status === 'open' && a.dueAt !== undefined && Date.parse(a.dueAt) < ctx.now.getTime();
  return html`<tr class="action-${a.status}${overdue ? ' overdue' : ''}"><td>${a.id}</td><td class="text">${a.text}</td><td>${a.owner?.name ?? html`<span class="muted">—</span>`}</td><td>${ct(`word.horizon.${a.horizon}`)}</td><td>${a.dueAt ? formatDate(a.dueAt, ctx.timeZone) : ''}</td><td>${a.status === 'done' ? html`<span class="ok">${t('incident.actions.done')}</span>${a.completedAt ? html` <span class="muted">${formatDate(a.completedAt, ctx.timeZone)}</span>` : ''}` : overdue ? html`<span class="bad">${t('incident.actions.overdue')}</span>` : t('incident.actions.open')}</td></tr>`;
})}
</tbody></table></section>`;
}

function postmortem(d: DetailInput): Html {
  const t = d.ctx.t;
  const pm = d.postmortem;
  const body =
    pm.kind === 'text' ? html`<article class="markdown">${renderMarkdown(pm.markdown)}</article>` : html`<p class="empty muted">${t(pm.kind === 'missing' ? 'incident.postmortem.none' : 'incident.postmortem.unreadable')}</p>`;
  return html`<section class="incident-postmortem"><h2>${t('incident.postmortem')}</h2>${body}</section>`;
}

/** The page title: `INC-7 Checkout down`. */
export function detailTitle(inc: Incident): string {
  return `${inc.ref} ${inc.title}`;
}

export function detailBody(d: DetailInput): Html {
  const { ctx, inc } = d;
  const t = ctx.t;
  return html`<p class="crumbs"><a href="/incidents">${t('incidents.title')}</a></p>
<h1 class="incident-title"><span class="ref">${inc.ref}</span> ${inc.title} <span class="badge sev">${inc.severity}</span> <span class="badge status-${inc.status}">${d.ct(`word.status.${inc.status}`)}</span> ${markers(inc, t)}</h1>
<div class="grid">${summary(d)}${people(d)}${paging(d)}</div>
<section class="incident-timeline"><h2>${t('incident.timeline')}</h2><p class="muted small">${t('incidents.times_in', { tz: ctx.timeZone })} · ${t('incident.timeline.live')}</p>
<div id="timeline" data-live="${livePath(inc)}">${d.timeline}</div></section>
${actionItems(d)}
${postmortem(d)}`;
}
