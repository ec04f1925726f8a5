import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertSecret, AlertSourceConfig } from '../core/alerts/config.js';
import type { AppConfig } from '../config.js';

/**
 * The local workspace's built-in alert source, so `npm run alert -- firing` pages someone on a
 * fresh clone with no config: an Alertmanager source for the `local` workspace, its bearer token
 * random per data directory, kept in `${DATA_DIR}/alert-token` (mode 0600) where the alert
 * script finds it. Only added when the config has no source of its own for `local`.
 */

export const LOCAL_SOURCE_ID = 'local';
export const ALERT_TOKEN_FILE = 'alert-token';

export function localAlertSource(): AlertSourceConfig {
  return {
    id: LOCAL_SOURCE_ID,
    kind: 'alertmanager',
    workspace: 'local',
    // Never read: the token comes from the file. The name says where to look.
    auth: { type: 'bearer', tokenEnv: 'LOCAL_ALERT_TOKEN_FILE' },
    limitPerMinute: 120,
    routes: [],
  };
}

/** The token of `${dataDir}/alert-token`, created (once, 0600) when missing. */
export function localAlertToken(dataDir: string): string {
  const file = join(dataDir, ALERT_TOKEN_FILE);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  } catch (err) {
    // Another bot on the same data directory wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/**
 * The config and secrets with the built-in source added, when the local workspace runs and no
 * configured source opens incidents there; unchanged otherwise.
 */
export function withLocalSource(config: AppConfig, secrets: Map<string, AlertSecret>, dataDir: string): { config: AppConfig; secrets: Map<string, AlertSecret>; added: boolean } {
  if (config.alertSources.some((s) => s.workspace === 'local' || s.id === LOCAL_SOURCE_ID)) return { config, secrets, added: false };
  const all = new Map(secrets).set(LOCAL_SOURCE_ID, { type: 'bearer', token: localAlertToken(dataDir) });
  return { config: { ...config, alertSources: [...config.alertSources, localAlertSource()] }, secrets: all, added: true };
}

/** The banner line that says where the HTTP server listens, and how to send the built-in source an alert. */
export function httpBanner(http: { url: string }, sources: readonly AlertSourceConfig[], builtIn: boolean): string {
  const paths = 'health /livez and /readyz, metrics /metrics';
  if (builtIn) return `Alerts are accepted on ${http.url}/alerts/${LOCAL_SOURCE_ID} (try: npm run alert -- firing); ${paths}.`;
  const alerts = sources.map((s) => `${http.url}/alerts/${s.id}`).join(', ');
  return `HTTP on ${http.url}: ${alerts ? `alerts on ${alerts}; ` : ''}${paths}.`;
}
