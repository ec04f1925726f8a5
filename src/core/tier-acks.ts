import { between } from './durations.js';
import type { IncidentEvent } from './events.js';
import type { Actor } from './model.js';

/**
 * The parts of an incident's response times that need more than "the first event of a type":
 * the acknowledgement of each policy tier, and the severity's history. Pure, over events already
 * in time order (metrics.ts `chronological`).
 */

/** One policy tier of an incident: when it was first paged and who of it answered, how soon. */
export interface TierAck {
  /** The tier as people read it: 1 for the policy's first (the paged event's `tier` + 1). */
  tier: number;
  /** The tier's first page. */
  pagedAt: string;
  /** The first acknowledgement after it by someone that tier paged; absent when none of them answered. */
  ackAt?: string;
  /** Who acknowledged. */
  ackBy?: Actor;
  /** pagedAt → ackAt. */
  ms?: number;
}

export interface SeverityChange {
  from: string;
  to: string;
  at: string;
}

/**
 * Per tier: its first page and the first acknowledgement after it by a person paged in that
 * tier (by then). An acknowledgement by someone of another tier does not count for this one: a
 * tier nobody of which answered reads "not acknowledged", which is what a review wants to see.
 * Pages by hand (no tier) and acknowledgements of one's own pages (`own`) are left out.
 */
export function ackByTier(sorted: readonly IncidentEvent[]): TierAck[] {
  const tiers = new Map<number, { pagedAt: string; paged: Set<string>; ack?: IncidentEvent }>();
  for (const e of sorted) {
    if (e.type === 'paged' && e.step >= 0 && e.tier !== undefined && e.users.length > 0) {
      const tier = tiers.get(e.tier) ?? { pagedAt: e.at, paged: new Set<string>() };
      for (const u of e.users) tier.paged.add(u.id);
      tiers.set(e.tier, tier);
    } else if (e.type === 'acknowledged' && !e.own) {
      for (const tier of tiers.values()) if (!tier.ack && tier.paged.has(e.actor.id)) tier.ack = e;
    }
  }
  return [...tiers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tier, { pagedAt, ack }]) => ({
      tier: tier + 1,
      pagedAt,
      ...(ack ? { ackAt: ack.at, ackBy: ack.actor, ms: Math.max(0, between(pagedAt, ack.at)) } : {}),
    }));
}

export function severityChanges(sorted: readonly IncidentEvent[]): SeverityChange[] {
  return sorted.flatMap((e) => (e.type === 'severity_changed' ? [{ from: e.from, to: e.to, at: e.at }] : []));
}

/** The first time the incident reached monitoring: the impact is mitigated, the fix is being watched. */
export function mitigatedAt(sorted: readonly IncidentEvent[]): string | undefined {
  return sorted.find((e) => e.type === 'status_changed' && e.to === 'monitoring')?.at;
}
