import { randomUUID } from 'node:crypto';
import type { Deps } from './context.js';

/**
 * A short lease on a side effect that must not run twice at once (a page DM, a channel post, a
 * Discord event replayed after a failover): taken for `claimMs` and renewed every third of it
 * while the work runs, so a slow platform call keeps it, and a process that dies mid-call frees
 * it within seconds instead of holding back the retry for a fixed TTL.
 *
 * The claim holds this run's own value: a run that stalled past it (a long GC, a blocked event
 * loop) while another replica took it over neither renews nor deletes the other run's claim.
 */
const CLAIM_MS = 3_000;

export const TAKEN = Symbol('taken');

export interface HeldClaim {
  /** Stops renewing; resolves once a renewal under way is done (a late one must not bring the claim back). */
  stop(): Promise<void>;
  /** Deletes the claim if it is still this run's. */
  release(): Promise<void>;
  /** Holds the claim `ms` from now if it is still this run's (or ran out untaken); false otherwise. */
  keep(ms: number): Promise<boolean>;
}

/** Takes `key` for this run and keeps renewing it until `stop()`; null when another run holds it. */
export async function holdClaim(deps: Deps, key: string, claimMs = CLAIM_MS): Promise<HeldClaim | null> {
  const owner = randomUUID();
  if (!(await deps.store.claimAs(key, owner, claimMs))) return null;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = setInterval(() => {
    renewing = deps.store.keepAs(key, owner, claimMs).catch(() => undefined);
  }, Math.max(100, Math.floor(claimMs / 3)));
  renew.unref();
  return {
    async stop() {
      clearInterval(renew);
      await renewing;
    },
    release: () => deps.store.releaseAs(key, owner).then(() => undefined, () => undefined),
    keep: (ms) => deps.store.keepAs(key, owner, ms),
  };
}

/**
 * Runs `work` under the claim and gives it back when the work ends, either way: what the work did
 * is recorded by then (the page is `sent`, the post is marked), and that is what a retry checks.
 */
export async function whileClaimed<T>(deps: Deps, key: string, work: () => Promise<T>, claimMs = CLAIM_MS): Promise<T | typeof TAKEN> {
  const claim = await holdClaim(deps, key, claimMs);
  if (!claim) return TAKEN;
  try {
    return await work();
  } finally {
    await claim.stop();
    await claim.release();
  }
}
