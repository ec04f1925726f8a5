import { formatTime } from '../core/durations.js';
import type { Segment } from '../core/rotation.js';
import type { Rotation } from '../core/rotation-schema.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';

/**
 * The body of /oncall: per rotation who is on call now and who takes over next (at what time, in
 * the page's zone), with a link to its calendar, and the iCal subscription URLs. Pure.
 */

export interface RotationNow {
  rotation: Rotation;
  current?: Segment;
  next?: Segment;
  /** The person on call now stands in through an override. */
  override: boolean;
}

export interface OverviewInput {
  ctx: Pick<PageContext, 't' | 'timeZone' | 'viewer'>;
  rotations: readonly RotationNow[];
  name: (userId: string) => string;
  /** Feed URLs: one per rotation (by id), and the viewer's own when the viewer is a person. */
  feeds: { rotations: Record<string, string>; personal?: string };
}

function who(userId: string | null | undefined, input: OverviewInput): Html {
  const { t, viewer } = input.ctx;
  if (!userId) return html`<span class="muted">${t('oncall.nobody')}</span>`;
  const you = viewer.kind === 'person' && viewer.userId === userId;
  return html`<strong>${input.name(userId)}</strong>${you ? html` <span class="muted">${t('oncall.you')}</span>` : ''}`;
}

function rotationCard(r: RotationNow, input: OverviewInput): Html {
  const { t, timeZone } = input.ctx;
  const when = (d: Date) => formatTime(d.toISOString(), timeZone);
  const { rotation, current, next } = r;
  const href = `/oncall/${encodeURIComponent(rotation.id)}`;
  return html`<section class="card oncall-rotation" data-rotation="${rotation.id}">
<h2><a href="${href}">${rotation.name ?? rotation.id}</a></h2>
<dl class="oncall-now">
<dt>${t('oncall.now')}</dt>
<dd class="now">${who(current?.userId, input)}${r.override ? html` <span class="badge override">${t('oncall.override')}</span>` : ''}${current ? html` · ${t('oncall.until', { time: when(current.to) })}` : ''}</dd>
<dt>${t('oncall.next')}</dt>
<dd class="next">${next ? html`${who(next.userId, input)} · ${t('oncall.handover', { time: when(next.from) })}` : html`<span class="muted">—</span>`}</dd>
</dl>
<p class="muted">${t('oncall.rotation_tz', { tz: rotation.timeZone })} · <a href="${href}?view=week">${t('oncall.open_calendar')}</a></p>
</section>`;
}

function feedItem(label: string, url: string): Html {
  return html`<li><span>${label}</span><br><a class="feed" href="${url}"><code>${url}</code></a></li>`;
}

export function overviewBody(input: OverviewInput): Html {
  const { t, timeZone } = input.ctx;
  if (input.rotations.length === 0) return html`<h1>${t('oncall.title')}</h1><p class="notice">${t('oncall.none')}</p>`;
  const feeds = input.rotations
    .map((r) => ({ r, url: input.feeds.rotations[r.rotation.id] }))
    .filter((f): f is { r: RotationNow; url: string } => f.url !== undefined)
    .map((f) => feedItem(t('oncall.feed_rotation', { rotation: f.r.rotation.name ?? f.r.rotation.id }), f.url));
  return html`<h1>${t('oncall.title')}</h1>
<p class="muted">${t('oncall.times_in', { tz: timeZone })}</p>
<div class="grid">${input.rotations.map((r) => rotationCard(r, input))}</div>
<h2>${t('oncall.subscribe')}</h2>
<p class="muted">${t('oncall.subscribe_help')}</p>
<ul class="feeds">${input.feeds.personal ? feedItem(t('oncall.feed_personal'), input.feeds.personal) : ''}${feeds}</ul>`;
}
