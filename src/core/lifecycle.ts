import { IncidentError } from './errors.js';
import { event, type IncidentEvent } from './events.js';
import type { ActiveStatus, Actor, Horizon, Incident, Role } from './model.js';
import { isActive, isTerminal } from './model.js';

/**
 * Lifecycle rules. Each `decide*` function looks at the incident as it stands and either returns
 * the events that the change consists of or throws an IncidentError saying why it is refused.
 * They never write anything, so a refused command leaves no trace.
 *
 *   investigating ⇄ identified ⇄ monitoring ─resolve→ resolved ─close→ closed
 *          └──────────── cancel ────────────→ cancelled
 */

export interface DeclareInput {
  title: string;
  summary: string;
  service?: string;
  severity: string;
  private: boolean;
  drill?: { scenario: string; dry?: true };
  /** When the impact began (`declare --started`), for the time to detect. */
  detectedAt?: string;
}

export function declareEvents(input: DeclareInput, actor: Actor, now: Date): IncidentEvent[] {
  return [
    event({ type: 'declared', ...input }, actor, now),
    event({ type: 'role_assigned', role: 'commander', user: actor }, actor, now),
  ];
}

function assertOpen(inc: Incident): void {
  if (isTerminal(inc.status)) throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
}

export function decideStatus(inc: Incident, to: ActiveStatus, message: string | undefined, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to });
  if (inc.status === to) throw new IncidentError('same_status', { ref: inc.ref, status: to });
  return [event({ type: 'status_changed', from: inc.status, to, ...(message ? { message } : {}) }, actor, now)];
}

export function decideSeverity(inc: Incident, to: string, reason: string | undefined, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (inc.severity === to) throw new IncidentError('same_severity', { ref: inc.ref, severity: to });
  return [event({ type: 'severity_changed', from: inc.severity, to, ...(reason ? { reason } : {}) }, actor, now)];
}

export function decideRole(inc: Incident, role: Role, user: Actor, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  const previous = inc.roles[role];
  return [event({ type: 'role_assigned', role, user, ...(previous ? { previous } : {}) }, actor, now)];
}

export function decideNote(inc: Incident, text: string, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  return [event({ type: 'note_added', text }, actor, now)];
}

export interface NewActionItem {
  text: string;
  owner?: Actor;
  horizon: Horizon;
  /** A typed `--due` date (issue 12, followups.ts parseDue); a horizon's comes with the resolve. */
  dueAt?: string;
  /** The zone a horizon's due date is counted in (the configured `timeZone`; followups.ts addHorizon). */
  timeZone?: string;
}

export function decideAction(inc: Incident, item: NewActionItem, actor: Actor, now: Date): IncidentEvent[] {
  if (inc.status === 'cancelled') throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  const id = `A${inc.actionItems.length + 1}`;
  return [event({ type: 'action_added', item: { id, ...item } }, actor, now)];
}

export function decideActionDone(inc: Incident, id: string, actor: Actor, now: Date): IncidentEvent[] {
  if (inc.status === 'cancelled') throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  const item = inc.actionItems.find((a) => a.id.toLowerCase() === id.toLowerCase());
  if (!item) throw new IncidentError('unknown_action_item', { ref: inc.ref, id });
  if (item.status === 'done') throw new IncidentError('action_already_done', { id: item.id });
  return [event({ type: 'action_completed', id: item.id }, actor, now)];
}

export function decideResolve(inc: Incident, summary: string | undefined, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'resolved' });
  // Resolved by hand while its alerts still fire: the timeline says so (they may page again).
  const stillFiring = (inc.alerts?.items ?? []).filter((a) => a.status === 'firing').length;
  return [event({ type: 'resolved', ...(summary ? { summary } : {}), ...(stillFiring ? { stillFiring } : {}) }, actor, now)];
}

export function decideCancel(inc: Incident, reason: string | undefined, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (!isActive(inc.status)) throw new IncidentError('illegal_transition', { ref: inc.ref, from: inc.status, to: 'cancelled' });
  return [event({ type: 'cancelled', ...(reason ? { reason } : {}) }, actor, now)];
}

/** Declare on a triage page: the incident gets its channel, and whoever pressed it leads, unless someone already does. */
export function decideTriageDeclare(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (!inc.triage) throw new IncidentError('triage_already', { ref: inc.ref });
  const out: IncidentEvent[] = [event({ type: 'triage_declared' }, actor, now)];
  if (!inc.roles.commander) out.push(event({ type: 'role_assigned', role: 'commander', user: actor }, actor, now));
  return out;
}

export function decideClose(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  if (inc.status !== 'resolved') throw new IncidentError('not_resolved', { ref: inc.ref, status: inc.status });
  return [event({ type: 'closed' }, actor, now)];
}

/** Whether a chat message in the channel should still be recorded. */
export function acceptsMessages(inc: Incident): boolean {
  return !isTerminal(inc.status);
}
