import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import type { Deps } from '../src/app/context.js';
import { RoutingChat } from '../src/adapters/routing-chat.js';
import { startSlack, webClientOptions, type SlackAdapter } from '../src/adapters/slack/index.js';
import { boltLogger } from '../src/adapters/slack/bolt-logger.js';
import { parseEnv } from '../src/config.js';
import type { Logger } from '../src/core/ports.js';
import { BullScheduler } from '../src/scheduler/bullmq-scheduler.js';
import { FAKE_SECRET, FAKE_TOKEN } from '../test/fakes/fake-slack.js';
import { benchConfig, benchDeps, benchWorkers } from './lib/bot.js';
import { openFixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';

/**
 * The two Slack apps bench/slack-ack.ts compares, in one process, both talking to the FakeSlack
 * at `apiUrl` (bench/slack-load.ts, another process): the bot exactly as src/main.ts wires it
 * (RoutingChat, Redis store, BullMQ queues and workers, startSlack), and a bare Bolt app with
 * the same WebClient options whose listeners only ack.
 */

export interface SlackBench {
  bot: SlackAdapter;
  barePort: number;
  deps: Deps;
  log: CountingLogger;
  workspace: string;
  close(): Promise<void>;
}

export async function startSlackBench(redisUrl: string, apiUrl: string): Promise<SlackBench> {
  const fx = await openFixture(redisUrl, 'bench');
  const config = benchConfig(fx.pmDir);
  const env = parseEnv({ SLACK_BOT_TOKEN: FAKE_TOKEN, SLACK_SIGNING_SECRET: FAKE_SECRET, SLACK_API_URL: apiUrl, PORT: '0' });
  if (!env.ok) throw new Error('bench config is invalid');
  const log = new CountingLogger();
  const scheduler = new BullScheduler({ connection: fx.url, prefix: `${fx.prefix}{q}` });
  const chat = new RoutingChat();
  const deps = benchDeps({ redis: fx.redis, prefix: fx.prefix, config, chat, log, scheduler });
  const workers = benchWorkers(deps, fx.url, `${fx.prefix}{q}`);
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
      await fx.close();
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
