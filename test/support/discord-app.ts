import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { startDiscord, type DiscordStartOptions } from '../../src/adapters/discord/index.js';
import { parseEnv, type Env } from '../../src/config.js';
import type { IncidentEvent } from '../../src/core/events.js';
import type { ChatPort } from '../../src/core/ports.js';
import { ManualClock } from '../../src/infra/clock.js';
import { FakeDiscord, IDS, type FakeDiscordOptions } from '../fakes/fake-discord.js';
import { openTestCore, type TestCore } from './core.js';
import { testRedis, type TestRedis } from './redis.js';

/**
 * The bot wired as src/main.ts wires it for Discord (a RoutingChat with the adapter registered
 * under `discord`, real Redis, BullMQ queues and workers), with the real discord.js client
 * connected to a FakeDiscord. The clock is the test's: `advance` moves it and runs the escalation
 * steps that fell due; the fake stamps messages with the same clock.
 */
export interface DiscordTestApp extends TestCore {
  fake: FakeDiscord;
  clock: ManualClock;
  workspace: string;
  env: Env;
  /** The test's Redis (its key prefix, for the dashboard's sessions). */
  redis: TestRedis;
  events(number?: number): Promise<IncidentEvent[]>;
  /** Stops the adapter and starts a new one (a new discord.js client) on the same Redis and fake. */
  restart(): Promise<void>;
  /** Stops everything; closing twice is a no-op. */
  close(): Promise<void>;
}

export interface DiscordTestOptions {
  fake?: FakeDiscordOptions;
  start?: Date;
  adapter?: DiscordStartOptions;
}

export async function discordTestApp(configDoc: object = {}, o: DiscordTestOptions = {}): Promise<DiscordTestApp> {
  const redis = await testRedis();
  const clock = new ManualClock(o.start ?? new Date('2025-12-26T00:00:00Z'));
  const fake = await FakeDiscord.start({ now: () => clock.now(), ...o.fake });
  const chat = new RoutingChat();
  const core = await openTestCore({ redis, configDoc, clock, chat, postmortemPrefix: 'pm-discord-' });
  const env = envFor(fake);
  const workspace = `discord:${IDS.guild}`;
  let adapter: { chat: ChatPort; stop(): Promise<void> } | null = null;
  let closed = false;
  const startAdapter = async () => {
    adapter = await startDiscord(core.deps, env, o.adapter);
    chat.register('discord', adapter.chat);
  };
  try {
    await startAdapter();
  } catch (err) {
    await core.close();
    await fake.close();
    await redis.cleanup();
    throw err;
  }
  return {
    fake,
    deps: core.deps,
    clock,
    log: core.log,
    scheduler: core.scheduler,
    workspace,
    env,
    redis,
    postmortemDir: core.postmortemDir,
    settle: core.settle,
    advance: core.advance,
    events: (number = 1) => core.deps.store.events({ workspace, number }),
    async restart() {
      await adapter?.stop();
      await startAdapter();
    },
    async close() {
      // Idempotent: a test file's afterEach may meet an app an earlier test already closed.
      if (closed) return;
      closed = true;
      await adapter?.stop();
      await core.close();
      await fake.close();
      await redis.cleanup();
    },
  };
}

/** The environment `npm start` would have with Discord credentials, pointed at the fake. */
export function envFor(fake: FakeDiscord): Env {
  const env = parseEnv({ DISCORD_TOKEN: 'test-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: fake.apiUrl });
  if (!env.ok) throw new Error(env.problems.join('; '));
  return env.env;
}
