import type { IncidentEvent } from './events.js';
import { chronological } from './metrics.js';
import { latestNames } from './names.js';
import { ROLES, type Actor, type Role } from './model.js';
import { BOT } from './projection.js';

/** One person of an incident, as the postmortem's participants table shows them. */
export interface Participant {
  actor: Actor;
  /** Every role they held at some point, in the order of ROLES. */
  roles: Role[];
  /** Their first event, or the first time they were given a role or a follow-up (and so were invited). */
  joinedAt: string;
  /** How many channel messages they wrote (message_posted events). */
  messages: number;
}

/**
 * The people of an incident, in the order they joined: everyone who did something (the bot
 * aside), was given a role, or owns a follow-up; the same people as the incident's
 * `participants`. Being paged alone does not make one a participant. Each is named as
 * names.ts `latestNames` has it, so a person renamed mid-incident appears once.
 */
export function participantsOf(events: readonly IncidentEvent[]): Participant[] {
  const people = new Map<string, { actor: Actor; roles: Set<Role>; joinedAt: string; messages: number }>();
  const join = (who: Actor, at: string) => {
    if (who.id === BOT.id) return undefined;
    const known = people.get(who.id);
    if (known) return known;
    const added = { actor: who, roles: new Set<Role>(), joinedAt: at, messages: 0 };
    people.set(who.id, added);
    return added;
  };
  const sorted = chronological(events);
  for (const e of sorted) {
    const by = join(e.actor, e.at);
    if (e.type === 'message_posted' && by) by.messages++;
    if (e.type === 'role_assigned') join(e.user, e.at)?.roles.add(e.role);
    if (e.type === 'action_added' && e.item.owner) join(e.item.owner, e.at);
  }
  const names = latestNames(sorted, true);
  return [...people.values()].map((p) => ({ actor: { id: p.actor.id, name: names.get(p.actor.id) ?? p.actor.name }, roles: ROLES.filter((r) => p.roles.has(r)), joinedAt: p.joinedAt, messages: p.messages }));
}
