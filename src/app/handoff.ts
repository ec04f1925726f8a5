import { CATCH_UP_MS, handoffAt, handoffMessages, handoffsToArm, type HandoffRef } from '../core/handoff.js';
import type { Override, Rotation } from '../core/rotation-schema.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';

/**
 * Shift handoffs at run time (the rules: src/core/handoff.ts; docs/paging.md, "Handoffs"). Each
 * rotation of each workspace has a durable timer on its next boundary (deps.handoffs, the
 * `handoff` queue). When it fires it works out again, from the config and the covers as they are
 * then, who went off and who came on call at that instant, queues the DMs under ids derived from
 * the boundary (a re-run sends nothing twice) and arms the next boundary. Covers re-arm their
 * rotation (a cover moves boundaries), and a sweep at start and every few minutes re-arms every
 * rotation, so a lost job, a restart or a config edit cannot end the chain.
 */

/** The sweep's period: a chain broken by a failed job is back within this. */
export const HANDOFF_SWEEP_MS = 5 * 60_000;

/** Arms the rotation's pending boundaries in the workspace (idempotent); returns how many it armed. */
export async function armRotation(deps: Deps, workspace: string, rotation: Rotation, overrides?: readonly Override[]): Promise<number> {
  const timers = deps.handoffs;
  if (!timers || !deps.config.handoffs.enabled) return 0;
  const now = deps.clock.now();
  const covers = overrides ?? (await recentCovers(deps, workspace))[rotation.id] ?? [];
  const times = handoffsToArm(rotation, now, covers);
  for (const at of times) await timers.arm({ workspace, rotationId: rotation.id, at: at.toISOString() }, at.getTime() - now.getTime());
  return times.length;
}

/** Covers still on or ended within the catch-up window: one that just ended says where the current stretch began. */
function recentCovers(deps: Deps, workspace: string) {
  return deps.oncall.overrides(workspace, new Date(deps.clock.now().getTime() - CATCH_UP_MS));
}

/** After a cover: its rotation's boundaries moved. A failure is logged, not the cover's: the sweep arms it within minutes. */
export async function rearmAfterCover(deps: Deps, workspace: string, rotation: Rotation): Promise<void> {
  try {
    await armRotation(deps, workspace, rotation);
  } catch (err) {
    deps.log.error({ workspace, rotation: rotation.id, err: (err as Error).message }, 'arming handoff timers after a cover failed');
  }
}

/** Arms every rotation of every workspace that has incidents or a handoff pending. */
export async function sweepHandoffs(deps: Deps): Promise<number> {
  const timers = deps.handoffs;
  if (!timers || !deps.config.handoffs.enabled || deps.config.rotations.length === 0) return 0;
  const workspaces = new Set([...(await deps.store.workspaces()), ...(await timers.workspaces())]);
  let armed = 0;
  for (const workspace of workspaces) {
    const covers = await recentCovers(deps, workspace);
    for (const rotation of deps.config.rotations) armed += await armRotation(deps, workspace, rotation, covers[rotation.id] ?? []);
  }
  return armed;
}

/** The sweep now and every HANDOFF_SWEEP_MS; `stop` ends the interval. */
export async function startHandoffs(deps: Deps): Promise<{ armed: number; stop(): void }> {
  const armed = await sweepHandoffs(deps).catch((err: Error) => {
    deps.log.error({ err: err.message }, 'handoff sweep failed');
    return 0;
  });
  const timer = setInterval(() => void sweepHandoffs(deps).catch((err: Error) => deps.log.error({ err: err.message }, 'handoff sweep failed')), HANDOFF_SWEEP_MS);
  timer.unref();
  return { armed, stop: () => clearInterval(timer) };
}

/** One boundary's timer fired: the DMs, if the handoff still is one and its stretch is under way, then the next boundary. */
export async function runHandoff(deps: Deps, ref: HandoffRef): Promise<void> {
  const rotation = deps.config.rotations.find((r) => r.id === ref.rotationId);
  // A rotation taken out of the config ends its chain; handoffs turned off end every chain.
  if (!rotation || !deps.config.handoffs.enabled) return;
  const { workspace } = ref;
  const at = new Date(ref.at);
  const now = deps.clock.now();
  // From just before the boundary: a cover that ended at it says who went off call.
  const overrides = (await deps.oncall.overrides(workspace, new Date(Math.min(at.getTime() - 1, now.getTime()))))[rotation.id] ?? [];
  const handoff = handoffAt(rotation, at, overrides);
  if (handoff && now.getTime() < handoff.until.getTime()) {
    const incidents = await deps.store.list(workspace, { limit: 10_000 });
    const messages = handoffMessages(deps.t, handoff, { rotation, incidents, paging: deps.config, admins: deps.config.admins });
    for (const m of messages) {
      const id = outboundJobId(['handoff', workspace, rotation.id, at.getTime(), m.role, m.userId]);
      await deps.scheduler.send({ id, workspace, kind: 'dm', target: m.userId, message: m.message });
    }
    deps.log.info({ workspace, rotation: rotation.id, at: ref.at, outgoing: handoff.outgoing, incoming: handoff.incoming }, 'handoff sent');
  } else if (handoff) {
    deps.log.info({ workspace, rotation: rotation.id, at: ref.at }, 'handoff not sent: the stretch it started is over');
  }
  await armRotation(deps, workspace, rotation);
}
