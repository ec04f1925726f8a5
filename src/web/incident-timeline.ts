import { formatClock, formatDate } from '../core/durations.js';
import type { IncidentEvent } from '../core/events.js';
import type { Translate } from '../core/i18n/index.js';
import { timelineEntries, type TimelineEntry } from '../core/timeline.js';
import { chatMarkup, type MarkupLinks } from './chat-markup.js';
import { html, type Html } from './html.js';
import type { WebTranslate } from './i18n/index.js';

/**
 * An incident's timeline as HTML (core/timeline.ts timelineEntries, in the page's language):
 * the page renders it once, and the live stream (incident-live.ts) sends it again whenever the
 * incident changes. Edited and deleted chat messages are their own entries, marked as such.
 * Entry text is the bot's chat markup (bold, code, mentions, emoji names), shown as such.
 */

/** Most entries shown; a longer timeline shows its latest ones and says how many were left out. */
export const MAX_ENTRIES = 1500;

const MARKED: Partial<Record<TimelineEntry['kind'], string>> = {
  message_edited: 'tl-edited',
  message_deleted: 'tl-deleted',
  key_event: 'tl-key',
  declared: 'tl-milestone',
  resolved: 'tl-milestone',
  closed: 'tl-milestone',
  cancelled: 'tl-milestone',
  reopened: 'tl-milestone',
};

export interface TimelineOptions {
  t: WebTranslate;
  timeZone: string;
  /** The incident's workspace: `INC-n` in an entry links to that incident's page. */
  workspace?: string;
}

export function timelineHtml(entries: readonly TimelineEntry[], o: TimelineOptions): Html {
  const links: MarkupLinks = o.workspace === undefined ? {} : { incidentHref: (n) => `/incidents/${encodeURIComponent(o.workspace!)}/${n}` };
  if (entries.length === 0) return html`<p class="empty muted">${o.t('incident.timeline.empty')}</p>`;
  const shown = entries.slice(-MAX_ENTRIES);
  let day: string | undefined;
  const items = shown.map((e) => {
    const date = formatDate(e.at, o.timeZone);
    const head = date === day ? '' : html`<li class="tl-day"><h3>${date}</h3></li>`;
    day = date;
    return html`${head}<li class="tl-entry tl-${e.kind}${MARKED[e.kind] ? ` ${MARKED[e.kind]}` : ''}"><time datetime="${e.at}">${formatClock(e.at, o.timeZone)}</time> <span class="who">${e.actor.name}</span> <span class="what">${chatMarkup(e.text, links)}</span></li>`;
  });
  return html`${entries.length > shown.length ? html`<p class="muted">${o.t('incident.timeline.earlier', { n: entries.length - shown.length })}</p>` : ''}<ol class="timeline">${items}</ol>`;
}

/** The timeline of `events`, rendered: what the page shows and the live stream sends. */
export function renderTimeline(events: readonly IncidentEvent[], ct: Translate, o: TimelineOptions): Html {
  return timelineHtml(timelineEntries(events, ct), o);
}
