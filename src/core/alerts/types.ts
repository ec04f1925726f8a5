/**
 * Alerts from monitoring, reduced to what every source has (Alertmanager, Grafana, PagerDuty-style
 * events). Parsers (parse.ts) turn a source's payload into an AlertBatch; routing (routes.ts)
 * decides what each alert does; src/app/alerts.ts records them on incidents.
 */

export const ALERT_SOURCE_KINDS = ['alertmanager', 'grafana', 'events'] as const;
export type AlertSourceKind = (typeof ALERT_SOURCE_KINDS)[number];

export interface AlertLink {
  /** generator, dashboard, panel, silence, image, or a PagerDuty `links[].text`. */
  label: string;
  url: string;
}

/** One alert as the bot keeps it: its identity inside its group is `fingerprint`. */
export interface NormalizedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** annotations.summary, else the alert name (Grafana: its title), else the fingerprint. */
  summary: string;
  description?: string;
  labels: Record<string, string>;
  links: AlertLink[];
  /** ISO-8601; absent when the source did not say (or said Go's zero time). */
  startsAt?: string;
  /** ISO-8601, only for a resolved alert. */
  endsAt?: string;
  /** The source's own severity word, when it has one (events: payload.severity). */
  severity?: string;
  /** Grafana: the query values that fired the rule, as text (`B=44.24, C=1`, else its valueString). */
  value?: string;
}

/** What one delivery carries: alerts of one group (Alertmanager/Grafana) or one event (events). */
export interface AlertBatch {
  groupKey: string;
  alerts: NormalizedAlert[];
  /** A title for the group (Grafana's title; Alertmanager: commonLabels.alertname). */
  title?: string;
  /** Alertmanager's truncatedAlerts: alerts the sender left out. */
  truncated?: number;
  /** events API: event_action acknowledge (no alert changes state, the incident is acknowledged). */
  acknowledge?: boolean;
  /** events API: the routing_key of the body (checked by auth.ts, never stored). */
  routingKey?: string;
}

/** What happened to each alert of a delivery (the `outcome` label of alerts_received_total). */
export const ALERT_OUTCOMES = ['opened', 'added', 'duplicate', 'resolved', 'acknowledged', 'paged', 'dropped', 'folded'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

/** The answer of one ingested delivery. */
export interface IngestResult {
  /** The group's key (events: the dedup_key, generated when the trigger had none). */
  dedupKey: string;
  /** Incident references the delivery touched. */
  incidents: string[];
  outcomes: Partial<Record<AlertOutcome, number>>;
}
