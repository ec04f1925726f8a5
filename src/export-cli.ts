import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { incidentExport, parseIncidentReference, workspaceCandidates } from './core/incident-export.js';
import { incidentRef, type Incident } from './core/model.js';
import { translator, type Translate } from './core/i18n/index.js';
import { ping } from './infra/redis-server.js';
import { loadConfig, parseEnv, type AppConfig, type Env } from './config.js';
import { RedisIncidentStore } from './store/redis-store.js';

/**
 * `npm run export -- INC-7 [--workspace id] [--out file]` (`npm run export:prod --` on the
 * compiled dist/, where tsx is not installed): the postmortem of one incident as JSON
 * (the incident, its events, the figures the draft shows; src/core/incident-export.ts), on
 * stdout or into a file. Reads the bot's Redis as the bot does (REDIS_URL, KEY_PREFIX) and
 * writes nothing there. Any problem is one line on stderr and exit code 1.
 */

class ExitError extends Error {}

async function main(): Promise<void> {
  const { env, config } = settings();
  const t = translator(config.locale);
  const { number, workspace, out } = options(t);
  if (!(await ping(env.REDIS_URL))) throw new ExitError(t('cli.export_redis_down', { url: withoutCredentials(env.REDIS_URL) }));
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const store = new RedisIncidentStore(redis, env.KEY_PREFIX);
    const incident = await found(store, workspace, number);
    if (!incident) throw new ExitError(t('error.incident_not_found', { ref: incidentRef(number) }));
    const events = await store.events(incident);
    const json = `${JSON.stringify(incidentExport(incident, events), null, 2)}\n`;
    if (!out) {
      // Waited for: exiting with a large export still in a pipe's buffer would cut it short.
      await new Promise<void>((resolve, reject) => process.stdout.write(json, (err) => (err ? reject(err) : resolve())));
      return;
    }
    await writeFile(out, json, 'utf8');
    process.stderr.write(`${t('cli.export_written', { ref: incident.ref, events: events.length, path: out })}\n`);
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

/** The incident in the workspace named (as stored, or a bare Slack team / Discord guild id). */
async function found(store: RedisIncidentStore, workspace: string, number: number): Promise<Incident | null> {
  for (const candidate of workspaceCandidates(workspace)) {
    const incident = await store.get({ workspace: candidate, number });
    if (incident) return incident;
  }
  return null;
}

/**
 * The environment and the config as the bot reads them (src/main.ts settingsOrExit, without the
 * alert sources' secrets, which an export does not need and without loading the whole bot).
 */
function settings(): { env: Env; config: AppConfig } {
  const env = parseEnv(process.env);
  if (!env.ok) throw new ExitError(['Environment problems:', ...env.problems.map((p) => `  - ${p}`)].join('\n'));
  const config = loadConfig(env.env.INCIDENT_CONFIG);
  if (!config.ok) throw new ExitError([`Config problems in ${env.env.INCIDENT_CONFIG}:`, ...config.problems.map((p) => `  - ${p}`)].join('\n'));
  return { env: env.env, config: config.config };
}

function options(t: Translate): { number: number; workspace: string; out?: string } {
  const usage = t('cli.export_usage');
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    throw new ExitError(t('cli.export_bad_option', { problem: (err as Error).message.replace(/\.$/, ''), usage }));
  }
  const [reference, ...extra] = parsed.positionals;
  if (!reference) throw new ExitError(t('cli.export_missing', { usage }));
  const number = parseIncidentReference(reference);
  if (number === undefined || extra.length) throw new ExitError(t('cli.export_bad_reference', { value: extra.length ? parsed.positionals.join(' ') : reference, usage }));
  const workspace = parsed.values.workspace?.trim() || 'local';
  return { number, workspace, ...(parsed.values.out ? { out: parsed.values.out } : {}) };
}

function parse() {
  return parseArgs({ allowPositionals: true, options: { workspace: { type: 'string', default: 'local' }, out: { type: 'string' } } });
}

/** The URL as an error may show it: a password in it stays out of the terminal and its scrollback. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(REDIS_URL)';
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ExitError ? err.message : `export failed: ${(err as Error).message}`}\n`);
    process.exit(1);
  },
);
