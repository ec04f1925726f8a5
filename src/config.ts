import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { NoticeAudience, SeverityLevel } from './core/model.js';
import { NOTICE_MAX, NOTICE_PLACEHOLDERS, unknownPlaceholders } from './core/notice.js';
import { rotationsSchema } from './core/rotation-schema.js';
import { alertSourcesSchema } from './core/alerts/config.js';
import { DIGEST_DAYS } from './core/followups.js';
import { redisTarget } from './infra/redis-connect.js';

/**
 * Configuration as code: one YAML file (INCIDENT_CONFIG) for what an on-call team owns, and the
 * environment for secrets and wiring. Both are parsed once at start; every problem is reported
 * with its path, so a bad file is fixed in one go.
 */

const severity = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'letters, digits, - or _, at most 16'),
  name: z.string().min(1),
  description: z.string().default(''),
  responseMinutes: z.number().int().positive(),
  updateEveryMinutes: z.number().int().positive(),
});

/** A notice template: text with `{placeholders}`, each one the audience has (an external notice names nobody). */
const noticeTemplate = (audience: NoticeAudience) =>
  z
    .string()
    .min(1)
    .max(NOTICE_MAX)
    .superRefine((template, ctx) => {
      const unknown = unknownPlaceholders(audience, template);
      if (unknown.length) {
        const names = unknown.map((n) => `{${n}}`).join(', ');
        ctx.addIssue({ code: 'custom', message: `unknown placeholder ${names}; use ${NOTICE_PLACEHOLDERS[audience].map((n) => `{${n}}`).join(', ')}` });
      }
    });

const service = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _'),
  name: z.string().optional(),
  /** The service's dev team: who a `{ serviceTeam: true }` tier pages (seed 001's tier 2). */
  team: z
    .union([z.array(z.coerce.string().min(1)), z.coerce.string().min(1)])
    .transform((v) => [v].flat())
    .default([]),
});

const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h)$/, 'a duration such as 30s, 5m or 1h')
  .transform((v) => Number(v.slice(0, -1)) * { s: 1_000, m: 60_000, h: 3_600_000 }[v.slice(-1) as 's' | 'm' | 'h']);

const target = z.union(
  [
    z.object({ user: z.coerce.string().min(1) }).strict(),
    z.object({ rotation: z.string().min(1) }).strict(),
    z.object({ serviceTeam: z.literal(true) }).strict(),
  ],
  { error: 'a target is { user: <id> }, { rotation: <id> } or { serviceTeam: true }' },
);

const policy = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _'),
    name: z.string().optional(),
    tiers: z.array(z.object({ targets: z.array(target).min(1), delay: duration.default(300_000) }).strict()).min(1),
    repeat: z.number().int().min(0).max(10).default(0),
    /** Pages again (from tier 1) when an acknowledged incident is still unresolved after this long. */
    ackTimeout: duration.optional(),
  })
  .strict()
  .transform(({ tiers, ackTimeout, ...rest }) => ({
    ...rest,
    tiers: tiers.map((t) => ({ targets: t.targets, delayMs: t.delay })),
    ...(ackTimeout !== undefined ? { ackTimeoutMs: ackTimeout } : {}),
  }));

