import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { commands } from '../commands/index.js';
import type { Deps } from './app/context.js';
import { deliver, deliveryGaveUp, runStep } from './app/escalation.js';
import { rearmEscalations } from './app/rearm.js';
import { loadConfig, parseEnv, type AppConfig, type Env } from './config.js';
import { translator } from './core/i18n/index.js';
import type { ChatPort, Clock, Logger } from './core/ports.js';
import { LocalTerminal } from './adapters/local/terminal.js';
import { LocalWorkspace } from './adapters/local/local-workspace.js';
import { RoutingChat } from './adapters/routing-chat.js';
import { startSlack } from './adapters/slack/index.js';
import { startDiscord } from './adapters/discord/index.js';
import { systemClock } from './infra/clock.js';
import { createLogger } from './infra/logger.js';
import { PostmortemFiles } from './infra/postmortem-files.js';
import { ensureRedis, maskUrl } from './infra/redis-server.js';
import { BullScheduler } from './scheduler/bullmq-scheduler.js';
import { startWorkers } from './scheduler/workers.js';
import { RedisOnCallStore } from './store/redis-oncall.js';
import { RedisOutbox } from './store/redis-outbox.js';
import { startRelay } from './app/relay.js';
import { RedisIncidentStore } from './store/redis-store.js';

/**
 * The only place that builds concrete things: config, Redis, the store, the queues, the logger
 * and the platform adapters, wired into the Deps every command receives.
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

interface Core {
  deps: Deps;
  scheduler: BullScheduler;
  log: Logger;
  close(): Promise<void>;
}

/** Redis (found or started), the store, the queues and their workers, around a given chat port. */
async function openCore(s: Settings, o: { chat: ChatPort; clock?: Clock; logFile?: string; print?: (line: string) => void; platform: string }): Promise<Core> {
  const { env, config } = s;
  const redisServer = await ensureRedis(env.REDIS_URL, { dataDir: join(env.DATA_DIR, 'redis'), ...(o.print ? { log: o.print } : {}) });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
  const log = createLogger({ level: env.LOG_LEVEL, ...(o.logFile ? { file: o.logFile } : {}) });
  redis.on('error', (err) => log.error({ redis: maskUrl(redisServer.url), err: err.message }, 'redis connection error'));
  const queuePrefix = `${env.KEY_PREFIX}{q}`;
  const scheduler = new BullScheduler({ connection: redisServer.url, prefix: queuePrefix, log });
  const deps: Deps = {
    store: new RedisIncidentStore(redis, env.KEY_PREFIX),
    chat: o.chat,
    clock: o.clock ?? systemClock,
    config,
    t: translator(config.locale),
    log: log.child({ platform: o.platform }),
    postmortems: new PostmortemFiles(config.postmortems.dir),
    scheduler,
    oncall: new RedisOnCallStore(redis, env.KEY_PREFIX),
    outbox: new RedisOutbox(redis, env.KEY_PREFIX),
    stepEffectsInBackground: true,
  };
  const workers = startWorkers({
    connection: redisServer.url,
    prefix: queuePrefix,
    log: deps.log,
    onStep: (ref) => runStep(deps, ref),
    deliver: (job) => deliver(deps, job),
    onGaveUp: (job, err) => deliveryGaveUp(deps, job, err),
  });
  // Effects that a crashed or restarted process left in the outbox go out first.
  const relay = startRelay(deps);
  const { armed, overdue } = await rearmEscalations(deps);
  log.info({ redis: maskUrl(redisServer.url), spawnedRedis: redisServer.spawned, armed, overdue }, 'core started');
  // The sweep again every minute: a timer whose queueing failed (Redis blip) is back within a minute.
  const sweep = setInterval(() => void rearmEscalations(deps).catch((err: Error) => log.error({ err: err.message }, 'escalation sweep failed')), 60_000);
  sweep.unref();
  return {
    deps,
    scheduler,
    log,
    async close() {
      clearInterval(sweep);
      await relay.stop();
      await workers.close(5_000);
      await scheduler.close();
      await redis.quit().catch(() => undefined);
      await redisServer.stop();
    },
  };
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
  const chat = new LocalWorkspace(o.print, o.config.channels.announce, Boolean(o.interactive && process.stdout.isTTY), { idFile: join(o.env.DATA_DIR, 'local-ids.json') });
  const logFile = o.env.LOG_FILE ?? join(o.env.DATA_DIR, 'bot.log');
  const core = await openCore(o, { chat, logFile, print: o.print, platform: 'local', ...(o.clock ? { clock: o.clock } : {}) });
  const terminal = new LocalTerminal(core.deps, chat, commands, o.print, { user: o.env.LOCAL_USER });
  o.print(terminal.banner());
  o.onReady?.(terminal, core.scheduler, chat);
  try {
    const prompt = o.interactive ? (s: { user: string; channel: string }) => process.stdout.write(`@${s.user} #${s.channel}> `) : undefined;
    await terminal.run(o.input, prompt);
    if (o.linger) await o.linger();
  } finally {
    await core.close();
  }
}

/** Runs Slack and/or Discord (whichever has credentials) until SIGINT or SIGTERM. */
export async function runPlatforms(s: Settings): Promise<void> {
  const chat = new RoutingChat();
  const core = await openCore(s, { chat, platform: 'bot', ...(s.env.LOG_FILE ? { logFile: s.env.LOG_FILE } : {}) });
  const stops: (() => Promise<void>)[] = [];
  try {
    if (s.env.SLACK_BOT_TOKEN) {
      const slack = await startSlack(core.deps, s.env);
      chat.register('slack', slack.chat);
      stops.push(slack.stop);
    }
    if (s.env.DISCORD_TOKEN) {
      const discord = await startDiscord(core.deps, s.env);
      chat.register('discord', discord.chat);
      stops.push(discord.stop);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    core.log.info({}, 'shutting down');
    for (const stop of stops.reverse()) await stop().catch((err: Error) => core.log.error({ err: err.message }, 'adapter stop failed'));
    await core.close();
  }
}

async function main(): Promise<void> {
  const settings = settingsOrExit();
  if (settings.env.SLACK_BOT_TOKEN || settings.env.DISCORD_TOKEN) return runPlatforms(settings);
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
