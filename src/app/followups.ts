import { digestMessage, reminderMessage } from '../core/followup-messages.js';
import { reminderStillDue, remindersToArm, type ReminderClock } from '../core/followup-reminders.js';
import { digestStillDue, digestsToArm, followupEntries, type FollowupEntry, type FollowupRef } from '../core/followups.js';
import type { Incident } from '../core/model.js';
import { followupJobId } from '../scheduler/followups.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';

/**
 * Follow-ups at run time (issue 12; the rules: src/core/followups.ts; docs/response.md,
 * "Follow-ups"). Every change to an incident's action items (added, done, the resolve that gives
 * them due dates, close, cancel, reopen) writes the incident's open items to the cross-incident
 * index (deps.actions) and arms their owners' reminders on the `followups` queue (deps.followups),
 * as the outbox effect `sync_followups`. A reminder's timer re-reads the incident: nothing is sent
 * for an item that is done, or for a reminder a later one overtook; otherwise the DM goes through
 * the outbound queue under an id derived from the reminder, and the next one is armed. A sweep at
 * start and every few minutes re-arms every open item and each workspace's weekly digest, so a
 * lost job or a restart cannot end a chain; ids make every re-arm and re-run a no-op. The sweep
 * reads the workspaces from the index and the store (never the queue's jobs), and per open item
 * makes one read: an item whose next reminder is armed is left alone, so it re-adds nothing.
 */

/** The sweep's period. */
export const FOLLOWUP_SWEEP_MS = 5 * 60_000;
/** How long a sent reminder or digest is remembered (longer than any re-arm could bring it back). */
const SENT_TTL_S = 60 * 24 * 3600;
/** Incidents read at most when a workspace's index is built from them, once. */
const BUILD_LIMIT = 100_000;

/** Reminders go out at the digest's hour in the configured zone, 09:00 without a digest. */
export function reminderClock(deps: Deps): ReminderClock {
  const digest = deps.config.followups.digest;
  return { timeZone: deps.config.timeZone, hour: digest ? digest.hour : 9 };
}

/**
 * Arms the reminders an open item's owner should get (idempotent); returns how many it armed.
 * `lazy` (the sweep): nothing when the next one is armed already, one read instead of a write each.
 */
export async function armEntry(deps: Deps, entry: FollowupEntry, o: { lazy?: boolean } = {}): Promise<number> {
  const timers = deps.followups;
  if (!timers) return 0;
  const now = deps.clock.now();
  const refs = remindersToArm(entry, now, reminderClock(deps)).map((r): FollowupRef => ({ kind: r.kind, workspace: entry.workspace, number: entry.number, itemId: entry.id, at: r.at }));
  const next = refs.at(-1);
  if (!next || (o.lazy && (await timers.armed(next)))) return 0;
  for (const ref of refs) await timers.arm(ref, Date.parse(ref.at) - now.getTime());
  return refs.length;
}

/** The outbox effect `sync_followups`: the incident's open items to the index, their reminders armed. */
export async function syncFollowups(deps: Deps, inc: Incident): Promise<void> {
  const entries = followupEntries(inc);
  await deps.actions?.put(inc, inc.version, entries);
  for (const entry of entries) await armEntry(deps, entry);
}

/** The open items of a workspace: from the index, built from its incidents the first time. */
export async function openFollowups(deps: Deps, workspace: string): Promise<FollowupEntry[]> {
  const index = deps.actions;
  if (!index) return (await deps.store.list(workspace, { all: true, limit: BUILD_LIMIT })).flatMap(followupEntries);
  if (!(await index.built(workspace))) {
    // Incidents recorded before the index existed: written once (a newer write wins over these).
    for (const inc of await deps.store.list(workspace, { all: true, limit: BUILD_LIMIT })) await index.put(inc, inc.version, followupEntries(inc));
    await index.markBuilt(workspace);
  }
  return index.list(workspace);
}

