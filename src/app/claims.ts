import type { Deps } from './context.js';

/**
 * A short lease on a side effect that must not run twice at once (a page DM, a channel post):
 * taken for CLAIM_S seconds and renewed every second while the work runs, so a slow platform
 * call keeps it, and a process that dies mid-call frees it within seconds instead of holding
 * back the retry for a fixed TTL. Given back when the work ends, either way: what the work did is
 * recorded by then (the page is `sent`, the post is marked), and that is what a retry checks.
 */
const CLAIM_S = 3;

export const TAKEN = Symbol('taken');

export async function whileClaimed<T>(deps: Deps, key: string, work: () => Promise<T>): Promise<T | typeof TAKEN> {
  if (!(await deps.store.claim(key, CLAIM_S))) return TAKEN;
  const renew = setInterval(() => void deps.store.keep(key, CLAIM_S).catch(() => undefined), 1000);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await deps.store.release(key).catch(() => undefined);
  }
}
