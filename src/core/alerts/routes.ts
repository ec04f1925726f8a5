import type { AppConfig } from '../../config.js';
import type { AlertRoute, AlertSourceConfig } from './config.js';
import type { NormalizedAlert } from './types.js';

/**
 * What an alert does, from its source's routes: the first route whose labels match decides the
 * action (declare, page, drop) and may set the severity, service and policy; what it leaves out
 * is derived from the alert's own labels. An alert no route matches is declared.
 */

export type AlertAction = AlertRoute['action'];

export interface AlertRouting {
  action: AlertAction;
  /** A configured severity id. */
  severity: string;
  service?: string;
  policy?: string;
  autoResolve: boolean;
  /** The index of the route that matched in the source's routes, null when none did. */
  route: number | null;
}

type RoutingConfig = Pick<AppConfig, 'severities' | 'defaultSeverity' | 'services'>;

/** Where the monitoring world's usual words land among the configured severities, by position. */
const SEVERITY_WORDS: Record<string, number> = { critical: 0, error: 1, warning: 2, info: 3 };

const compiled = new Map<string, RegExp | null>();

/**
 * A route's regular expression, anchored as Alertmanager's `=~` is (the whole value must match).
 * Null when it does not compile: config checks can refuse it at start, and a route never matches
 * on it.
 */
export function routeRegex(source: string): RegExp | null {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${source})$`);
    } catch {
      re = null;
    }
    compiled.set(source, re);
  }
  return re;
}

/** Whether a route's `match` and `matchRegex` hold for these labels; a missing label is the empty string, as in Alertmanager. */
export function routeMatches(route: Pick<AlertRoute, 'match' | 'matchRegex'>, labels: Record<string, string>): boolean {
  for (const [name, expected] of Object.entries(route.match)) {
    const value = labels[name] ?? '';
    if (Array.isArray(expected) ? !expected.includes(value) : expected !== value) return false;
  }
  for (const [name, pattern] of Object.entries(route.matchRegex)) {
    const re = routeRegex(pattern);
    if (!re || !re.test(labels[name] ?? '')) return false;
  }
  return true;
}

/**
 * The severity an alert's own words give: its `severity` label (or the events API's severity),
 * case-insensitively, as a configured severity id (`p1` → P1), else a severity's name (`high` →
 * the one named High), else by position (critical → the first, error → the second, warning → the
 * third, info → the last, when there are that many); else the default severity.
 */
export function alertSeverity(config: RoutingConfig, alert: Pick<NormalizedAlert, 'labels' | 'severity'>): string {
  const word = (alert.labels.severity ?? alert.severity)?.trim().toLowerCase();
  if (!word) return config.defaultSeverity;
  const levels = config.severities;
  const byId = levels.find((s) => s.id.toLowerCase() === word) ?? levels.find((s) => s.name.toLowerCase() === word);
  if (byId) return byId.id;
  const position = SEVERITY_WORDS[word];
  if (position === undefined || levels.length <= position) return config.defaultSeverity;
  return (word === 'info' ? levels[levels.length - 1] : levels[position])!.id;
}

/** The alert's `service` label, lower-cased, when it names a configured service (or none are configured). */
export function alertService(config: RoutingConfig, alert: Pick<NormalizedAlert, 'labels'>): string | undefined {
  const service = alert.labels.service?.trim().toLowerCase();
  if (!service) return undefined;
  if (config.services.length && !config.services.some((s) => s.id === service)) return undefined;
  return service;
}

export function routeAlert(config: RoutingConfig, source: Pick<AlertSourceConfig, 'routes' | 'kind'>, alert: NormalizedAlert): AlertRouting {
  const index = source.routes.findIndex((r) => routeMatches(r, alert.labels));
  const route = index >= 0 ? source.routes[index] : undefined;
  const service = route?.service ?? alertService(config, alert);
  return {
    action: route?.action ?? 'declare',
    severity: route?.severity ?? alertSeverity(config, alert),
    ...(service ? { service } : {}),
    ...(route?.policy ? { policy: route.policy } : {}),
    // A PagerDuty `resolve` resolves the incident; Alertmanager and Grafana resolves tell the channel.
    autoResolve: route?.autoResolve ?? source.kind === 'events',
    route: route ? index : null,
  };
}
