import { between, formatClock, formatDate, formatDuration, formatTime } from './durations.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { chronological, incidentTimes, type IncidentTimes } from './metrics.js';
import { codeBlock, headingText, inline, prose } from './markdown.js';
import { ACTIVE_STATUSES, HORIZONS, type Incident } from './model.js';
import { formatTimeline, timelineEntries } from './timeline.js';
import { drillScore } from './drills.js';

/**
 * The postmortem draft, following seed 004 appendix B: overview, timeline, root cause with 5 Whys,
 * impact, immediate actions, prevention in three horizons, lessons. Facts (times, durations, who
 * did what) come from the events; what only people know is left as `_(fill in)_` prompts.
 *
 * Everything people typed (titles, summaries, notes, names, reasons) is escaped for where it
 * stands (markdown.ts) before it meets the template, so it reads as typed and can open no section,
 * list or table row, nor carry HTML or a link. The catalog's own markup is left as it is.
 */

export interface PostmortemOptions {
  t: Translate;
  /** IANA zone every time is shown in, e.g. `Asia/Seoul`. */
  timeZone: string;
  /** Severity id → its name ("P1" → "Critical"), from the severity config. */
  severityName?: (id: string) => string | undefined;
  /** When the draft is written (the footer date). */
  now: Date;
}

export function renderPostmortem(incident: Incident, events: readonly IncidentEvent[], opts: PostmortemOptions): string {
  const { t } = opts;
  const times = incidentTimes(events);
  const lines = [
    t('pm.title', { ref: incident.ref, title: headingText(incident.title) }),
    '',
    t('pm.draft_note'),
    '',
    ...overview(incident, events, times, opts),
    '',
    // A drill is scored instead of measured: how fast the practice went, and how much of the checklist.
    ...(incident.drill ? [...drillScore(incident, events, t), ''] : []),
    ...timelineSection(events, opts),
    '',
    t('pm.root_cause'),
    '',
    t('pm.direct_cause'),
    t('pm.underlying_cause'),
    t('pm.five_whys'),
    ...[1, 2, 3, 4, 5].map((n) =>
      t('pm.why', { n, question: n === 1 ? t('pm.why_first', { title: inline(incident.title) }) : t('pm.why_next') }),
    ),
    '',
    t('pm.impact'),
    '',
    t('pm.service_impact', { service: incident.service?.trim() ? inline(incident.service) : t('pm.fill_in'), duration: durationText(times, t) }),
    t('pm.business_impact'),
    '',
    ...immediateActions(events, times, opts),
    '',
    ...prevention(incident, t),
    '',
    t('pm.lessons'),
    '',
    t('pm.went_well'),
    t('pm.went_badly'),
    t('pm.got_lucky'),
    t('pm.insights'),
    '',
    '---',
    '',
    t('pm.footer', { date: formatDate(opts.now.toISOString(), opts.timeZone) }),
  ];
  return lines.join('\n') + '\n';
}

