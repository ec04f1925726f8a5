import { between, formatClock, formatDate, formatDuration, formatPreciseDuration, formatTime } from './durations.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { chronological, incidentTimes, type IncidentTimes } from './metrics.js';
import { codeBlock, headingText, inline, prose } from './markdown.js';
import { ACTIVE_STATUSES, HORIZONS, type Incident } from './model.js';
import { formatTimeline, timelineEntries } from './timeline.js';
import { drillScore } from './drills.js';
import { reviewedLines } from './postmortem-review.js';
import { withLatestNames } from './names.js';
import { project } from './projection.js';
import { ackFigure, detectText, mitigateText, severityChangesText, tierAckText } from './postmortem-figures.js';
import { peopleSection } from './postmortem-people.js';
import { formatFigure, impactSection, lessonsSection, rootCauseSection } from './postmortem-capture.js';

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
  // One person, one name (names.ts): every id reads with the latest name known for it, the
  // incident's roles and owners too (projected again from the renamed events). The renamed
  // events are not scanned for names a second time (issue 12's bench: a third of a 10k render).
  // Only the key goes in: the whole incident would seed the new state with its own lessons, and
  // the renamed events would append them a second time.
  const named = withLatestNames(events);
  if (named === events) return renderNamed(incident, events, opts);
  return renderNamed(project(null, named, { workspace: incident.workspace, number: incident.number }), named, opts);
}

function renderNamed(incident: Incident, events: readonly IncidentEvent[], opts: PostmortemOptions): string {
  const { t } = opts;
  const times = incidentTimes(events);
  const lines = [
    t('pm.title', { ref: incident.ref, title: headingText(incident.title) }),
    '',
    t('pm.draft_note'),
    '',
    ...overview(incident, events, times, opts),
    '',
    ...peopleSection(events, times.declaredAt, t, opts.timeZone),
    '',
    // A drill is scored instead of measured: how fast the practice went, and how much of the checklist.
    ...(incident.drill ? [...drillScore(incident, events, t), ''] : []),
    ...timelineSection(events, opts),
    '',
    ...rootCauseSection(incident, t),
    '',
    ...impactSection(incident, durationText(times, t), t),
    '',
    ...immediateActions(events, times, opts),
    '',
    ...prevention(incident, t),
    '',
    ...lessonsSection(incident, t),
    '',
    '---',
    '',
    t('pm.footer', { date: formatDate(opts.now.toISOString(), opts.timeZone) }),
    // issue 12: the 48-hour rule. The review, once recorded (`/incident postmortem done`).
    ...reviewedLines(incident, t, opts.timeZone),
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
    ...optionalRow(t('pm.severity_changes'), severityChangesText(times, t, tz)),
    // Times here are the configured zone's, named, as a file read anywhere needs (chat shows each reader's own).
    [t('pm.time_zone'), inline(tz)],
    [t('pm.declared'), t('pm.declared_by', { time: formatTime(times.declaredAt, tz), name: inline(incident.declaredBy.name) })],
    [t('pm.resolved'), times.resolvedAt ? formatTime(times.resolvedAt, tz) : t('pm.not_resolved')],
    ...(cancel && times.cancelledAt
      ? [[t('pm.cancelled'), formatTime(times.cancelledAt, tz) + (cancel.reason?.trim() ? t('word.because', { text: prose(cancel.reason) }) : '')] as [string, string]]
      : []),
    [t('pm.closed'), times.closedAt ? formatTime(times.closedAt, tz) : none],
    [t('pm.duration'), durationText(times, t, formatPreciseDuration)],
    ...optionalRow(t('pm.ttd'), detectText(times, events, t, tz)),
    [t('pm.tta'), ackText(times, t, tz)],
    ...optionalRow(t('pm.tta_tiers'), tierAckText(times, t, tz)),
    [t('pm.ttm'), mitigateText(times, t, tz)],
    [t('pm.service'), cellOr(incident.service)],
    [t('pm.commander'), cellOr(incident.roles.commander?.name)],
    [t('pm.roles'), others.length ? others.join(', ') : none],
    [t('pm.participants'), incident.participants.map((p) => inline(p.name)).join(', ') || none],
    // issue 12: from `/incident impact users=…`, grouped as the Impact section shows it.
    [t('pm.affected_users'), incident.impact?.users === undefined ? fill : formatFigure(incident.impact.users)],
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

/** MTTA: first page → first acknowledgement, with who answered; or why there is no figure (postmortem-figures.ts). */
function ackText(times: ReturnType<typeof incidentTimes>, t: Translate, tz: string): string {
  return ackFigure(times, t, tz);
}

/** A row of the overview that only some incidents have (a detection time, a severity change). */
function optionalRow(label: string, value: string | undefined): [string, string][] {
  return value === undefined ? [] : [[label, value]];
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

function durationText(times: IncidentTimes, t: Translate, format: (ms: number, t: Translate) => string = formatDuration): string {
  if (times.timeToResolveMs !== undefined) return format(times.timeToResolveMs, t);
  if (times.timeToCancelMs !== undefined) return t('pm.until_cancelled', { duration: format(times.timeToCancelMs, t) });
  return t('pm.not_resolved');
}
