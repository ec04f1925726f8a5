import { effectsFor } from '../core/effects.js';
import type { IncidentEvent } from '../core/events.js';
import type { Incident, IncidentKey } from '../core/model.js';
import type { PagingOptions } from '../core/paging-effects.js';
import type { OutboxEntry } from '../core/ports.js';
import { mutate, type MutateOptions, type MutateResult } from '../store/mutate.js';
import type { Deps } from './context.js';
import { runEntries } from './relay.js';

/**
 * How long the writer of an outbox entry holds it before any relay may take it over (wall
 * clock). Short, because it is also how long a page waits when its writer dies; the writer
 * extends it while it is still working (see relay.ts).
 */
export const LEASE_MS = 4_000;

let inBackground = 0;

/** Batches of entries this process is running in the background now (tests wait for 0; shutdown could too). */
export function backgroundRuns(): number {
  return inBackground;
}

export function wallMs(deps: Deps): number {
  return deps.wallMs ? deps.wallMs() : Date.now();
}

export function pagingOptions(deps: Deps): PagingOptions {
  return { ackEmojis: deps.config.paging.ackEmojis, timeZone: deps.config.timeZone };
}

/** `<number>-<version>-<index>`, zero-padded so ids sort in the order they were written. */
export function entryId(number: number, version: number, index: number): string {
  return `${String(number).padStart(6, '0')}-${String(version).padStart(8, '0')}-${String(index).padStart(3, '0')}`;
}

/** The outbox entries of a batch of events: every effect the core says follows them. */
export function outboxEntries(deps: Deps, after: Incident, events: readonly IncidentEvent[]): OutboxEntry[] {
  return effectsFor(after, events, deps.t, pagingOptions(deps)).map((effect, i) => ({
    id: entryId(after.number, after.version, i),
    workspace: after.workspace,
    number: after.number,
    effect,
    attempts: 0,
  }));
}

/** The mutate options that write a change's effects into the outbox of its own append. */
export function outboxOptions(deps: Deps): Pick<MutateOptions, 'outbox' | 'leaseUntilMs'> {
  return { outbox: (after, events) => outboxEntries(deps, after, events), leaseUntilMs: () => wallMs(deps) + LEASE_MS };
}

/**
 * Records what `decide` returns (compare-and-set, re-deciding on a lost race) together with the
 * effects it implies, in one atomic append, then runs those effects at once. Whatever happens
 * after the append (a crash, a Redis error, a platform outage), the effects are in the outbox
 * and a relay carries them out: nothing a change implies depends on this process surviving.
 */
export async function record(
  deps: Deps,
  key: IncidentKey,
  decide: (current: Incident) => IncidentEvent[],
  o: Omit<MutateOptions, 'outbox' | 'leaseUntilMs'> & { background?: boolean } = {},
): Promise<MutateResult> {
  const { background, ...options } = o;
  const result = await mutate(deps.store, key, decide, { ...options, ...outboxOptions(deps) });
  if (!result.entries?.length) return result;
  if (background) {
    runInBackground(deps, result.entries, result.after);
    return result;
  }
  // `after` becomes the state once the effects ran (a declaration answers with its new channel).
  const latest = await runEntries(deps, result.entries, result.after);
  return { ...result, after: latest ?? result.after };
}

/**
 * Runs a change's outbox entries without the caller waiting (a timer job frees its worker slot
 * for the next timer; an alert delivery is answered once it is recorded): the entries are leased
 * to this process and kept leased while they run; if it dies, a relay takes them over.
 */
export function runInBackground(deps: Deps, entries: readonly OutboxEntry[], after: Incident): void {
  if (!entries.length) return;
  inBackground++;
  void runEntries(deps, entries, after)
    .catch((err: unknown) => deps.log.warn({ err, incidentId: after.ref }, 'outbox entries left for the relay'))
    .finally(() => inBackground--);
}
