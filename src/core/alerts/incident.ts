import { event, type IncidentEvent } from '../events.js';
import type { Translate } from '../i18n/index.js';
import type { Actor, AlertItem, Incident, LeadAlert } from '../model.js';
import { isActive, isTerminal } from '../model.js';
import { cleanText } from '../text.js';
import type { NormalizedAlert } from './types.js';

/**
 * What alerts do to an incident, decided without I/O. An alert is known by its fingerprint
 * inside its group (never by its summary, which a template may change between re-sends):
 *
 * - firing, and already firing on the incident: a re-send (Alertmanager's repeat_interval); nothing.
 * - firing, new or resolved before: `alert_fired`, a line on the timeline, nobody paged.
 * - resolved, firing on the incident: `alert_resolved`; when it was the last one firing, the channel
 *   is told (or, with the route's `autoResolve`, the incident resolves).
 * - resolved, otherwise: nothing (a re-send of a resolve).
 */

/** The latest state each fingerprint has in this delivery (a payload may name one twice). */
export function latestByFingerprint(alerts: readonly NormalizedAlert[]): NormalizedAlert[] {
  const by = new Map<string, NormalizedAlert>();
  for (const a of alerts) by.set(a.fingerprint, a);
  return [...by.values()];
}

export function firingItems(inc: Incident): AlertItem[] {
  return (inc.alerts?.items ?? []).filter((a) => a.status === 'firing');
}

export function isFiringOn(inc: Incident, fingerprint: string): boolean {
  return (inc.alerts?.items ?? []).some((a) => a.fingerprint === fingerprint && a.status === 'firing');
}

export function alertFired(a: NormalizedAlert, actor: Actor, now: Date, folded?: string): IncidentEvent {
  return event(
    {
      type: 'alert_fired',
      fingerprint: a.fingerprint,
      summary: a.summary,
      ...(a.description ? { description: a.description } : {}),
      labels: a.labels,
      links: a.links,
      ...(a.startsAt ? { startsAt: a.startsAt } : {}),
      ...(folded ? { folded } : {}),
    },
    actor,
    now,
  );
}

/**
 * The events a delivery's alerts add to an incident they belong to. Firing alerts are recorded
 * only while the incident is active (after that a new firing opens a new incident: the caller
 * decides); resolves are recorded until the incident is closed or cancelled.
 */
export function decideAlerts(inc: Incident, alerts: readonly NormalizedAlert[], actor: Actor, now: Date, o: { folded?: string } = {}): IncidentEvent[] {
  if (isTerminal(inc.status)) return [];
  const out: IncidentEvent[] = [];
  let resolvedOne = false;
  for (const a of latestByFingerprint(alerts)) {
    const firing = isFiringOn(inc, a.fingerprint);
    if (a.status === 'firing' && !firing && isActive(inc.status)) out.push(alertFired(a, actor, now, o.folded));
    if (a.status === 'resolved' && firing) {
      out.push(event({ type: 'alert_resolved', fingerprint: a.fingerprint, summary: a.summary, ...(a.endsAt ? { endsAt: a.endsAt } : {}) }, actor, now));
      resolvedOne = true;
    }
  }
  if (resolvedOne && inc.alerts?.autoResolve && isActive(inc.status) && allResolvedAfter(inc, out)) out.push(event({ type: 'resolved' }, actor, now));
  return out;
}

/** Alerts the source has not mentioned for `quietMs` count as resolved (resolveAfterQuiet). */
export function decideQuiet(inc: Incident, lastSeenMs: Readonly<Record<string, number>>, quietMs: number, actor: Actor, now: Date): IncidentEvent[] {
  const quiet = firingItems(inc).filter((a) => now.getTime() - (lastSeenMs[a.fingerprint] ?? Date.parse(inc.declaredAt)) >= quietMs);
  if (!quiet.length || isTerminal(inc.status)) return [];
  const out: IncidentEvent[] = quiet.map((a) => event({ type: 'alert_resolved', fingerprint: a.fingerprint, summary: a.summary, quiet: true }, actor, now));
  if (inc.alerts?.autoResolve && isActive(inc.status) && allResolvedAfter(inc, out)) out.push(event({ type: 'resolved' }, actor, now));
  return out;
}

function allResolvedAfter(inc: Incident, events: readonly IncidentEvent[]): boolean {
  const resolved = new Set(events.flatMap((e) => (e.type === 'alert_resolved' ? [e.fingerprint] : [])));
  const firedNow = events.some((e) => e.type === 'alert_fired');
  return !firedNow && firingItems(inc).every((a) => resolved.has(a.fingerprint));
}

/** Text that came from a monitoring system: one line, no mention or channel link it could smuggle in. */
export function alertText(text: string, max = 300): string {
  const safe = alertProse(text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim());
  return [...safe].length > max ? `${[...safe].slice(0, max - 1).join('')}…` : safe;
}

/** Text from a monitoring system that may keep its lines (a description): no mention, channel link, broadcast or masked link (`[label](url)`). */
export function alertProse(text: string): string {
  return cleanText(text)
    .replace(/<(?=[@#!])/g, '<\u2060')
    .replace(/\]\(/g, ']\u2060(')
    .replace(/@(everyone|here|channel)/gi, '@\u2060$1');
}

const SHOWN_LABELS = 12;

/** `alertname=HighLatency, service=api, severity=critical` (the first dozen labels). */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  const shown = entries.slice(0, SHOWN_LABELS).map(([k, v]) => `${k}=${v}`).join(', ');
  return alertText(entries.length > SHOWN_LABELS ? `${shown}, +${entries.length - SHOWN_LABELS}` : shown, 500);
}

/** The lines an alert shows in the page DM, the channel and the summary: what, labels, links. */
export function alertLines(a: LeadAlert, t: Translate): string[] {
  const lines = [t('alert.summary', { summary: alertText(a.summary) })];
  if (Object.keys(a.labels).length) lines.push(t('alert.labels', { labels: labelsText(a.labels) }));
  const links = a.links.slice(0, 6).map((l) => `${alertText(l.label, 30)}: ${l.url}`);
  if (links.length) lines.push(t('alert.links', { links: links.join(' · ') }));
  return lines;
}

/** The alert an incident is about: the one that opened it. */
export function leadAlert(inc: Incident): LeadAlert | undefined {
  return inc.alerts?.lead;
}
