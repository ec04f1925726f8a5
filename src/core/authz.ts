import { IncidentError } from './errors.js';
import type { Actor, Incident } from './model.js';
import type { Rotation } from './rotation-schema.js';

/** The bot's own actor id (projection.ts BOT): the declarer of incidents that alerts open. */
const BOT_ID = 'bot';

/**
 * Who may do what: the one place the bot decides it, evaluated by the dispatcher before a
 * command decides anything (so a refusal writes nothing), never by an adapter. docs/security.md
 * says the same for people.
 *
 * - The incident's commander and its declarer may change its severity, resolve, close, cancel,
 *   reopen, tick the checklist by hand, record the postmortem review (issue 12) and hand roles; with comms, they may snooze update
 *   reminders and post stakeholder notices; anyone else in the channel may note, update the status and add action items.
 * - Only people with an open page may acknowledge it (paging.ts decideAck); answering a page by
 *   hand that neither the commander, the declarer nor an admin sent does not stop the policy.
 * - Covers on a rotation may be set by its members (for themselves or each other) and its
 *   managers, for at most `limits.coverMax`.
 * - `admins` may do everything.
 */

/** What a command does that not everyone may do. */
export type GuardedAction = 'severity' | 'resolve' | 'close' | 'cancel' | 'role' | 'reopen' | 'checklist' | 'snooze' | 'notice' | 'review';

/** Actions the comms role may take as well (it speaks for the incident). */
const COMMS_MAY: ReadonlySet<GuardedAction> = new Set(['snooze', 'notice']);

export interface AuthzOptions {
  admins: readonly string[];
}

export function isAdmin(o: AuthzOptions, userId: string): boolean {
  return o.admins.includes(userId);
}

/** Throws `not_allowed` (saying who may) unless `actor` may do `action` on `inc`. */
export function authorize(inc: Incident, actor: Actor, action: GuardedAction, o: AuthzOptions): void {
  if (isAdmin(o, actor.id)) return;
  const commander = inc.roles.commander?.id;
  if (actor.id === commander || actor.id === inc.declaredBy.id) return;
  // Comms speaks for the incident only when the commander (or the declarer, an admin) handed the role: a volunteer who took it by button does not.
  if (COMMS_MAY.has(action) && inc.roles.comms?.id === actor.id && !inc.volunteered?.comms) return;
  // An incident an alert opened has no declarer to ask: until someone leads it, whoever was paged for it may.
  if (!commander && inc.declaredBy.id === BOT_ID && inc.escalation?.pages.some((p) => p.user.id === actor.id)) return;
  const who = [...new Set([commander, inc.declaredBy.id].filter((x): x is string => Boolean(x)))].map((id) => `<@${id}>`).join(', ');
  throw new IncidentError('not_allowed', { ref: inc.ref, whatKey: `authz.${action}`, who });
}

/** Everyone on a rotation's layers: they stand in for each other. */
export function rotationMembers(rotation: Rotation): string[] {
  return [...new Set(rotation.layers.flatMap((l) => l.members))];
}

/**
 * May `actor` make `coverer` cover `rotation` for `lengthMs`? Members cover for themselves or
 * each other; managers and admins may name anyone in the workspace (checked by the caller).
 */
export function authorizeCover(rotation: Rotation, actor: Actor, covererId: string, lengthMs: number, maxMs: number, o: AuthzOptions): void {
  if (lengthMs > maxMs) throw new IncidentError('cover_too_long', { max: formatDays(maxMs) });
  if (isAdmin(o, actor.id) || rotation.managers.includes(actor.id)) return;
  const members = rotationMembers(rotation);
  const managers = rotation.managers.map((id) => `<@${id}>`).join(', ') || '—';
  if (!members.includes(actor.id)) throw new IncidentError('cover_not_member', { rotation: rotation.id, managers });
  if (!members.includes(covererId)) throw new IncidentError('cover_outsider', { rotation: rotation.id, user: covererId, managers });
}

function formatDays(ms: number): string {
  const hours = ms / 3_600_000;
  return hours % 24 === 0 ? `${hours / 24}d` : `${Math.round(hours)}h`;
}

/**
 * Who may see a private incident (its title, its channel, its timeline) and act on it from
 * outside its channel: its declarer, its role holders, everyone paged for it, its participants
 * (whoever wrote or acted in it) and admins. A public incident is everyone's. Inside its own
 * channel the platform already decided who is there, so callers apply this only outside it.
 */
export function canSee(inc: Incident, userId: string, o: AuthzOptions): boolean {
  if (!inc.private || isAdmin(o, userId)) return true;
  if (inc.declaredBy.id === userId) return true;
  if (Object.values(inc.roles).some((a) => a?.id === userId)) return true;
  if (inc.escalation?.pages.some((p) => p.user.id === userId)) return true;
  return inc.participants.some((a) => a.id === userId);
}
