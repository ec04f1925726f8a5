import { PlatformError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import type { OutboxEntry } from '../core/ports.js';
import type { Deps } from './context.js';
import { performEffect } from './effects.js';
import { LEASE_MS, wallMs } from './record.js';

/**
 * The outbox relay: carries out outbox entries, at least once, in the order they were written
 * per incident. The writer of an entry runs it at once (`runEntries` from record.ts); every bot
 * process also polls for entries that are due (a retry whose time came, or an entry whose
 * writer died and whose lease ran out) and runs those. Effects are idempotent by entry id, so an
 * entry run twice (a lease that ran out while its runner was merely slow) changes nothing twice.
 */

/** Retry delay after `attempts` failures: 1 s doubling to 5 min, jittered down by up to 20 %. */
export function retryDelayMs(attempts: number): number {
  const full = Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (1 - 0.2 * Math.random()));
}

/**
 * Runs entries of one or more incidents, each incident's in id order, keeping their leases alive
 * while it works. `start` is the state the entries were written with (saves a read). Returns the
 * last state seen of the first incident, for a command that answers with it.
 */
export async function runEntries(deps: Deps, entries: readonly OutboxEntry[], start?: Incident): Promise<Incident | undefined> {
  const byIncident = new Map<string, OutboxEntry[]>();
  for (const e of [...entries].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const k = `${e.workspace}\u0000${e.number}`;
    byIncident.set(k, [...(byIncident.get(k) ?? []), e]);
  }
  // One heartbeat for every entry not yet done, whichever incident is being worked on: entries
  // waiting behind a slow one must not lose their lease to another relay meanwhile.
  const left = new Map(entries.map((e) => [e.id, e]));
  const beat = setInterval(() => {
    const byWorkspace = new Map<string, string[]>();
    for (const e of left.values()) byWorkspace.set(e.workspace, [...(byWorkspace.get(e.workspace) ?? []), e.id]);
    for (const [ws, ids] of byWorkspace) deps.outbox.extend(ws, ids, wallMs(deps) + LEASE_MS).catch(() => undefined);
  }, LEASE_MS / 4);
  beat.unref();
  try {
    let first: Incident | undefined;
    for (const group of byIncident.values()) {
      const last = await runGroup(deps, group, left, start);
      first ??= last;
    }
    return first;
  } finally {
    clearInterval(beat);
  }
}

async function runGroup(deps: Deps, group: OutboxEntry[], left: Map<string, OutboxEntry>, start?: Incident): Promise<Incident | undefined> {
  const head = group[0];
  if (!head) return undefined;
  const fromWriter = start !== undefined && start.number === head.number && start.workspace === head.workspace;
  let inc = fromWriter ? start : await deps.store.get(head);
  // Completed together at the end (one round trip); until then their lease is kept. A crash in
  // between runs them again, which their idempotency keys make harmless.
  const done: string[] = [];
  // Sent marks of first runs, awaited with the completion (sent in the same round trip).
  const marks: Promise<unknown>[] = [];
  const defer = (write: Promise<unknown>): void => void marks.push(write.catch((err: unknown) => deps.log.warn({ err, workspace: head.workspace }, 'sent mark not written')));
  try {
    for (const entry of group) {
      if (!inc) {
        done.push(entry.id);
        continue;
      }
      try {
        // The writer's first run of an entry it just wrote cannot find it half done by anyone.
        inc = await performEffect(deps, inc, entry.effect, entry.id, { firstRun: fromWriter && entry.attempts === 0, defer });
        done.push(entry.id);
      } catch (err) {
        left.delete(entry.id);
        await failed(deps, entry, err);
        // The effects after a failed one may depend on it (posts on the channel): read afresh.
        inc = (await deps.store.get(entry).catch(() => null)) ?? inc;
      }
    }
  } finally {
    const completed = deps.outbox.complete(head.workspace, done).catch((err: unknown) => deps.log.warn({ err, workspace: head.workspace }, 'outbox completion failed; the entries run again'));
    await Promise.all([completed, ...marks]);
    for (const id of done) left.delete(id);
  }
  return inc ?? undefined;
}

/**
 * A failed entry goes back to the outbox for a later try. A refusal no retry will change (a
 * channel post into a deleted channel) is logged for a person and dropped, except opening the
 * channel, which keeps being tried at the longest interval (its failure is on the timeline).
 */
async function failed(deps: Deps, entry: OutboxEntry, err: unknown): Promise<void> {
  const attempts = entry.attempts + 1;
  const log = { incident: entry.number, workspace: entry.workspace, entry: entry.id, effect: entry.effect.kind, attempts, err };
  const permanent = err instanceof PlatformError && err.kind === 'permanent';
  if (permanent && entry.effect.kind !== 'open_channel') {
    deps.log.error(log, 'effect refused by the platform; dropped');
    await deps.outbox.complete(entry.workspace, entry.id).catch(() => undefined);
    return;
  }
  // A rate limit says when to come back, and is not the effect's fault: it uses no attempt.
  const limited = err instanceof PlatformError && err.kind === 'rate_limited' && err.retryAfterMs !== undefined;
  const delayMs = permanent ? retryDelayMs(20) : limited ? Math.max(5, err.retryAfterMs ?? 0) : retryDelayMs(attempts);
  deps.log.warn({ ...log, delayMs }, 'effect failed; retrying');
  // If even this write fails (Redis is down), the lease runs out and a relay takes the entry again.
  await deps.outbox.retry({ ...entry, attempts: limited ? entry.attempts : attempts }, wallMs(deps) + delayMs).catch(() => undefined);
}

export interface Relay {
  /** Claims and runs whatever is due now, once; returns how many entries it ran. */
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Polls every workspace's outbox every `pollMs` (default 250 ms) until stopped. */
export function startRelay(deps: Deps, o: { pollMs?: number; batch?: number } = {}): Relay {
  const pollMs = o.pollMs ?? 250;
  const batch = o.batch ?? 100;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  async function pollOnce(): Promise<number> {
    // One SMEMBERS a poll (after a first scan for data older than the registry): a workspace
    // created a moment ago by another process is polled at once.
    const workspaces = await deps.store.workspaces();
    let ran = 0;
    for (const ws of workspaces) {
      const now = wallMs(deps);
      const entries = await deps.outbox.claim(ws, now, now + LEASE_MS, batch);
      if (entries.length === 0) continue;
      deps.log.info({ workspace: ws, entries: entries.length }, 'outbox entries taken over');
      await runEntries(deps, entries);
      ran += entries.length;
    }
    return ran;
  }

  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    running = pollOnce()
      .catch((err: unknown) => deps.log.warn({ err }, 'outbox poll failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    pollOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
