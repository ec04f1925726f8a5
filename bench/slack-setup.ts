import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { Redis } from 'ioredis';
import type { Deps } from '../src/app/context.js';
import { deliver, runStep } from '../src/app/escalation.js';
import { RoutingChat } from '../src/adapters/routing-chat.js';
import { startSlack, webClientOptions, type SlackAdapter } from '../src/adapters/slack/index.js';
import { boltLogger } from '../src/adapters/slack/bolt-logger.js';
import { parseConfig, parseEnv } from '../src/config.js';
import { translator } from '../src/core/i18n/index.js';
import type { Logger } from '../src/core/ports.js';
import { systemClock } from '../src/infra/clock.js';
import { PostmortemFiles } from '../src/infra/postmortem-files.js';
import { ensureRedis } from '../src/infra/redis-server.js';
import { BullScheduler } from '../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../src/scheduler/workers.js';
import { RedisOnCallStore } from '../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';
import { FAKE_SECRET, FAKE_TOKEN } from '../test/fakes/fake-slack.js';

/**
 * The two Slack apps bench/slack-ack.ts compares, in one process, both talking to the FakeSlack
 * at `apiUrl` (bench/slack-load.ts, another process): the bot exactly as src/main.ts wires it
 * (RoutingChat, Redis store, BullMQ queues and workers, startSlack), and a bare Bolt app with
 * the same WebClient options whose listeners only ack.
 */

/** Counts what the bot logs at warn and error (a bench must notice a failing bot), keeps a few. */
export class CountingLogger implements Logger {
  warnings = 0;
  errorCount = 0;
  readonly errors: string[] = [];
  info(): void {}
  warn(): void {
    this.warnings++;
  }
  error(data: object, msg: string): void {
    if (++this.errorCount <= 5) this.errors.push(`${msg} ${JSON.stringify(data).slice(0, 200)}`);
  }
  child(): Logger {
    return this;
  }
}

export interface SlackBench {
  bot: SlackAdapter;
  barePort: number;
  deps: Deps;
  log: CountingLogger;
  workspace: string;
  close(): Promise<void>;
}

export async function startSlackBench(redisUrl: string, apiUrl: string): Promise<SlackBench> {
  const redisServer = await ensureRedis(redisUrl, { dataDir: join(tmpdir(), 'incident-bench'), ephemeral: true });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
  const prefix = `bench:${Date.now()}:${process.pid}:`;
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-pm-'));
  const config = parseConfig({ postmortems: { dir: pmDir } });
  const env = parseEnv({ SLACK_BOT_TOKEN: FAKE_TOKEN, SLACK_SIGNING_SECRET: FAKE_SECRET, SLACK_API_URL: apiUrl, PORT: '0' });
  if (!config.ok || !env.ok) throw new Error('bench config is invalid');
  const log = new CountingLogger();
  const scheduler = new BullScheduler({ connection: redisServer.url, prefix: `${prefix}{q}` });
  const chat = new RoutingChat();
  const deps: Deps = {
    store: new RedisIncidentStore(redis, prefix),
    oncall: new RedisOnCallStore(redis, prefix),
    chat,
    clock: systemClock,
    config: config.config,
    t: translator(config.config.locale),
    log,
    postmortems: new PostmortemFiles(pmDir),
    scheduler,
  };
  const workers = startWorkers({ connection: redisServer.url, prefix: `${prefix}{q}`, log, onStep: (r) => runStep(deps, r), deliver: (j) => deliver(deps, j) });
  const bot = await startSlack(deps, env.env, { port: 0 });
  chat.register('slack', bot.chat);
  const bare = await startBareBolt(apiUrl, log);
  return {
    bot,
    barePort: bare.port,
    deps,
    log,
    workspace: 'slack:T0TEST',
    async close() {
      await bot.stop();
      await bare.stop();
      await workers.close(5_000);
      await scheduler.close();
      await deleteKeys(redis, prefix);
      await redis.quit();
      await redisServer.stop();
      await rm(pmDir, { recursive: true, force: true });
    },
  };
}

/** Bolt with its own HTTPReceiver and nothing else: the floor any Bolt app pays per request. */
async function startBareBolt(apiUrl: string, log: Logger): Promise<{ port: number; stop(): Promise<void> }> {
  const logger = boltLogger(log);
  const app = new App({
    token: FAKE_TOKEN,
    signingSecret: FAKE_SECRET,
    logger,
    logLevel: LogLevel.ERROR,
    clientOptions: webClientOptions({ SLACK_API_URL: apiUrl }, logger),
    deferInitialization: true,
    convoStore: false,
  });
  await app.init();
  app.command('/incident', async ({ ack }) => ack());
  app.event('message', async () => undefined);
  const server = (await app.start(0)) as Server;
  return { port: (server.address() as AddressInfo).port, stop: () => app.stop() as Promise<void> };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.unlink(...keys);
  }
}
