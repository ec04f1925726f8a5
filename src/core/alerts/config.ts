import { z } from 'zod';
import { ALERT_SOURCE_KINDS } from './types.js';

/**
 * `alertSources` in the config file: where alerts come from, how each proves who it is, and what
 * its alerts do. Secrets are named by environment variable (`tokenEnv: ALERTS_TOKEN`), never
 * written in the file; src/http resolves them at start and refuses to start without them.
 */

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable, e.g. ALERTS_TOKEN');

const quiet = z
  .string()
  .regex(/^\d+(\.\d+)?(m|h)$/, 'a duration such as 30m or 2h')
  .transform((v) => Number(v.slice(0, -1)) * { m: 60_000, h: 3_600_000 }[v.slice(-1) as 'm' | 'h']);

export const alertAuthSchema = z.discriminatedUnion(
  'type',
  [
    /** `Authorization: Bearer <token>` (Alertmanager's http_config.authorization). */
    z.object({ type: z.literal('bearer'), tokenEnv: envName }).strict(),
    /** `Authorization: Basic …` (Alertmanager's basic_auth, Grafana's username and password). */
    z.object({ type: z.literal('basic'), username: z.string().min(1), passwordEnv: envName }).strict(),
    /** Grafana's HMAC-SHA256 signature of the body (and of the timestamp, when it sends one). */
    z
      .object({
        type: z.literal('hmac'),
        secretEnv: envName,
        /** Default: Grafana's own `X-Grafana-Alerting-Signature`, or `X-Grafana-Alert-Signature` (either is read). */
        header: z.string().min(1).optional(),
        timestampHeader: z.string().min(1).optional(),
      })
      .strict(),
    /** The events API's `routing_key` in the body. */
    z.object({ type: z.literal('routingKey'), keyEnv: envName }).strict(),
  ],
  { error: 'auth is { type: bearer, tokenEnv }, { type: basic, username, passwordEnv }, { type: hmac, secretEnv }, or { type: routingKey, keyEnv }' },
);

// A scalar or a list of them; the list is tried first, else coercion would turn it into "a,b".
const labelScalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const labelValue = z.union([z.array(labelScalar).min(1), labelScalar]);

export const alertRouteSchema = z
  .object({
    /** Labels that must all match: a value, or a list of accepted values. An empty match matches every alert. */
    match: z.record(z.string(), labelValue).default({}),
    /** Labels that must match a regular expression (anchored), e.g. `{ service: "api|web" }`. */
    matchRegex: z.record(z.string(), z.string()).default({}),
    /** The incident's severity (a configured severity id); default: derived from the alert (docs/alerts.md). */
    severity: z.string().optional(),
    /** The incident's service; default: the alert's `service` label when it names a configured service. */
    service: z.string().optional(),
    /** The escalation policy to page; default: the policy the severity and service route to. */
    policy: z.string().optional(),
    action: z.enum(['declare', 'page', 'drop']).default('declare'),
    /** Resolve the incident on its own once every alert of the group has resolved. */
    /** Default: true for kind `events` (a PagerDuty resolve resolves), false otherwise. */
    autoResolve: z.boolean().optional(),
  })
  .strict();

export const alertSourceSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _'),
    kind: z.enum(ALERT_SOURCE_KINDS),
    /** The chat workspace its incidents open in: `local`, `slack:<team id>` or `discord:<guild id>`. */
    workspace: z.coerce
      .string()
      .regex(/^(local|slack:[A-Z0-9]{1,32}|discord:\d{1,25})$/, 'local, slack:<team id> (slack:T0123ABCD) or discord:<guild id> (discord:123456789012345678)'),
    auth: alertAuthSchema,
    /** Alerts a minute before new groups stop opening incidents and fold into the source's open one. */
    limitPerMinute: z.number().int().min(1).max(1_000_000).default(120),
    /** For sources that never send resolves: an alert not heard of for this long counts as resolved. */
    resolveAfterQuiet: quiet.optional(),
    /** First match wins; an alert no route matches is declared with the defaults. */
    routes: z.array(alertRouteSchema).default([]),
  })
  .strict()
  .transform(({ resolveAfterQuiet, ...rest }) => ({ ...rest, ...(resolveAfterQuiet !== undefined ? { resolveAfterQuietMs: resolveAfterQuiet } : {}) }));

export const alertSourcesSchema = z.array(alertSourceSchema).default([]);

export type AlertAuth = z.infer<typeof alertAuthSchema>;
export type AlertRoute = z.infer<typeof alertRouteSchema>;
export type AlertSourceConfig = z.infer<typeof alertSourceSchema>;

/** The secret an auth setting names, read from the environment at start. */
export type AlertSecret = { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string } | { type: 'hmac'; secret: string; header?: string; timestampHeader?: string } | { type: 'routingKey'; key: string };