/** Arms the workspace's digests (the one missed within a day, and the next); `lazy` as armEntry. */
async function armDigests(deps: Deps, workspace: string, o: { lazy?: boolean } = {}): Promise<number> {
  const digest = deps.config.followups.digest;
  const timers = deps.followups;
  if (!timers || !digest) return 0;
  const now = deps.clock.now();
  const refs = digestsToArm(digest, deps.config.timeZone, now).map((at): FollowupRef => ({ kind: 'digest', workspace, at: at.toISOString() }));
  const next = refs.at(-1);
  if (!next || (o.lazy && (await timers.armed(next)))) return 0;
  for (const ref of refs) await timers.arm(ref, Date.parse(ref.at) - now.getTime());
  return refs.length;
}

/** Arms what is missing of every open item's reminders and every workspace's digests; returns how many timers it armed. */
export async function sweepFollowups(deps: Deps): Promise<number> {
  if (!deps.followups) return 0;
  const workspaces = new Set([...(await deps.store.workspaces()), ...((await deps.actions?.workspaces()) ?? [])]);
  let armed = 0;
  for (const workspace of workspaces) {
    for (const entry of await openFollowups(deps, workspace)) armed += await armEntry(deps, entry, { lazy: true });
    armed += await armDigests(deps, workspace, { lazy: true });
  }
  return armed;
}

/** The sweep now and every FOLLOWUP_SWEEP_MS; `stop` ends the interval. */
export async function startFollowups(deps: Deps): Promise<{ armed: number; stop(): void }> {
  const failed = (err: Error) => {
    deps.log.error({ err: err.message }, 'follow-up sweep failed');
    return 0;
  };
  const armed = await sweepFollowups(deps).catch(failed);
  const timer = setInterval(() => void sweepFollowups(deps).catch(failed), FOLLOWUP_SWEEP_MS);
  timer.unref();
  return { armed, stop: () => clearInterval(timer) };
}

/** A follow-up timer fired: a reminder DM or the weekly digest, once, then the next timer. */
export async function runFollowup(deps: Deps, ref: FollowupRef): Promise<void> {
  if (ref.kind === 'digest') return runDigest(deps, ref);
  const inc = await deps.store.get({ workspace: ref.workspace, number: ref.number });
  // Done, cancelled or gone: nothing is sent and the chain ends.
  const entry = inc ? followupEntries(inc).find((e) => e.id === ref.itemId) : undefined;
  if (!entry?.owner) return;
  const now = deps.clock.now();
  if (reminderStillDue(entry, { kind: ref.kind, at: ref.at }, now, reminderClock(deps))) {
    const message = reminderMessage(deps.t, entry, ref.kind, deps.config.timeZone);
    const id = outboundJobId(['fu', ref.workspace, ref.number, ref.itemId, ref.kind, Date.parse(ref.at)]);
    await once(deps, followupJobId(ref), () => deps.scheduler.send({ id, workspace: ref.workspace, kind: 'dm', target: entry.owner?.id ?? '', message }));
    deps.log.info({ workspace: ref.workspace, incidentId: entry.ref, item: entry.id, kind: ref.kind }, 'follow-up reminder sent');
  }
  await armEntry(deps, entry);
}

async function runDigest(deps: Deps, ref: FollowupRef & { kind: 'digest' }): Promise<void> {
  const digest = deps.config.followups.digest;
  if (!digest) return;
  const now = deps.clock.now();
  if (digestStillDue(digest, deps.config.timeZone, new Date(ref.at), now)) {
    const message = digestMessage(deps.t, await openFollowups(deps, ref.workspace), { timeZone: deps.config.timeZone, now });
    const id = outboundJobId(['fu', ref.workspace, 'digest', Date.parse(ref.at)]);
    if (message) await once(deps, followupJobId(ref), () => deps.scheduler.send({ id, workspace: ref.workspace, kind: 'announce', message }));
    deps.log.info({ workspace: ref.workspace, at: ref.at, posted: Boolean(message) }, 'follow-up digest');
  }
  await armDigests(deps, ref.workspace);
}

/** Queues a message once per timer: a re-run (a stall, a retry, a re-armed catch-up) finds it marked. */
async function once(deps: Deps, key: string, send: () => Promise<void>): Promise<void> {
  const mark = `followup:${key}`;
  if (await deps.oncall.done(mark)) return;
  await send();
  await deps.oncall.markDone(mark, SENT_TTL_S);
}