function overview(incident: Incident, events: readonly IncidentEvent[], times: IncidentTimes, opts: PostmortemOptions): string[] {
  const { t, timeZone: tz } = opts;
  const none = t('pm.none');
  const fill = t('pm.fill_in');
  /** A user text as a cell value, or the prompt to fill it in when there is none. */
  const cellOr = (text: string | undefined, escape = inline): string => (text?.trim() ? escape(text) : fill);
  const sevName = opts.severityName?.(incident.severity);
  const cancel = events.find((e) => e.type === 'cancelled');
  const others = (['comms', 'scribe'] as const).flatMap((role) => {
    const who = incident.roles[role];
    return who ? [t('pm.role_item', { role: t(`word.role.${role}`), name: inline(who.name) })] : [];
  });
  const statusTimes = ACTIVE_STATUSES.filter((s) => times.statusDurations[s] > 0).map((s) =>
    t('pm.status_time', { status: t(`word.status.${s}`), duration: formatDuration(times.statusDurations[s], t) }),
  );
  const severity = inline(incident.severity);
  const rows: [string, string][] = [
    [t('pm.severity'), sevName && sevName !== incident.severity ? `${severity} (${inline(sevName)})` : severity],
    // Times here are the configured zone's, named, as a file read anywhere needs (chat shows each reader's own).
    [t('pm.time_zone'), inline(tz)],
    [t('pm.declared'), t('pm.declared_by', { time: formatTime(times.declaredAt, tz), name: inline(incident.declaredBy.name) })],
    [t('pm.resolved'), times.resolvedAt ? formatTime(times.resolvedAt, tz) : t('pm.not_resolved')],
    ...(cancel && times.cancelledAt
      ? [[t('pm.cancelled'), formatTime(times.cancelledAt, tz) + (cancel.reason?.trim() ? t('word.because', { text: prose(cancel.reason) }) : '')] as [string, string]]
      : []),
    [t('pm.closed'), times.closedAt ? formatTime(times.closedAt, tz) : none],
    [t('pm.duration'), durationText(times, t)],
    ...(times.detectedAt && times.timeToDetectMs !== undefined
      ? [[t('pm.ttd'), t('pm.ttd_value', { duration: formatDuration(times.timeToDetectMs, t), started: formatTime(times.detectedAt, tz) })] as [string, string]]
      : []),
    [t('pm.tta'), ackText(times, t, tz)],
    [t('pm.service'), cellOr(incident.service)],
    [t('pm.commander'), cellOr(incident.roles.commander?.name)],
    [t('pm.roles'), others.length ? others.join(', ') : none],
    [t('pm.participants'), incident.participants.map((p) => inline(p.name)).join(', ') || none],
    [t('pm.affected_users'), fill],
    [t('pm.summary'), cellOr(incident.summary, prose)],
    [t('pm.resolution'), cellOr(incident.resolution, prose)],
    [t('pm.status_times'), statusTimes.length ? statusTimes.join(' · ') : none],
  ];
  return [
    t('pm.overview'),
    '',
    `| ${t('pm.col_item')} | ${t('pm.col_value')} |`,
    '|---|---|',
    // Labels and values are Markdown already: catalog text, with user text escaped where it went in.
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
}

/** MTTA: first page → first acknowledgement, with who answered; or why there is no figure. */
function ackText(times: ReturnType<typeof incidentTimes>, t: Translate, tz: string): string {
  if (!times.firstPagedAt) return t('pm.tta_no_page');
  if (times.timeToAckMs === undefined || !times.acknowledgedAt) return t('pm.tta_no_ack', { paged: formatTime(times.firstPagedAt, tz) });
  return t('pm.tta_value', {
    duration: formatDuration(times.timeToAckMs, t),
    paged: formatClock(times.firstPagedAt, tz),
    acked: formatClock(times.acknowledgedAt, tz),
    name: inline(times.acknowledgedBy ?? ''),
  });
}

function timelineSection(events: readonly IncidentEvent[], opts: PostmortemOptions): string[] {
  // A code block shows what people wrote exactly as written, markup and all, and renders none of it.
  const body = formatTimeline(timelineEntries(events, opts.t), opts.timeZone);
  return [opts.t('pm.timeline'), '', opts.t('pm.timeline_tz', { tz: opts.timeZone }), '', ...codeBlock(body, 'text')];
}

/** Notes and status updates recorded while the incident was on, i.e. up to the resolve. */
function immediateActions(events: readonly IncidentEvent[], times: IncidentTimes, opts: PostmortemOptions): string[] {
  const { t, timeZone: tz } = opts;
  const day = formatDate(times.declaredAt, tz);
  const items: string[] = [];
  for (const e of chronological(events)) {
    if (times.resolvedAt && between(times.resolvedAt, e.at) > 0) continue;
    let text: string | undefined;
    if (e.type === 'note_added' || e.type === 'key_event') text = prose(e.text);
    else if (e.type === 'status_changed' && e.message) text = t('pm.immediate_status', { status: t(`word.status.${e.to}`), message: prose(e.message) });
    if (text === undefined) continue;
    const time = formatDate(e.at, tz) === day ? formatClock(e.at, tz) : formatTime(e.at, tz);
    items.push(t('pm.immediate_item', { time, author: inline(e.actor.name), text }));
  }
  return [t('pm.immediate'), '', items.length ? t('pm.immediate_hint') : t('pm.immediate_none'), ...(items.length ? ['', ...items] : [])];
}

function prevention(incident: Incident, t: Translate): string[] {
  const out = [t('pm.prevention')];
  for (const h of HORIZONS) {
    const items = incident.actionItems.filter((a) => a.horizon === h);
    out.push('', t(`pm.horizon.${h}`), '');
    if (!items.length) out.push(t('pm.no_items'));
    for (const a of items) {
      const owner = a.owner ? inline(a.owner.name) : t('word.unassigned');
      out.push(t('pm.item', { check: a.status === 'done' ? 'x' : ' ', id: a.id, text: inline(a.text), owner }));
    }
  }
  return out;
}

function durationText(times: IncidentTimes, t: Translate): string {
  if (times.timeToResolveMs !== undefined) return formatDuration(times.timeToResolveMs, t);
  if (times.timeToCancelMs !== undefined) return t('pm.until_cancelled', { duration: formatDuration(times.timeToCancelMs, t) });
  return t('pm.not_resolved');
}
