import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import type { Deps } from './app/context.js';
import { loadConfig, parseEnv, type AppConfig, type Env } from './config.js';
import { translator } from './core/i18n/index.js';
import type { Clock } from './core/ports.js';
import { LocalTerminal } from './adapters/local/terminal.js';
import { LocalWorkspace } from './adapters/local/local-workspace.js';
import { systemClock } from './infra/clock.js';
import { createLogger } from './infra/logger.js';
import { PostmortemFiles } from './infra/postmortem-files.js';
import { ensureRedis, maskUrl } from './infra/redis-server.js';
import { RedisIncidentStore } from './store/redis-store.js';
import { RedisOnCallStore } from './store/redis-oncall.js';
import { BullScheduler } from './scheduler/bullmq-scheduler.js';
import { startWorkers } from './scheduler/workers.js';
import { deliver, runStep } from './app/escalation.js';
import { rearmEscalations } from './app/rearm.js';

/**
 * The only place that builds concrete things: config, Redis, the store, the logger and the
 * platform adapter, wired into the Deps every command receives.
 */

export interface Settings {
  env: Env;
  config: AppConfig;
}

/** Reads env and config; on any problem prints every one of them and exits. */
export function settingsOrExit(processEnv: NodeJS.ProcessEnv = process.env): Settings {
  const env = parseEnv(processEnv);
  if (!env.ok) exitWith('Environment problems:', env.problems);
  const config = loadConfig(env.env.INCIDENT_CONFIG);
  if (!config.ok) exitWith(`Config problems in ${env.env.INCIDENT_CONFIG}:`, config.problems);
  return { env: env.env, config: config.config };
}

function exitWith(title: string, problems: string[]): never {
  process.stderr.write(`${title}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}

export interface LocalOptions extends Settings {
  input: Readable;
  print: (line: string) => void;
  clock?: Clock;
  /** Shows a prompt before each line when a person is typing. */
  interactive?: boolean;
  onReady?: (terminal: LocalTerminal, scheduler: BullScheduler, chat: LocalWorkspace) => void;
  /** Awaited after the input ends, before shutting down: lets queued pages go out. */
  linger?: () => Promise<void>;
}

/** Runs the local terminal workspace until its input ends or someone types /quit. */
export async function runLocal(o: LocalOptions): Promise<void> {
  const { env, config } = o;
  const redisServer = await ensureRedis(env.REDIS_URL, { dataDir: join(env.DATA_DIR, 'redis'), log: (l) => o.print(l) });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3, lazyConnect: false });
  const log = createLogger({ level: env.LOG_LEVEL, file: env.LOG_FILE ?? join(env.DATA_DIR, 'bot.log') });
  redis.on('error', (err) => log.error({ err: err.message }, 'redis connection error'));
  const t = translator(config.locale);
  const chat = new LocalWorkspace(o.print, config.channels.announce, Boolean(o.interactive && process.stdout.isTTY));
  const queuePrefix = `${env.KEY_PREFIX}{q}`;
  const scheduler = new BullScheduler({ connection: redisServer.url, prefix: queuePrefix });
  const deps: Deps = {
    store: new RedisIncidentStore(redis, env.KEY_PREFIX),
    chat,
    clock: o.clock ?? systemClock,
    config,
    t,
    log: log.child({ platform: 'local' }),
    postmortems: new PostmortemFiles(config.postmortems.dir),
    scheduler,
    oncall: new RedisOnCallStore(redis, env.KEY_PREFIX),
  };
  const workers = startWorkers({
    connection: redisServer.url,
    prefix: queuePrefix,
    log: deps.log,
    onStep: (ref) => runStep(deps, ref),
    deliver: (job) => deliver(deps, job),
  });
  const armed = await rearmEscalations(deps);
  const terminal = new LocalTerminal(deps, chat, commands, o.print, { user: env.LOCAL_USER });
  log.info({ redis: maskUrl(redisServer.url), spawnedRedis: redisServer.spawned, armed }, 'local workspace started');
  o.print(terminal.banner());
  o.onReady?.(terminal, scheduler, chat);
  try {
    const prompt = o.interactive ? (s: { user: string; channel: string }) => process.stdout.write(`@${s.user} #${s.channel}> `) : undefined;
    await terminal.run(o.input, prompt);
    if (o.linger) await o.linger();
  } finally {
    await workers.close(5_000);
    await scheduler.close();
    await redis.quit().catch(() => undefined);
    await redisServer.stop();
  }
}

async function main(): Promise<void> {
  const settings = settingsOrExit();
  await runLocal({ ...settings, input: process.stdin, print: (line) => console.log(line), interactive: process.stdin.isTTY });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
