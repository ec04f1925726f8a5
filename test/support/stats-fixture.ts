import type { StatsIndex, StatsRecord } from '../../src/core/stats-types.js';

/**
 * Closed incidents in the stats index, as closing them writes it (src/app/stats-index.ts), for
 * tests about what `/incident stats` shows rather than how the index is kept: `n` incidents over
 * the last weeks before `now`, P1 and P2 alternating, each resolved in (i + 1) hours.
 */
export async function closedIncidents(index: StatsIndex, workspace: string, now: Date, n = 4): Promise<StatsRecord[]> {
  const records: StatsRecord[] = [];
  for (let i = 0; i < n; i++) {
    const declared = now.getTime() - (3 + 6 * i) * 86_400_000;
    const resolveMs = (i + 1) * 3_600_000;
    records.push({
      ref: `INC-${i + 1}`,
      number: i + 1,
      severity: i % 2 ? 'P2' : 'P1',
      service: 'api',
      declaredAt: new Date(declared).toISOString(),
      firstPagedAt: new Date(declared + 60_000).toISOString(),
      acknowledgedAt: new Date(declared + 300_000).toISOString(),
      timeToAckMs: 240_000,
      resolvedAt: new Date(declared + resolveMs).toISOString(),
      timeToResolveMs: resolveMs,
      closedAt: new Date(declared + resolveMs + 600_000).toISOString(),
      drill: false,
      cancelled: false,
      followUps: [],
    });
  }
  for (const r of records) await index.put(workspace, r);
  return records;
}
