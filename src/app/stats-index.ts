import { isTerminal, type Incident } from '../core/model.js';
import { statsRecord } from '../core/stats-record.js';
import type { Deps } from './context.js';

/** Incidents read at most when a workspace's index is built from them, once. */
const BUILD_LIMIT = 100_000;

/**
 * The `index_stats` effect: writes the finished incident's record in the stats index from the
 * incident and its events as they are now, so a late or repeated run writes the latest record
 * (idempotent: it overwrites). An incident that is not finished (any more) has no record.
 */
export async function indexStats(deps: Deps, inc: Incident): Promise<Incident> {
  if (!deps.stats) return inc;
  // State and events read together (one round trip), the events after the state as before.
  const [stored, events] = await Promise.all([deps.store.get(inc), deps.store.events(inc)]);
  const now = stored ?? inc;
  if (!isTerminal(now.status)) {
    await deps.stats.remove(now.workspace, now.number);
    return now;
  }
  await deps.stats.put(now.workspace, statsRecord(now, events));
  return now;
}

/**
 * Build-once at start (src/main.ts), as the follow-ups index is built (src/app/followups.ts): each
 * workspace whose index has no `built` marker gets a record for every closed or cancelled incident
 * in the store, written only where it has none (a record the effect wrote meanwhile is newer), then
 * the marker. Incidents closed before the index existed count from the first start; a start that
 * fails half-way leaves no marker and the next one carries on. Returns the records written.
 */
export async function buildStatsIndex(deps: Deps): Promise<number> {
  const index = deps.stats;
  if (!index) return 0;
  let written = 0;
  for (const workspace of await deps.store.workspaces()) {
    if (await index.built(workspace)) continue;
    for (const inc of await deps.store.list(workspace, { all: true, limit: BUILD_LIMIT })) {
      if (!isTerminal(inc.status)) continue;
      if (await index.putIfAbsent(workspace, statsRecord(inc, await deps.store.events(inc)))) written++;
    }
    await index.markBuilt(workspace);
  }
  return written;
}
