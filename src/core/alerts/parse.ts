import { z } from 'zod';
import { check, type PayloadIssue } from './issues.js';
import { parseEventsPayload } from './parse-events.js';
import { ALERT_LIMITS, LinkList, boundedKey, cleanLabels, firstText, freeText, instant, oneLine } from './sanitize.js';
import type { AlertBatch, AlertSourceKind, NormalizedAlert } from './types.js';

/**
 * A monitoring payload turned into an AlertBatch: Alertmanager's webhook (version 4), Grafana's
 * unified-alerting webhook (Alertmanager's shape plus its own fields), and PagerDuty Events API v2
 * (parse-events.ts). Unknown fields are ignored, so newer senders keep working; the fields the bot
 * relies on are checked, and a payload that lacks them is refused with the paths that failed.
 *
 * Field names: Alertmanager's notify/webhook Message (prometheus.io/docs/alerting/latest/configuration
 * #webhook_config); Grafana's receivers/webhook webhookMessage and templates.ExtendedAlert
 * (github.com/grafana/alerting); PagerDuty's developer docs, "Send an Alert Event".
 */

export type { PayloadIssue };
export type ParseResult = { ok: true; batch: AlertBatch } | { ok: false; issues: PayloadIssue[] };

/** Go's map[string]string: Grafana sends null for an empty one. */
const kv = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});
const optionalText = z.string().nullish();
const alertStatus = z.enum(['firing', 'resolved']);

const alertmanagerAlert = z.object({
  status: alertStatus,
  labels: kv,
  annotations: kv,
  startsAt: optionalText,
  endsAt: optionalText,
  generatorURL: optionalText,
  fingerprint: z.string().min(1),
});

const alertmanagerPayload = z.object({
  version: optionalText,
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).nullish(),
  status: alertStatus.nullish(),
  receiver: optionalText,
  groupLabels: kv,
  commonLabels: kv,
  commonAnnotations: kv,
  externalURL: optionalText,
  alerts: z.array(alertmanagerAlert).min(1),
});

const grafanaAlert = alertmanagerAlert.extend({
  silenceURL: optionalText,
  dashboardURL: optionalText,
  panelURL: optionalText,
  imageURL: optionalText,
  values: z.record(z.string(), z.number().nullable()).nullish(),
  valueString: optionalText,
});

const grafanaPayload = alertmanagerPayload.extend({
  title: optionalText,
  message: optionalText,
  state: optionalText,
  orgId: z.number().nullish(),
  alerts: z.array(grafanaAlert).min(1),
});

type AlertmanagerAlert = z.infer<typeof alertmanagerAlert>;
type GrafanaAlert = z.infer<typeof grafanaAlert>;

/**
 * One payload of `kind` as an AlertBatch. `newKey` makes the dedup_key of an events trigger that
 * has none (as PagerDuty does); tests pass a fixed one.
 */
export function parseAlertPayload(kind: AlertSourceKind, body: unknown, o: { newKey?: () => string } = {}): ParseResult {
  switch (kind) {
    case 'alertmanager': {
      const parsed = check(alertmanagerPayload, body);
      if (!parsed.ok) return parsed;
      return { ok: true, batch: groupBatch(parsed.data, parsed.data.alerts.map(alertmanagerAlertOf)) };
    }
    case 'grafana': {
      const parsed = check(grafanaPayload, body);
      if (!parsed.ok) return parsed;
      const batch = groupBatch(parsed.data, parsed.data.alerts.map(grafanaAlertOf));
      const title = firstText(parsed.data.title);
      return { ok: true, batch: title ? { ...batch, title: oneLine(title, ALERT_LIMITS.title) } : batch };
    }
    case 'events':
      return parseEventsPayload(body, o.newKey);
  }
}

/** The batch of an Alertmanager-shaped group: alerts deduplicated by fingerprint (the last word wins), bounded in number. */
function groupBatch(payload: z.infer<typeof alertmanagerPayload>, alerts: NormalizedAlert[]): AlertBatch {
  const byFingerprint = new Map<string, NormalizedAlert>();
  for (const alert of alerts) byFingerprint.set(alert.fingerprint, alert);
  const unique = [...byFingerprint.values()];
  const kept = unique.slice(0, ALERT_LIMITS.alerts);
  const truncated = (payload.truncatedAlerts ?? 0) + (unique.length - kept.length);
  const title = firstText(payload.commonLabels.alertname, payload.groupLabels.alertname);
  return {
    groupKey: boundedKey(payload.groupKey),
    alerts: kept,
    ...(title ? { title: oneLine(title, ALERT_LIMITS.title) } : {}),
    ...(truncated > 0 ? { truncated } : {}),
  };
}

function alertmanagerAlertOf(a: AlertmanagerAlert): NormalizedAlert {
  return normalized(a, new LinkList());
}

function grafanaAlertOf(a: GrafanaAlert): NormalizedAlert {
  const links = new LinkList();
  links.add('dashboard', a.dashboardURL);
  links.add('panel', a.panelURL);
  links.add('silence', a.silenceURL);
  links.add('image', a.imageURL);
  const alert = normalized(a, links);
  const value = valueText(a.values) ?? firstText(a.valueString);
  return value ? { ...alert, value: oneLine(value, ALERT_LIMITS.labelValue) } : alert;
}

/** The fields Alertmanager and Grafana share; `links` may already hold the source's own. */
function normalized(a: AlertmanagerAlert, links: LinkList): NormalizedAlert {
  const fingerprint = boundedKey(a.fingerprint);
  links.add('generator', a.generatorURL);
  links.add('runbook', a.annotations.runbook_url);
  links.add('dashboard', a.annotations.dashboard);
  const summary = freeText(firstText(a.annotations.summary, a.annotations.title, a.labels.alertname) ?? '', ALERT_LIMITS.summary) || fingerprint;
  const description = firstText(a.annotations.description);
  const startsAt = instant(a.startsAt);
  const endsAt = a.status === 'resolved' ? instant(a.endsAt) : undefined;
  return {
    fingerprint,
    status: a.status,
    summary,
    ...(description ? { description: freeText(description, ALERT_LIMITS.description) } : {}),
    labels: cleanLabels(a.labels),
    links: links.links,
    ...(startsAt ? { startsAt } : {}),
    ...(endsAt ? { endsAt } : {}),
  };
}

/** Grafana's values map as `B=44.24, C=1` (six significant digits). */
function valueText(values: Record<string, number | null> | null | undefined): string | undefined {
  const parts = Object.entries(values ?? {})
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .map(([name, v]) => `${name}=${Number.isInteger(v) ? v : Number(v.toPrecision(6))}`);
  return parts.length ? parts.join(', ') : undefined;
}
