/**
 * When a lease holder renews, retries and gives up (src/infra/lease.ts), as pure functions of
 * the lease's TTL and the times it measured on its own monotonic clock, so the rules can be
 * tested without waiting for them.
 */

/** taken: Redis says another replica holds it now; expired: Redis did not confirm it before it would run out. */
export type LostReason = 'taken' | 'expired';

export interface LeaseTiming {
  ttlMs: number;
  /** Renew this often while holding: a third of the TTL, so two renewals may fail before it runs out. */
  renewMs: number;
  /** After a renewal that could not reach Redis, try again this soon. */
  retryMs: number;
  /** The holder stops trusting its lease this long before the TTL would run out in Redis. */
  marginMs: number;
  /** A replica without the lease tries to take it this often. */
  pollMs: number;
}

export function leaseTiming(ttlMs: number, pollMs: number): LeaseTiming {
  const renewMs = Math.floor(ttlMs / 3);
  const clamp = (ms: number) => Math.max(50, Math.min(1_000, Math.floor(ms)));
  return { ttlMs, renewMs, retryMs: clamp(renewMs / 3), marginMs: clamp(ttlMs / 10), pollMs };
}

/**
 * Until when the holder may act on a TTL set by a request it sent at `sentAt` (its own clock).
 * Counted from the sending, not the answer: Redis started the TTL somewhere in between.
 */
export function heldUntil(sentAt: number, t: LeaseTiming): number {
  return sentAt + t.ttlMs - t.marginMs;
}

/** The longest a replica waits for the gateway after its holder died: the TTL, then one poll. */
export function worstTakeoverMs(t: LeaseTiming): number {
  return t.ttlMs + t.pollMs;
}

export type RenewOutcome = 'renewed' | 'taken' | 'unreachable';

/**
 * What the holder does after a renewal: keep going (next try in `delayMs`, held until `until`)
 * or stop at once. A renewal that could not reach Redis is retried while the lease is still
 * trusted; once it is not, the holder must assume another replica took over.
 */
export function afterRenewal(outcome: RenewOutcome, sentAt: number, now: number, until: number, t: LeaseTiming): { keep: true; delayMs: number; until: number } | { keep: false; reason: LostReason } {
  if (outcome === 'taken') return { keep: false, reason: 'taken' };
  if (outcome === 'renewed') {
    const next = heldUntil(sentAt, t);
    return { keep: true, delayMs: Math.max(0, sentAt + t.renewMs - now), until: next };
  }
  if (now >= until) return { keep: false, reason: 'expired' };
  return { keep: true, delayMs: Math.min(t.retryMs, until - now), until };
}
