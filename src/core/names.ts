import type { IncidentEvent } from './events.js';
import { chronological } from './metrics.js';
import type { Actor } from './model.js';

/**
 * One person, one name. Events keep the name the platform gave when they were recorded, and
 * that can differ for the same id: a display name changed mid-incident, or (incidents recorded
 * before the adapters agreed) Slack's login name from a slash command beside the display name
 * from a message. Files that show names (the postmortem) read every id with the latest name
 * known for it, so a person appears once, under one name.
 */

/** An Actor as events carry them: exactly `{ id, name }` (so a policy or an action item is not taken for one). */
function isActor(v: unknown): v is Actor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && typeof (v as Actor).id === 'string' && typeof (v as Actor).name === 'string';
}

/** The people an event names: its actor, and the Actor-shaped values of its fields and of `item`. */
function actorsIn(e: IncidentEvent): Actor[] {
  const out: Actor[] = [];
  const scan = (o: object) => {
    for (const v of Object.values(o)) {
      if (isActor(v)) out.push(v);
      else if (Array.isArray(v)) for (const x of v) if (isActor(x)) out.push(x);
    }
  };
  scan(e);
  if (e.type === 'action_added') scan(e.item);
  return out;
}

/**
 * id → the latest name events give it. A name that is only the id again (the platform could not
 * tell) never replaces a real one. `sorted`: the events are in time order already.
 */
export function latestNames(events: readonly IncidentEvent[], sorted = false): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of sorted ? events : chronological(events)) {
    for (const a of actorsIn(e)) if (a.name && (a.name !== a.id || !names.has(a.id))) names.set(a.id, a.name);
  }
  return names;
}

/**
 * The events with every person named by `latestNames`. Returns the very same array when nobody
 * had two names (the common case costs no copy), so callers can tell whether anything changed.
 */
export function withLatestNames(events: readonly IncidentEvent[]): readonly IncidentEvent[] {
  const names = latestNames(events);
  const stale = (a: Actor) => names.has(a.id) && names.get(a.id) !== a.name;
  const staleAt = events.map((e) => actorsIn(e).some(stale));
  if (!staleAt.includes(true)) return events;
  const rename = <T>(v: T): T => (isActor(v) && stale(v) ? ({ id: v.id, name: names.get(v.id) } as T) : v);
  const renamed = (o: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map(rename) : rename(v)]));
  return events.map((e, i) => {
    if (!staleAt[i]) return e;
    const out = renamed(e);
    if (e.type === 'action_added') out.item = renamed(e.item);
    return out as IncidentEvent;
  });
}