const longDuration = z
  .string()
  .regex(/^\d+(\.\d+)?(m|h|d)$/, 'a duration such as 30m, 12h or 7d')
  .transform((v) => Number(v.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[v.slice(-1) as 'm' | 'h' | 'd']);

/** Bounds on what one person can make the bot store, send or page (docs/security.md). */
export const DEFAULT_LIMITS = { text: 4000, pageTargets: 10, pagesPerHour: 30, coverMaxMs: 7 * 86_400_000, coversPerRotation: 50 };
const limitsSchema = z
  .object({
    /** Longest note, update, summary, reason or message text stored, in characters. */
    text: z.number().int().min(100).max(40_000).default(DEFAULT_LIMITS.text),
    /** Most people one `/incident page` may page. */
    pageTargets: z.number().int().min(1).max(100).default(DEFAULT_LIMITS.pageTargets),
    /** Most people one person may page by hand per hour. */
    pagesPerHour: z.number().int().min(1).max(10_000).default(DEFAULT_LIMITS.pagesPerHour),
    /** Longest `/incident cover`. */
    coverMax: longDuration.default(DEFAULT_LIMITS.coverMaxMs),
    /** Most covers kept on one rotation at once. */
    coversPerRotation: z.number().int().min(1).max(1000).default(DEFAULT_LIMITS.coversPerRotation),
  })
  .strict()
  .transform(({ coverMax, ...rest }) => ({ ...rest, coverMaxMs: coverMax }))
  .default(DEFAULT_LIMITS);

/** Which policy pages for an incident: the first route whose severity and service match. */
const route = z
  .object({
    severity: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    service: z.string().optional(),
    policy: z.string(),
  })
  .strict();

/** issue 12: when the weekly follow-up digest is posted, in the configured zone (`monday` or `mon`, any case). */
const digestSchema = z
  .object({
    day: z.preprocess((v) => (typeof v === 'string' ? (DIGEST_DAYS.find((d) => d === v.toLowerCase() || d.slice(0, 3) === v.toLowerCase()) ?? v) : v), z.enum(DIGEST_DAYS)).default('monday'),
    hour: z.number().int().min(0).max(23).default(9),
  })
  .strict();
const DEFAULT_DIGEST = { day: 'monday', hour: 9 } as const;

/** Seed 004 appendix C. */
export const DEFAULT_SEVERITIES: SeverityLevel[] = [
  { id: 'P1', name: 'Critical', description: 'The whole service is down', responseMinutes: 15, updateEveryMinutes: 30 },
  { id: 'P2', name: 'High', description: 'A core feature is failing', responseMinutes: 30, updateEveryMinutes: 60 },
  { id: 'P3', name: 'Medium', description: 'Part of a feature is failing', responseMinutes: 120, updateEveryMinutes: 240 },
  { id: 'P4', name: 'Low', description: 'A minor issue', responseMinutes: 1440, updateEveryMinutes: 1440 },
];

export const configSchema = z
  .object({
    locale: z.enum(['en', 'ko']).default('en'),
    timeZone: z
      .string()
      .default('UTC')
      .refine((tz) => isTimeZone(tz), 'not an IANA time zone, e.g. Asia/Seoul'),
    severities: z.array(severity).min(1).default(DEFAULT_SEVERITIES),
    defaultSeverity: z.string().default('P3'),
    services: z.array(service).default([]),
    channels: z
      .object({
        prefix: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,19}$/, 'lowercase letters, digits, - or _, at most 20').default('inc'),
        announce: z.string().min(1).default('incidents'),
        /** Where internal stakeholder notices go (`/incident notice internal`); unset, none can be posted. */
        stakeholders: z.string().min(1).optional(),
        /** Where external (customer-facing) notices go (`/incident notice external`). */
        external: z.string().min(1).optional(),
      })
      .strict()
      .default({ prefix: 'inc', announce: 'incidents' }),
    /** Templates of stakeholder notices, replacing the catalog's (src/core/notice.ts lists the placeholders). */
    notices: z
      .object({ internal: noticeTemplate('internal').optional(), external: noticeTemplate('external').optional() })
      .strict()
      .default({}),
    postmortems: z.object({ dir: z.string().min(1).default('.data/postmortems') }).default({ dir: '.data/postmortems' }),
    rotations: rotationsSchema,
    policies: z.array(policy).default([]),
    routes: z.array(route).default([]),
    defaultPolicy: z.string().optional(),
    paging: z
      .object({ ackEmojis: z.array(z.string().min(1)).min(1).default(['white_check_mark', 'eyes']) })
      .strict()
      .default({ ackEmojis: ['white_check_mark', 'eyes'] }),
    /** Shift handoff DMs to the people coming on and going off call (docs/paging.md, "Handoffs"). */
    handoffs: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    /** issue 12: follow-ups. The weekly digest of open follow-ups in the announcement channel, or `false` for none. */
    followups: z
      .object({ digest: z.union([z.literal(false), digestSchema]).default(DEFAULT_DIGEST) })
      .strict()
      .default({ digest: DEFAULT_DIGEST }),
    /** User ids who may do everything (docs/security.md). */
    admins: z.array(z.coerce.string().min(1)).default([]),
    limits: limitsSchema,
    /** Monitoring that may open incidents over HTTP: Alertmanager, Grafana, PagerDuty-style events (docs/alerts.md). */
    alertSources: alertSourcesSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = c.severities.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['severities', i, 'id'], message: `duplicate severity ${id}` });
    });
    if (!ids.includes(c.defaultSeverity)) {
      ctx.addIssue({ code: 'custom', path: ['defaultSeverity'], message: `must be one of ${ids.join(', ')}` });
    }
    checkPaging(c, ctx);
    const services = c.services.map((s) => s.id);
    services.forEach((id, i) => {
      if (services.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service ${id}` });
    });
  });

export type AppConfig = z.infer<typeof configSchema>;

type Shape = Pick<AppConfig, 'rotations' | 'policies' | 'routes' | 'defaultPolicy' | 'severities' | 'services' | 'alertSources'>;

/** Alert sources: unique ids, and every severity, service and policy a route names exists. */
function checkAlertSources(c: Shape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const ids = c.alertSources.map((s) => s.id);
  c.alertSources.forEach((source, i) => {
    if (ids.indexOf(source.id) !== i) issue(['alertSources', i, 'id'], `duplicate alert source ${source.id}`);
    if (source.auth.type === 'routingKey' && source.kind !== 'events') issue(['alertSources', i, 'auth', 'type'], 'routingKey is for kind: events');
    source.routes.forEach((r, j) => {
      const path = ['alertSources', i, 'routes', j];
      if (r.severity && !c.severities.some((s) => s.id === r.severity)) issue([...path, 'severity'], `no severity ${r.severity}`);
      if (r.service && c.services.length && !c.services.some((s) => s.id === r.service)) issue([...path, 'service'], `no service ${r.service}`);
      if (r.policy && !c.policies.some((p) => p.id === r.policy)) issue([...path, 'policy'], `no policy ${r.policy}`);
      for (const [label, re] of Object.entries(r.matchRegex)) {
        try {
          new RegExp(re);
        } catch {
          issue([...path, 'matchRegex', label], 'not a valid regular expression');
        }
      }
    });
  });
}

/** Cross-references of the paging settings: every name used must exist. */
function checkPaging(c: Shape, ctx: z.RefinementCtx): void {
  const rotations = new Set(c.rotations.map((r) => r.id));
  const policies = c.policies.map((p) => p.id);
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  policies.forEach((id, i) => policies.indexOf(id) !== i && issue(['policies', i, 'id'], `duplicate policy ${id}`));
  c.policies.forEach((p, i) =>
    p.tiers.forEach((tier, j) =>
      tier.targets.forEach((t, k) => {
        if ('rotation' in t && !rotations.has(t.rotation)) issue(['policies', i, 'tiers', j, 'targets', k, 'rotation'], `no rotation ${t.rotation}`);
      }),
    ),
  );
  const severities = new Set(c.severities.map((s) => s.id));
  c.routes.forEach((r, i) => {
    if (!policies.includes(r.policy)) issue(['routes', i, 'policy'], `no policy ${r.policy}`);
    for (const sev of [r.severity ?? []].flat()) if (!severities.has(sev)) issue(['routes', i, 'severity'], `no severity ${sev}`);
    if (r.service && c.services.length && !c.services.some((s) => s.id === r.service)) issue(['routes', i, 'service'], `no service ${r.service}`);
  });
  checkAlertSources(c, ctx);
  if (c.defaultPolicy && !policies.includes(c.defaultPolicy)) issue(['defaultPolicy'], `no policy ${c.defaultPolicy}`);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

/** Validates a parsed YAML document; problems read `path.to.field: what is wrong`. */
export function parseConfig(doc: unknown): ConfigResult {
  const result = configSchema.safeParse(doc ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`) };
}

