import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { renderText } from './adapters/local/render.js';
import { policyDryRun } from './app/policy-dry-run.js';
import { IncidentError } from './core/errors.js';
import { translator } from './core/i18n/index.js';
import type { CoverOverride } from './core/ports.js';
import { parseWhen } from './core/when.js';
import { ping } from './infra/redis-server.js';
import { settingsOrExit } from './main.js';
import { RedisOnCallStore } from './store/redis-oncall.js';

/**
 * `npm run policy -- [policy|severity] [--service name] [--at time] [--workspace id]`: the dry
 * run of `/incident policy` for people editing the config. Covers given with `/incident cover`
 * are included when Redis answers; without it the config alone is used, and it says so.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { service: { type: 'string' }, at: { type: 'string' }, workspace: { type: 'string', default: 'local' } },
});
const { env, config } = settingsOrExit();
const t = translator(config.locale);
const now = new Date();
const start = values.at ? parseWhen(values.at, config.timeZone, now) : now;
if (!start) exit(t('error.bad_time', { value: values.at }));

let covers: Record<string, CoverOverride[]> = {};
if (await ping(env.REDIS_URL)) {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  covers = await new RedisOnCallStore(redis, env.KEY_PREFIX).overrides(values.workspace ?? 'local', now);
  await redis.quit();
} else {
  console.log('(Redis is not answering: covers from /incident cover are not included)');
}
try {
  const text = policyDryRun(config, t, { name: positionals[0] ?? config.defaultSeverity, ...(values.service ? { service: values.service } : {}), start: start!, covers });
  console.log(renderText(text, { color: false, channelName: (id) => id }));
} catch (err) {
  if (err instanceof IncidentError) exit(t(`error.${err.code}`, err.details));
  throw err;
}

function exit(message: string): never {
  console.error(message);
  process.exit(1);
}
