import { ConflictError, IncidentError } from '../core/errors.js';
import type { IncidentEvent } from '../core/events.js';
import type { Incident, IncidentKey } from '../core/model.js';
import { incidentRef } from '../core/model.js';
import type { AppendOptions, IncidentStore, OnceKey, OutboxEntry } from '../core/ports.js';
import { project } from '../core/projection.js';

export interface MutateOptions {
  /** Attempts before giving up with ConflictError. Must exceed the writers you expect at once. */
  maxAttempts?: number;
  /** Upper bound of the random pause between attempts, in milliseconds. */
  maxBackoffMs?: number;
  /**
   * The incident as the caller already read it: the first attempt decides on it instead of
   * reading again (one round trip less). A stale copy only costs a retry: the version check sees it.
   */
  current?: Incident;
  /** Record only if this key was never taken: taken together with the events, atomically. */
  once?: OnceKey;
  /**
   * The effects of what was decided, for the outbox of the same append. Called for each attempt
   * with the state it would write, so a re-decided change writes the effects of its own events.
   */
  outbox?: (after: Incident, events: readonly IncidentEvent[]) => readonly OutboxEntry[];
  /** The lease the writer takes on its outbox entries (wall clock ms). */
  leaseUntilMs?: () => number;
  /** Page DM links to write with the events. */
  pageLinks?: AppendOptions['pageLinks'];
}

export interface MutateResult {
  before: Incident;
  after: Incident;
  events: IncidentEvent[];
  /** The outbox entries written with the events (the writer runs them, see src/app/record.ts). */
  entries?: readonly OutboxEntry[];
  /** True when the `once` key was already taken: nothing was written. */
  duplicate?: boolean;
}

/**
 * Applies a decision to an incident with optimistic concurrency: load, decide, project, append
 * with the loaded version as the compare-and-set token; when another writer got there first,
 * reload and decide again on the fresh state. Deciding again (rather than re-appending the same
 * events) matters: a rule such as "cannot resolve twice" must see the other writer's change.
 *
 * `decide` may throw an IncidentError to refuse the change; nothing is written and the error
 * reaches the caller unchanged. Returning [] means "nothing to do" and is not written either.
 */
export async function mutate(
  store: IncidentStore,
  key: IncidentKey,
  decide: (current: Incident) => IncidentEvent[],
  options: MutateOptions = {},
): Promise<MutateResult> {
  const maxAttempts = options.maxAttempts ?? 50;
  const maxBackoffMs = options.maxBackoffMs ?? 25;
  let known = options.current;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const fromCaller = known !== undefined;
    const before = known ?? (await store.get(key));
    known = undefined;
    if (!before) throw new IncidentError('incident_not_found', { ref: incidentRef(key.number) });
    let events: IncidentEvent[];
    try {
      events = decide(before);
    } catch (err) {
      // A refusal must be judged on the stored state, not on the caller's possibly older copy.
      if (fromCaller && err instanceof IncidentError) continue;
      throw err;
    }
    if (events.length === 0) return { before, after: before, events };
    const after = project(before, events);
    const entries = options.outbox?.(after, events) ?? [];
    const written = await store.append(key, before.version, events, after, appendOptions(options, entries));
    if (written === 'duplicate') return { before, after: before, events: [], entries: [], duplicate: true };
    if (written) return { before, after, events, entries };
    // Losers of a race retry at random moments so they do not collide again in lock step; the
    // window grows with each loss so a crowd spreads out, capped to keep commands responsive.
    if (attempt < maxAttempts) await sleep(Math.random() * Math.min(maxBackoffMs, attempt * 2));
  }
  throw new ConflictError(`${key.workspace}/${incidentRef(key.number)}`);
}

/**
 * Writes a new incident from its first events (normally declareEvents) under a number taken from
 * store.nextNumber. Numbers are never reused, so a failed compare-and-set here means the number
 * was handed out twice: a bug or a tampered store, never a race to retry.
 */
export async function createIncident(
  store: IncidentStore,
  key: IncidentKey,
  events: readonly IncidentEvent[],
  options: Pick<MutateOptions, 'outbox' | 'leaseUntilMs'> = {},
): Promise<MutateResult> {
  const incident = project(null, events, key);
  const entries = options.outbox?.(incident, events) ?? [];
  if (!(await store.append(key, 0, events, incident, appendOptions(options, entries)))) throw new ConflictError(`${key.workspace}/${incidentRef(key.number)}`);
  return { before: incident, after: incident, events: [...events], entries };
}

function appendOptions(o: Pick<MutateOptions, 'once' | 'leaseUntilMs' | 'pageLinks'>, entries: readonly OutboxEntry[]): AppendOptions {
  return {
    ...(o.once ? { once: o.once } : {}),
    ...(entries.length ? { outbox: { entries, leaseUntilMs: o.leaseUntilMs?.() ?? 0 } } : {}),
    ...(o.pageLinks?.length ? { pageLinks: o.pageLinks } : {}),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
