import { IncidentError } from './errors.js';
import { event, type IncidentEvent } from './events.js';
import type { Actor, ChecklistStep, Incident, Role, SeverityLevel } from './model.js';
import { isActive, isTerminal } from './model.js';
import { BOT } from './projection.js';
import { nextReminderAt } from './summary.js';

/**
 * The guided response (issue 11): status updates on the severity's cadence and their reminders,
 * reopening, the reminder about roles nobody holds, the checklist ticked by hand. Pure, like
 * lifecycle.ts: each decide returns the events of the change or throws why it is refused.
 */

/** `/incident update <text>`: only while the incident is worked on. */
export function decideUpdate(inc: Incident, text: string, actor: Actor, now: Date): IncidentEvent[] {
  if (!isActive(inc.status)) throw new IncidentError('not_active_update', { ref: inc.ref, status: inc.status });
  return [event({ type: 'update_posted', text }, actor, now)];
}

/** How far a tolerance a reminder's timer may run early (clock skew between processes). */
const EARLY_MS = 1_000;

/**
 * A reminder's timer ran: remind when an update is due now and this due time was not reminded
 * yet; nothing when an update came meanwhile (the timer is stale: a newer one is armed), when
 * the incident is no longer active, or when this reminder was already recorded (a re-run).
 */
export function decideReminder(inc: Incident, severities: readonly SeverityLevel[], now: Date): IncidentEvent[] {
  const at = nextReminderAt(inc, severities);
  if (!at || at.getTime() > now.getTime() + EARLY_MS || inc.remindedAt === at.toISOString()) return [];
  return [event({ type: 'update_reminded', dueAt: at.toISOString() }, BOT, now)];
}

export const SNOOZE_MINUTES = [15, 60] as const;

/** Snooze on a reminder: no reminder before `minutes` from now. */
export function decideSnooze(inc: Incident, minutes: number, actor: Actor, now: Date): IncidentEvent[] {
  if (!isActive(inc.status)) throw new IncidentError('not_active_update', { ref: inc.ref, status: inc.status });
  return [event({ type: 'update_snoozed', until: new Date(now.getTime() + minutes * 60_000).toISOString(), minutes }, actor, now)];
}

/** `/incident reopen [reason]`: a resolved incident (not a closed or cancelled one) goes back to investigating. */
export function decideReopen(inc: Incident, reason: string | undefined, page: boolean, actor: Actor, now: Date): IncidentEvent[] {
  if (inc.status !== 'resolved' || isTerminal(inc.status)) throw new IncidentError('reopen_not_resolved', { ref: inc.ref, status: inc.status });
  return [event({ type: 'reopened', ...(reason ? { reason } : {}), ...(page ? { page: true as const } : {}) }, actor, now)];
}

/** Severities whose incidents want comms and scribe held from early on (seed 004: P1 and P2). */
export function wantsAllRoles(inc: Incident, severities: readonly SeverityLevel[]): boolean {
  const rank = severities.findIndex((s) => s.id === inc.severity);
  return rank >= 0 && rank <= 1;
}

export const ROLES_REMINDER_MS = 10 * 60_000;

/** Ten minutes after declare, once: the roles of a P1/P2 that nobody holds yet. */
export function decideRolesReminder(inc: Incident, severities: readonly SeverityLevel[], now: Date): IncidentEvent[] {
  if (inc.rolesReminded || !isActive(inc.status) || !inc.channelId || !wantsAllRoles(inc, severities)) return [];
  if (now.getTime() + EARLY_MS < Date.parse(inc.declaredAt) + ROLES_REMINDER_MS) return [];
  const missing = (['comms', 'scribe'] as const).filter((r) => !inc.roles[r]);
  if (!missing.length) return [];
  return [event({ type: 'roles_reminded', missing: [...missing] }, BOT, now)];
}

/** A Take comms / Take scribe button: only a role that is still nobody's, and never the commander's. */
export function decideTakeRole(inc: Incident, role: Extract<Role, 'comms' | 'scribe'>, actor: Actor, now: Date): IncidentEvent[] {
  if (!isActive(inc.status)) throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  const holder = inc.roles[role];
  if (holder) throw new IncidentError('role_taken', { ref: inc.ref, role, user: holder.id, whatKey: `word.role.${role}` });
  // Only from the roles reminder (a forged press on any other incident is refused), never the commander's role.
  if (!inc.rolesReminded || (role as string) === 'commander') {
    const who = [...new Set([inc.roles.commander?.id, inc.declaredBy.id].filter((id): id is string => Boolean(id)))].map((id) => `<@${id}>`).join(', ');
    throw new IncidentError('not_allowed', { ref: inc.ref, whatKey: 'authz.role', who });
  }
  return [event({ type: 'role_assigned', role, user: actor }, actor, now)];
}

/** `/incident checklist tick <step> <reason>`. */
export function decideChecklistTick(inc: Incident, step: ChecklistStep, reason: string, actor: Actor, now: Date): IncidentEvent[] {
  if (inc.status === 'cancelled') throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  if (inc.checklist?.[step]) throw new IncidentError('checklist_already', { ref: inc.ref, step });
  return [event({ type: 'checklist_ticked', step, reason }, actor, now)];
}