/** Reads and validates the file; no file configured means the built-in defaults. */
export function loadConfig(path: string | undefined): ConfigResult {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, problems: [`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`] };
  }
  try {
    return parseConfig(parseYaml(text));
  } catch (err) {
    return { ok: false, problems: [`${path}: not valid YAML (${(err as Error).message.split('\n')[0]})`] };
  }
}

const envSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  // Cluster, Sentinel and managed Redis (src/infra/redis-connect.ts; docs/operations.md): one topology at a time.
  REDIS_CLUSTER_NODES: z.string().optional(),
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_MASTER: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS: z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional(),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  INCIDENT_CONFIG: z.string().optional(),
  KEY_PREFIX: z.string().default('ic:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FILE: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  LOCAL_USER: z.string().regex(/^[a-z0-9._-]+$/i).default('you'),
  // Slack: HTTP mode on PORT; Socket Mode when SLACK_APP_TOKEN is set.
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'a bot token starts with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token starts with xapp-').optional(),
  SLACK_API_URL: z.string().url().optional(),
  // The one HTTP server (Slack's /slack/events, alerts, /livez, /readyz, /metrics). HOST unset:
  // 127.0.0.1 for the local workspace (a laptop demo opens no port to the network), 0.0.0.0 on Slack/Discord.
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  // Discord: the gateway, one or several guilds.
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'the application id is a number').optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d+(,\d+)*$/, 'one guild id or several, comma-separated').optional(),
  DISCORD_API_URL: z.string().url().optional(),
  DISCORD_CATEGORY_ID: z.string().regex(/^\d+$/, 'a category id is a number (right-click it → Copy Channel ID)').optional(),
  // Replicas (docs/operations.md): this process's name in the gateway lease and /readyz; default `<hostname>-<pid>`.
  REPLICA_ID: z.string().regex(/^[^|\s]{1,100}$/, 'up to 100 characters, no spaces or |').optional(),
  // The Discord gateway lease: a dead holder is replaced within TTL + poll (+ the connect), 15 s with the defaults.
  DISCORD_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  DISCORD_LEASE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  // The web dashboard (issue 14, docs/dashboard.md): where browsers reach the bot, an operator token, the signing secret.
  DASHBOARD: z.enum(['on', 'off']).default('on'),
  PUBLIC_URL: z.string().url().regex(/^https?:\/\//, 'an http:// or https:// URL').optional(),
  DASHBOARD_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  DASHBOARD_SECRET: z.string().min(32, 'at least 32 characters').optional(),
}).superRefine((e, ctx) => {
  try {
    redisTarget(e);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: [/^(\w+)/.exec((err as Error).message)?.[1] ?? 'REDIS_URL'], message: (err as Error).message.replace(/^\w+: /, '') });
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'needed with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)' });
  }
  if (e.DISCORD_TOKEN && !e.DISCORD_APPLICATION_ID) {
    ctx.addIssue({ code: 'custom', path: ['DISCORD_APPLICATION_ID'], message: 'needed with DISCORD_TOKEN' });
  }
  if (e.DISCORD_LEASE_POLL_MS >= e.DISCORD_LEASE_TTL_MS) {
    ctx.addIssue({ code: 'custom', path: ['DISCORD_LEASE_POLL_MS'], message: `must be below DISCORD_LEASE_TTL_MS (${e.DISCORD_LEASE_TTL_MS})` });
  }
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: Env } | { ok: false; problems: string[] } {
  // An empty variable means unset (docker compose passes `${SLACK_BOT_TOKEN:-}` as "").
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(set);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

export function severityLevel(config: AppConfig, id: string): SeverityLevel | undefined {
  return config.severities.find((s) => s.id === id);
}
