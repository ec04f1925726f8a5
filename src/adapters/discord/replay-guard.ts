import { holdClaim } from '../../app/claims.js';
import type { Deps } from '../../app/context.js';

/**
 * Gateway events handled once across a failover. The replica that takes the gateway over
 * resumes from the session sequence the old holder last stored, which may lag what it handled,
 * so Discord replays some events twice. Most are caught further in: a message, an edit
 * (message id + edited_timestamp) and a deletion are recorded under a once-key in the same
 * atomic write as their event (src/app/inbound.ts), and an interaction runs only after its
 * deferral, which Discord accepts once per interaction (40060 to the second). A reaction has no
 * once-key of its own: a replayed ✅ on a page DM would acknowledge whatever page of that person
 * is open by then (a re-page after an ack timeout), and answer by DM again. So a reaction is
 * claimed here by its identity: message, person and emoji.
 *
 * The claim holds a value of its run, renewed while the handler runs and kept for REPLAY_S
 * once it is done, each by compare-and-set (holdClaim in src/app/claims.ts): a replica that
 * dies mid-way frees it before the next holder can see the replay, which is then handled; one
 * that finished keeps the replay out; a run that stalled can neither extend nor delete a claim
 * another run took meanwhile. Every key has a TTL. A person who takes the reaction off lets the
 * same reaction count again (`forget`, on a live MESSAGE_REACTION_REMOVE).
 */

/** Longer than a failover plus the replay that follows it. */
export const REPLAY_S = 15 * 60;

/**
 * How long a claim lasts while its handler runs (renewed every third of it): half the gateway
 * lease's TTL. A replay reaches the next holder only after the dead holder's lease ran out, at
 * least two thirds of the TTL after its last renewal, so the dead run's claim is gone by then;
 * a live run keeps its claim through any stall shorter than that. Without a lease, 3 s.
 */
export function runningClaimMs(leaseTtlMs?: number): number {
  return leaseTtlMs ? Math.max(300, Math.floor(leaseTtlMs / 2)) : 3_000;
}

function keyOf(identity: string): string {
  return `discord-event:${identity}`;
}

/** Runs `work` unless an event with this identity was (or is being) handled; false when skipped. */
export async function handleOnce(deps: Deps, identity: string, work: () => Promise<void>, runningMs = runningClaimMs()): Promise<boolean> {
  const claim = await holdClaim(deps, keyOf(identity), runningMs);
  if (!claim) return false;
  try {
    await work();
  } catch (err) {
    await claim.stop();
    // Failed: a redelivery may try again (unless another run holds the claim by now).
    await claim.release();
    throw err;
  }
  await claim.stop();
  if (!(await claim.keep(REPLAY_S * 1000))) {
    deps.log.warn({ event: identity }, 'discord event was claimed by another run while this one handled it (a stall past its claim)');
  }
  return true;
}

/** The event may be handled again (the person took the reaction off): its claim is dropped. */
export async function forget(deps: Deps, identity: string): Promise<void> {
  await deps.store.release(keyOf(identity));
}
