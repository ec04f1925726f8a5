import { between } from './durations.js';
import type { IncidentEvent } from './events.js';
import { ACTIVE_STATUSES, type ActiveStatus } from './model.js';
import { ackByTier, mitigatedAt, severityChanges, type SeverityChange, type TierAck } from './tier-acks.js';

/**
 * Pure folds over an incident's events. Every number here comes from event times, never from the
 * clock, so a postmortem rendered twice says the same thing.
 */

export interface IncidentTimes {
  declaredAt: string;
  resolvedAt?: string;
  closedAt?: string;
  cancelledAt?: string;
  /** Declared → resolved. */
  timeToResolveMs?: number;
  /** Declared → cancelled, for an incident that was called off. */
  timeToCancelMs?: number;
  /**
   * Time spent in each active status, up to the resolve (or cancel). For an incident still open
   * the last status counts up to `until` when given, otherwise up to the latest event.
   */
  statusDurations: Record<ActiveStatus, number>;
  /** First page sent, first acknowledgement, and the time between: the incident's MTTA sample. */
  firstPagedAt?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  timeToAckMs?: number;
  /** When the impact began, when an alert said so (its startsAt), and from then to the declaration. */
  detectedAt?: string;
  timeToDetectMs?: number;
  /** First time the incident reached monitoring, and declared → then: the time to mitigate. */
  mitigatedAt?: string;
  timeToMitigateMs?: number;
  /** Each policy tier that was paged: its first page and its own first acknowledgement (tier-acks.ts). */
  ackByTier?: TierAck[];
  /** Every severity change, in time order. */
  severityChanges: SeverityChange[];
}

/**
 * Events in time order. Stable, so events recorded at the same instant keep their append order;
 * needed because a captured chat message keeps its original (possibly earlier) time.
 */
/** `a` before `b`; two `toISOString()` forms (24 characters, UTC) compare as text, without parsing. */
function earlier(a: string, b: string): boolean {
  return a.length === 24 && b.length === 24 && a.endsWith('Z') && b.endsWith('Z') ? a < b : Date.parse(a) < Date.parse(b);
}

export function chronological<E extends { at: string }>(events: readonly E[]): E[] {
  // Usually in order already (a stream is appended as things happen): one pass says so, no sort.
  let inOrder = true;
  for (let i = 1; i < events.length && inOrder; i++) inOrder = !earlier(events[i]!.at, events[i - 1]!.at);
  if (inOrder) return events.slice();
  return events
    .map((e, i) => ({ e, i, ms: Date.parse(e.at) }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .map((x) => x.e);
}

export function incidentTimes(events: readonly IncidentEvent[], until?: Date): IncidentTimes {
  const sorted = chronological(events);
  const declared = sorted.find((e) => e.type === 'declared');
  if (!declared) throw new Error('incidentTimes: no declared event');
  const firstAt = (type: IncidentEvent['type']): string | undefined => sorted.find((e) => e.type === type)?.at;
  const resolvedAt = firstAt('resolved');
  const cancelledAt = firstAt('cancelled');
  const closedAt = firstAt('closed');
  const last = sorted[sorted.length - 1] ?? declared;
  const end = resolvedAt ?? cancelledAt ?? until?.toISOString() ?? last.at;

  const statusDurations = Object.fromEntries(ACTIVE_STATUSES.map((s) => [s, 0])) as Record<ActiveStatus, number>;
  let current: ActiveStatus = 'investigating';
  let since = declared.at;
  for (const e of sorted) {
    if (e.type !== 'status_changed' || Date.parse(e.at) > Date.parse(end)) continue;
    statusDurations[current] += Math.max(0, between(since, e.at));
    current = e.to;
    since = e.at;
  }
  statusDurations[current] += Math.max(0, between(since, end));

  const firstPage = sorted.find((e) => e.type === 'paged' && e.users.length > 0);
  const ack = sorted.find((e) => e.type === 'acknowledged' && !e.own);
  const detectedAt = declared.type === 'declared' ? declared.detectedAt : undefined;
  const mitigated = mitigatedAt(sorted);
  const tiers = ackByTier(sorted);
  return {
    declaredAt: declared.at,
    ...(detectedAt ? { detectedAt, timeToDetectMs: Math.max(0, between(detectedAt, declared.at)) } : {}),
    ...(firstPage ? { firstPagedAt: firstPage.at } : {}),
    ...(ack ? { acknowledgedAt: ack.at, acknowledgedBy: ack.actor.name } : {}),
    ...(firstPage && ack ? { timeToAckMs: Math.max(0, between(firstPage.at, ack.at)) } : {}),
    ...(resolvedAt ? { resolvedAt, timeToResolveMs: between(declared.at, resolvedAt) } : {}),
    ...(cancelledAt ? { cancelledAt, timeToCancelMs: between(declared.at, cancelledAt) } : {}),
    ...(closedAt ? { closedAt } : {}),
    ...(mitigated ? { mitigatedAt: mitigated, timeToMitigateMs: Math.max(0, between(declared.at, mitigated)) } : {}),
    ...(tiers.length ? { ackByTier: tiers } : {}),
    severityChanges: severityChanges(sorted),
    statusDurations,
  };
}
