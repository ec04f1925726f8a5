import { randomUUID } from 'node:crypto';
import type { Deps } from './context.js';

/**
 * A short lease on a side effect that must not run twice at once (a page DM, a channel post):
 * taken for CLAIM_MS and renewed every third of it while the work runs, so a slow platform call
 * keeps it, and a process that dies mid-call frees it within seconds instead of holding back the
 * retry for a fixed TTL. Given back when the work ends, either way: what the work did is recorded
 * by then (the page is `sent`, the post is marked), and that is what a retry checks.
 *
 * The claim holds this run's own value: a run that stalled past it (a long GC, a blocked event
 * loop) while another replica took it over neither renews nor deletes the other run's claim.
 */
const CLAIM_MS = 3_000;

export const TAKEN = Symbol('taken');

export async function whileClaimed<T>(deps: Deps, key: string, work: () => Promise<T>, claimMs = CLAIM_MS): Promise<T | typeof TAKEN> {
  const owner = randomUUID();
  if (!(await deps.store.claimAs(key, owner, claimMs))) return TAKEN;
  // The renewal under way is awaited before the release: a late one must not bring the claim back.
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = setInterval(() => {
    renewing = deps.store.keepAs(key, owner, claimMs).catch(() => undefined);
  }, Math.max(1, Math.floor(claimMs / 3)));
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await renewing;
    await deps.store.releaseAs(key, owner).catch(() => undefined);
  }
}
