import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { deliver, runStep } from '../../src/app/escalation.js';
import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { startSlack, type SlackAdapter, type SlackOptions } from '../../src/adapters/slack/index.js';
import { parseConfig, parseEnv } from '../../src/config.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import { ManualClock } from '../../src/infra/clock.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../../src/scheduler/workers.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { FAKE_SECRET, FAKE_TOKEN, FakeSlack } from '../fakes/fake-slack.js';
import type { SlackSender } from '../fakes/slack-sender.js';
import { MemoryLogger } from './app.js';
import { testRedis } from './redis.js';

/**
 * The bot as src/main.ts wires it for Slack (RoutingChat, real Redis store, BullMQ queues and
 * workers, the real Bolt app from startSlack) against FakeSlack. The clock is the test's:
 * `advance` moves it and promotes the escalation steps that fell due.
 */

export const PEOPLE = { carol: 'UCAROL', alice: 'UALICE', bob: 'UBOB', dave: 'UDAVE', erin: 'UERIN' } as const;

export interface SlackTestApp {
  fake: FakeSlack;
  slack: SlackAdapter;
  send: SlackSender;
  deps: Deps;
  clock: ManualClock;
  log: MemoryLogger;
  scheduler: BullScheduler;
  /** `slack:<team id>`: the workspace id incidents are stored under. */
  workspace: string;
  /** Waits until the adapter's post-ack work and the queues are quiet. */
  settle(): Promise<void>;
  /** Moves the clock, runs the escalation steps that fell due, and waits for what they caused. */
  advance(ms: number): Promise<void>;
  events(number?: number): Promise<IncidentEvent[]>;
  close(): Promise<void>;
}

export async function slackTestApp(configDoc: object = {}, options: SlackOptions = {}): Promise<SlackTestApp> {
  const fake = await FakeSlack.start();
  for (const [name, id] of Object.entries(PEOPLE)) fake.workspace.addUser(id, name, `${name[0]?.toUpperCase()}${name.slice(1)} Example`);
  fake.workspace.addChannel('general', { botIsMember: true });
  fake.workspace.addChannel('incidents');
  const redis = await testRedis();
  const parsed = parseConfig(configDoc);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const env = parseEnv({ SLACK_BOT_TOKEN: FAKE_TOKEN, SLACK_SIGNING_SECRET: FAKE_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0' });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const postmortemDir = await mkdtemp(join(tmpdir(), 'pm-slack-'));
  const url = inject('redisUrl');
  const queuePrefix = `${redis.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix });
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const log = new MemoryLogger();
  const chat = new RoutingChat();
  const deps: Deps = {
    store: new RedisIncidentStore(redis.redis, redis.prefix),
    oncall: new RedisOnCallStore(redis.redis, redis.prefix),
    chat,
    clock,
    config: { ...parsed.config, postmortems: { dir: postmortemDir } },
    t: translator(parsed.config.locale),
    log,
    postmortems: new PostmortemFiles(postmortemDir),
    scheduler,
  };
  const workers = startWorkers({
    connection: url,
    prefix: queuePrefix,
    log,
    onStep: (ref) => runStep(deps, ref),
    deliver: (job) => deliver(deps, job),
    backoff: { baseMs: 20, capMs: 200 },
  });
  const slack = await startSlack(deps, env.env, { port: 0, ...options });
  chat.register('slack', slack.chat);
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection: { url }, prefix: queuePrefix }));

  async function settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((r) => setTimeout(r, 15));
      const idle = await slack.idle(5_000);
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
      const busy = !idle || counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  }

  return {
    fake,
    slack,
    send: fake.sender(`http://127.0.0.1:${slack.port}/slack/events`),
    deps,
    clock,
    log,
    scheduler,
    workspace: `slack:${fake.workspace.teamId}`,
    settle,
    async advance(ms) {
      clock.advance(ms);
      await scheduler.promoteDue(clock.now());
      await settle();
    },
    events: (number = 1) => deps.store.events({ workspace: `slack:${fake.workspace.teamId}`, number }),
    async close() {
      await slack.stop();
      await workers.close(2_000);
      await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())));
      await scheduler.close();
      await redis.cleanup();
      await fake.close();
      await rm(postmortemDir, { recursive: true, force: true });
    },
  };
}
