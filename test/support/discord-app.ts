import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { deliver, runStep } from '../../src/app/escalation.js';
import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { startDiscord, type DiscordStartOptions } from '../../src/adapters/discord/index.js';
import { parseConfig, parseEnv, type Env } from '../../src/config.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import type { ChatPort } from '../../src/core/ports.js';
import { ManualClock } from '../../src/infra/clock.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../../src/scheduler/workers.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { FakeDiscord, IDS, type FakeDiscordOptions } from '../fakes/fake-discord.js';
import { MemoryLogger } from './app.js';
import { testRedis, type TestRedis } from './redis.js';

/**
 * The bot wired as src/main.ts wires it for Discord (a RoutingChat with the adapter registered
 * under `discord`, real Redis, BullMQ queues and workers), with the real discord.js client
 * connected to a FakeDiscord. The clock is the test's: `advance` moves it and runs the escalation
 * steps that fell due; the fake stamps messages with the same clock.
 */
export interface DiscordTestApp {
  fake: FakeDiscord;
  deps: Deps;
  clock: ManualClock;
  log: MemoryLogger;
  scheduler: BullScheduler;
  workspace: string;
  env: Env;
  postmortemDir: string;
  /** Waits until no step or message job is waiting or running. */
  settle(): Promise<void>;
  /** Moves the clock, runs the escalation steps that fell due, and waits for what they caused. */
  advance(ms: number): Promise<void>;
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

interface Core {
  deps: Deps;
  chat: RoutingChat;
  scheduler: BullScheduler;
  log: MemoryLogger;
  postmortemDir: string;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Deps as src/main.ts builds them (RoutingChat, Redis stores, BullMQ queues and workers), on a test key prefix. */
async function openCore(redis: TestRedis, configDoc: object, clock: ManualClock): Promise<Core> {
  const parsed = parseConfig(configDoc);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const postmortemDir = await mkdtemp(join(tmpdir(), 'pm-discord-'));
  const log = new MemoryLogger();
  const url = inject('redisUrl');
  const queuePrefix = `${redis.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix });
  const chat = new RoutingChat();
  const deps: Deps = {
    scheduler,
    oncall: new RedisOnCallStore(redis.redis, redis.prefix),
    store: new RedisIncidentStore(redis.redis, redis.prefix),
    chat,
    clock,
    config: { ...parsed.config, postmortems: { dir: postmortemDir } },
    t: translator(parsed.config.locale),
    log,
    postmortems: new PostmortemFiles(postmortemDir),
  };
  const onStep = (ref: Parameters<typeof runStep>[1]) => runStep(deps, ref);
  const workers = startWorkers({ connection: url, prefix: queuePrefix, log, onStep, deliver: (job) => deliver(deps, job), backoff: { baseMs: 20, capMs: 200 } });
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection: { url }, prefix: queuePrefix }));
  return {
    deps,
    chat,
    scheduler,
    log,
    postmortemDir,
    settle: () => settleQueues(queues),
    async close() {
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
      await scheduler.close();
      await rm(postmortemDir, { recursive: true, force: true });
    },
  };
}

export async function discordTestApp(configDoc: object = {}, o: DiscordTestOptions = {}): Promise<DiscordTestApp> {
  const redis = await testRedis();
  const clock = new ManualClock(o.start ?? new Date('2025-12-26T00:00:00Z'));
  const fake = await FakeDiscord.start({ now: () => clock.now(), ...o.fake });
  const core = await openCore(redis, configDoc, clock);
  const env = envFor(fake);
  const workspace = `discord:${IDS.guild}`;
  let adapter: { chat: ChatPort; stop(): Promise<void> } | null = null;
  let closed = false;
  const startAdapter = async () => {
    adapter = await startDiscord(core.deps, env, o.adapter);
    core.chat.register('discord', adapter.chat);
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
    postmortemDir: core.postmortemDir,
    settle: core.settle,
    async advance(ms) {
      clock.advance(ms);
      await core.scheduler.promoteDue(clock.now());
      await core.settle();
    },
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

async function settleQueues(queues: Queue[]): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 15));
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
    const busy = counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0);
    quiet = busy ? 0 : quiet + 1;
  }
}
