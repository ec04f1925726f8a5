import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertSecret, AlertSourceConfig } from './config.js';

/**
 * Who may post alerts. Every comparison of a secret is constant-time over SHA-256 digests of both
 * sides, so neither the content nor the length of a secret leaks through timing. Reasons are
 * short, for logs, and never contain what was sent or what was expected.
 */

/** Node's request headers: names lower-cased. */
export type Headers = Record<string, string | string[] | undefined>;

export type CheckResult = { ok: true } | { ok: false; reason: string };

/** How far a signed timestamp may be from our clock, either way. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

function digest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Whether two secrets are equal, in time that depends on neither. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** One header's value; a header sent several times counts as not sent (which one would we trust?). */
function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/** The credentials of `Authorization: <scheme> <credentials>`, the scheme compared case-insensitively. */
function credentials(headers: Headers, scheme: string): string | undefined {
  const value = header(headers, 'authorization');
  if (!value) return undefined;
  const match = /^(\S+)\s+(.+)$/.exec(value.trim());
  if (!match || match[1]!.toLowerCase() !== scheme) return undefined;
  return match[2]!.trim();
}

/**
 * Whether a request proves it comes from the source. `routingKey` sources prove it in the body
 * (checkRoutingKey, once the body is parsed), so their headers are not checked here.
 */
export function checkRequest(secret: AlertSecret, req: { headers: Headers; rawBody: Buffer }, nowMs: number): CheckResult {
  switch (secret.type) {
    case 'bearer': {
      const token = credentials(req.headers, 'bearer');
      if (token === undefined) return { ok: false, reason: 'no bearer token' };
      return sameSecret(token, secret.token) ? { ok: true } : { ok: false, reason: 'wrong bearer token' };
    }
    case 'basic': {
      const encoded = credentials(req.headers, 'basic');
      if (encoded === undefined) return { ok: false, reason: 'no basic credentials' };
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      return sameSecret(decoded, `${secret.username}:${secret.password}`) ? { ok: true } : { ok: false, reason: 'wrong basic credentials' };
    }
    case 'hmac':
      return checkSignature(secret, req, nowMs);
    case 'routingKey':
      return { ok: true };
  }
}

/**
 * Grafana's webhook signature (grafana/alerting, http/hmac.go, HMACRoundTripper.sign):
 *
 *   signature = hex(HMAC-SHA256(secret, body))                       without a timestamp header
 *   signature = hex(HMAC-SHA256(secret, timestamp + ":" + body))     with one
 *
 * where `timestamp` is Unix seconds, sent in the configured timestamp header, and the hex is
 * lower-case with no `sha256=` prefix. Grafana's default signature header is
 * X-Grafana-Alerting-Signature; the timestamp header has no default (it is off unless named).
 * Without a configured header, that one or X-Grafana-Alert-Signature is read.
 */
export const DEFAULT_SIGNATURE_HEADERS = ['X-Grafana-Alerting-Signature', 'X-Grafana-Alert-Signature'];

function checkSignature(secret: Extract<AlertSecret, { type: 'hmac' }>, req: { headers: Headers; rawBody: Buffer }, nowMs: number): CheckResult {
  const names = secret.header ? [secret.header] : DEFAULT_SIGNATURE_HEADERS;
  const signature = names.map((name) => header(req.headers, name)).find((v) => v !== undefined)?.trim().toLowerCase();
  if (!signature) return { ok: false, reason: 'no signature' };
  const mac = createHmac('sha256', secret.secret);
  if (secret.timestampHeader) {
    const timestamp = header(req.headers, secret.timestampHeader)?.trim();
    if (!timestamp) return { ok: false, reason: 'no signature timestamp' };
    if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad signature timestamp' };
    if (Math.abs(nowMs - Number(timestamp) * 1000) > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'signature timestamp outside the 5-minute window' };
    mac.update(`${timestamp}:`);
  }
  mac.update(req.rawBody);
  return sameSecret(signature, mac.digest('hex')) ? { ok: true } : { ok: false, reason: 'wrong signature' };
}

/** The body's routing_key against the source's: true unless the source has one and it differs (or is missing). */
export function checkRoutingKey(secret: AlertSecret, routingKey: string | undefined): boolean {
  if (secret.type !== 'routingKey') return true;
  return routingKey !== undefined && sameSecret(routingKey, secret.key);
}

/** The environment variable each auth type names, and the field that names it. */
function secretEnvField(auth: AlertSourceConfig['auth']): { field: string; name: string } {
  switch (auth.type) {
    case 'bearer':
      return { field: 'tokenEnv', name: auth.tokenEnv };
    case 'basic':
      return { field: 'passwordEnv', name: auth.passwordEnv };
    case 'hmac':
      return { field: 'secretEnv', name: auth.secretEnv };
    case 'routingKey':
      return { field: 'keyEnv', name: auth.keyEnv };
  }
}

/**
 * Every source's secret read from the environment, by source id; or every missing one, as
 * `alertSources.0.auth.tokenEnv: ALERTS_TOKEN is not set`. An empty variable counts as not set:
 * an empty token would let an empty Authorization header in.
 */
export function resolveAlertSecrets(sources: readonly AlertSourceConfig[], env: NodeJS.ProcessEnv): { ok: true; secrets: Map<string, AlertSecret> } | { ok: false; problems: string[] } {
  const secrets = new Map<string, AlertSecret>();
  const problems: string[] = [];
  sources.forEach((source, i) => {
    const { field, name } = secretEnvField(source.auth);
    const value = env[name];
    if (value === undefined || value === '') {
      problems.push(`alertSources.${i}.auth.${field}: ${name} is not set`);
      return;
    }
    secrets.set(source.id, secretOf(source.auth, value));
  });
  return problems.length ? { ok: false, problems } : { ok: true, secrets };
}

function secretOf(auth: AlertSourceConfig['auth'], value: string): AlertSecret {
  switch (auth.type) {
    case 'bearer':
      return { type: 'bearer', token: value };
    case 'basic':
      return { type: 'basic', username: auth.username, password: value };
    case 'hmac':
      return { type: 'hmac', secret: value, ...(auth.header ? { header: auth.header } : {}), ...(auth.timestampHeader ? { timestampHeader: auth.timestampHeader } : {}) };
    case 'routingKey':
      return { type: 'routingKey', key: value };
  }
}
