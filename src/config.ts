import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SeverityLevel } from './core/model.js';

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

const service = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _'),
  name: z.string().optional(),
  team: z.string().optional(),
});

/** Seed 004 appendix C. */
export const DEFAULT_SEVERITIES: SeverityLevel[] = [
  { id: 'P1', name: 'Critical', description: 'The whole service is down', responseMinutes: 15, updateEveryMinutes: 30 },
  { id: 'P2', name: 'High', description: 'A core feature is failing', responseMinutes: 30, updateEveryMinutes: 60 },
  { id: 'P3', name: 'Medium', description: 'Part of a feature is failing', responseMinutes: 120, updateEveryMinutes: 240 },
  { id: 'P4', name: 'Low', description: 'A minor issue', responseMinutes: 1440, updateEveryMinutes: 1440 },
];

export const configSchema = z
  .object({
    locale: z.enum(['en']).default('en'),
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
      })
      .default({ prefix: 'inc', announce: 'incidents' }),
    postmortems: z.object({ dir: z.string().min(1).default('.data/postmortems') }).default({ dir: '.data/postmortems' }),
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
    const services = c.services.map((s) => s.id);
    services.forEach((id, i) => {
      if (services.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service ${id}` });
    });
  });

export type AppConfig = z.infer<typeof configSchema>;

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
  INCIDENT_CONFIG: z.string().optional(),
  KEY_PREFIX: z.string().default('ic:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FILE: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  LOCAL_USER: z.string().regex(/^[a-z0-9._-]+$/i).default('you'),
});

export type Env = z.infer<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: Env } | { ok: false; problems: string[] } {
  const result = envSchema.safeParse(env);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

export function severityLevel(config: AppConfig, id: string): SeverityLevel | undefined {
  return config.severities.find((s) => s.id === id);
}
