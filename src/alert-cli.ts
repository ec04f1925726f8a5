import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atStatus, latencyAlertPayload } from './core/alerts/sample.js';

/**
 * `npm run alert -- firing|resolved [sample]`: posts an Alertmanager delivery to the running bot,
 * as Alertmanager would, so a newcomer sees an alert page arrive. The default sample is seed
 * 003's latency alert (built in, src/core/alerts/sample.ts); `sample` is a file path or the name
 * of a payload in test/fixtures/alerts (a checkout's, so a development tool). Its alerts fire
 * from now, or resolve now.
 *
 * Environment: PORT (3000), ALERT_SOURCE (local), ALERTS_TOKEN, else the token the local
 * workspace writes to ${DATA_DIR:-.data}/alert-token.
 */

const USAGE = 'usage: npm run alert -- firing|resolved [sample]';
const FIXTURES = fileURLToPath(new URL('../test/fixtures/alerts/', import.meta.url));

const [mode, sampleName] = process.argv.slice(2);
if (mode !== 'firing' && mode !== 'resolved') exit(USAGE, 2);

const port = process.env.PORT || '3000';
const sourceId = process.env.ALERT_SOURCE || 'local';
const url = `http://127.0.0.1:${port}/alerts/${encodeURIComponent(sourceId)}`;
const body = JSON.stringify(atStatus(loadSample(sampleName), mode, new Date()));
const token = alertToken();

let response: Response;
try {
  response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'incident-command alert-cli', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
} catch (err) {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') exit(`nothing answers at ${url}: is the bot running? start it with npm start`, 1);
  exit(`could not post to ${url}: ${code ?? (err as Error).message}`, 1);
}
const answer = (await response.text()).trim();
console.log(`${mode} → ${url}: HTTP ${response.status} ${answer}`);
if (response.status === 401) console.error(token ? 'the token was refused: is ALERTS_TOKEN the one the bot was started with?' : 'no token: set ALERTS_TOKEN, or start the bot in the local workspace once (it writes .data/alert-token)');
if (response.status === 404) console.error(`no alert source "${sourceId}": set ALERT_SOURCE to the id of one in the config's alertSources`);
process.exit(response.ok ? 0 : 1);

function loadSample(name: string | undefined): unknown {
  if (!name) return latencyAlertPayload('firing');
  const candidates = [name, join(FIXTURES, name), join(FIXTURES, `${name}.json`)];
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    const known = existsSync(FIXTURES) ? readdirSync(FIXTURES).map((f) => f.replace(/\.json$/, '')).join(', ') : '(none: test/fixtures is not here)';
    exit(`no sample "${name}": give a file path, or one of ${known}`, 2);
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    exit(`${path} is not JSON: ${(err as Error).message}`, 2);
  }
}

function alertToken(): string | undefined {
  if (process.env.ALERTS_TOKEN) return process.env.ALERTS_TOKEN;
  const file = join(process.env.DATA_DIR || '.data', 'alert-token');
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function exit(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
