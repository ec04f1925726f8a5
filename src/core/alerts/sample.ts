/**
 * A real-shaped Alertmanager delivery to try the bot with (`npm run alert`): seed 003's incident,
 * API latency from 20 ms to 281 ms with the CPU at 95%, as Alertmanager 0.25 sends it to a
 * webhook receiver grouped by alertname and service. test/fixtures/alerts/alertmanager-latency-*.json
 * are this payload; a unit test keeps them equal.
 */

/** Go's zero time: what Alertmanager sends as the endsAt of an alert still firing. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of an Alertmanager webhook payload (version 4). */
export interface AlertmanagerWireAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** An Alertmanager webhook payload (version 4), as it arrives. */
export interface AlertmanagerWirePayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AlertmanagerWireAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/**
 * Alertmanager's fingerprint of a label set (prometheus/common, model.LabelSet.Fingerprint):
 * FNV-1a 64 over each name and value in name order, each followed by the byte 0xff, written as
 * 16 hex digits.
 */
export function labelsFingerprint(labels: Record<string, string>): string {
  let hash = FNV_OFFSET;
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK64;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of utf8.encode(name)) add(byte);
    add(0xff);
    for (const byte of utf8.encode(labels[name]!)) add(byte);
    add(0xff);
  }
  return hash.toString(16).padStart(16, '0');
}

export const LATENCY_ALERT_LABELS = {
  alertname: 'HighLatency',
  instance: 'api-1:8080',
  job: 'api',
  service: 'api',
  severity: 'critical',
} as const satisfies Record<string, string>;

/** 22:35 and 23:12 in Seoul on 5 June 2025, when seed 003's incident began and ended. */
export const LATENCY_STARTS_AT = '2025-06-05T13:35:00Z';
export const LATENCY_ENDS_AT = '2025-06-05T14:12:00Z';

/** Seed 003's latency alert, firing (endsAt the zero time) or resolved at `endsAt`. */
export function latencyAlertPayload(status: 'firing' | 'resolved', times: { startsAt?: string; endsAt?: string } = {}): AlertmanagerWirePayload {
  const labels: Record<string, string> & typeof LATENCY_ALERT_LABELS = { ...LATENCY_ALERT_LABELS };
  const annotations = {
    summary: 'API latency 281 ms (normal 20 ms)',
    description: 'http_req_duration averaged 281.76 ms over 5 minutes (p95 318.20 ms, max 510.74 ms) against 20 ms normally, at 1 request/s with no errors. CPU on api-1 is at 95%.',
    runbook_url: 'https://runbooks.example.com/api/high-latency',
  };
  const alert: AlertmanagerWireAlert = {
    status,
    labels,
    annotations,
    startsAt: times.startsAt ?? LATENCY_STARTS_AT,
    endsAt: status === 'firing' ? GO_ZERO_TIME : (times.endsAt ?? LATENCY_ENDS_AT),
    generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=avg_over_time%28http_req_duration_seconds%7Bjob%3D%22api%22%7D%5B5m%5D%29+%3E+0.2&g0.tab=1',
    fingerprint: labelsFingerprint(labels),
  };
  return {
    receiver: 'incident-bot',
    status,
    alerts: [alert],
    groupLabels: { alertname: labels.alertname, service: labels.service },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: 'http://alertmanager.example.com:9093',
    version: '4',
    groupKey: '{}:{alertname="HighLatency", service="api"}',
    truncatedAlerts: 0,
  };
}

/**
 * Any sample made current: its alerts firing from `now` (endsAt the zero time) or resolved at
 * `now` (startsAt kept when it is earlier); an events API sample triggered or resolved. A body
 * of another shape is returned as it is.
 */
export function atStatus(sample: unknown, status: 'firing' | 'resolved', now: Date): unknown {
  if (typeof sample !== 'object' || sample === null) return sample;
  const body = structuredClone(sample) as Record<string, unknown>;
  const nowIso = now.toISOString();
  if (Array.isArray(body.alerts)) {
    body.status = status;
    for (const alert of body.alerts as Record<string, unknown>[]) {
      if (typeof alert !== 'object' || alert === null) continue;
      alert.status = status;
      if (status === 'firing') {
        alert.startsAt = nowIso;
        alert.endsAt = GO_ZERO_TIME;
      } else {
        const started = typeof alert.startsAt === 'string' ? Date.parse(alert.startsAt) : NaN;
        if (!(started < now.getTime())) alert.startsAt = nowIso;
        alert.endsAt = nowIso;
      }
    }
  } else if (typeof body.event_action === 'string') {
    body.event_action = status === 'firing' ? 'trigger' : 'resolve';
  }
  return body;
}
