import { formatClock, formatPreciseDuration, formatTime } from './durations.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { inline } from './markdown.js';
import type { IncidentTimes } from './metrics.js';

/**
 * The response figures of the postmortem's overview, as cell values: time to detect, to
 * acknowledge (overall and per tier), to mitigate, and the severity's changes. Durations are to
 * the second under ten minutes (formatPreciseDuration): a review compares "4 min 12 s" with a
 * 5-minute target, which "4 min" cannot settle. Times are in the configured zone, `tz`.
 */

/** Time to detect, and where the start of the impact came from (the first alert, or `declare --started`). */
export function detectText(times: IncidentTimes, events: readonly IncidentEvent[], t: Translate, tz: string): string | undefined {
  if (!times.detectedAt || times.timeToDetectMs === undefined) return undefined;
  const declared = events.find((e) => e.type === 'declared');
  const byAlert = declared?.type === 'declared' && declared.alert !== undefined;
  const params = { duration: formatPreciseDuration(times.timeToDetectMs, t), started: formatTime(times.detectedAt, tz) };
  return t(byAlert ? 'pm.ttd_value' : 'pm.ttd_value_declared', params);
}

/** MTTA: first page → first acknowledgement, with who answered; or why there is no figure. */
export function ackFigure(times: IncidentTimes, t: Translate, tz: string): string {
  if (!times.firstPagedAt) return t('pm.tta_no_page');
  if (times.timeToAckMs === undefined || !times.acknowledgedAt) return t('pm.tta_no_ack', { paged: formatTime(times.firstPagedAt, tz) });
  return t('pm.tta_value', {
    duration: formatPreciseDuration(times.timeToAckMs, t),
    paged: formatClock(times.firstPagedAt, tz),
    acked: formatClock(times.acknowledgedAt, tz),
    name: inline(times.acknowledgedBy ?? ''),
  });
}

/** "tier 1: not acknowledged (paged 09:00) · tier 2: 4 min 12 s (dave)"; undefined when no policy tier paged. */
export function tierAckText(times: IncidentTimes, t: Translate, tz: string): string | undefined {
  if (!times.ackByTier?.length) return undefined;
  return times.ackByTier
    .map((a) =>
      a.ms !== undefined && a.ackBy
        ? t('pm.tta_tier', { tier: a.tier, duration: formatPreciseDuration(a.ms, t), name: inline(a.ackBy.name) })
        : t('pm.tta_tier_no_ack', { tier: a.tier, paged: formatClock(a.pagedAt, tz) }),
    )
    .join(' · ');
}

/** Time to mitigate: declared → the first move to monitoring. */
export function mitigateText(times: IncidentTimes, t: Translate, tz: string): string {
  if (!times.mitigatedAt || times.timeToMitigateMs === undefined) return t('pm.ttm_none');
  return t('pm.ttm_value', { duration: formatPreciseDuration(times.timeToMitigateMs, t), at: formatTime(times.mitigatedAt, tz) });
}

/** "P3 → P1 at 2025-12-26 09:15 · P1 → P2 at …"; undefined when the severity never changed. */
export function severityChangesText(times: IncidentTimes, t: Translate, tz: string): string | undefined {
  if (!times.severityChanges.length) return undefined;
  return times.severityChanges.map((c) => t('pm.severity_change', { from: inline(c.from), to: inline(c.to), at: formatTime(c.at, tz) })).join(' · ');
}
