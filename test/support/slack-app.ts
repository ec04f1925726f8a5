import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { startSlack, type SlackAdapter, type SlackOptions } from '../../src/adapters/slack/index.js';
import { parseEnv } from '../../src/config.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { ManualClock } from '../../src/infra/clock.js';
import { FAKE_SECRET, FAKE_TOKEN, FakeSlack } from '../fakes/fake-slack.js';
import type { SlackSender } from '../fakes/slack-sender.js';
import { openTestCore, type TestCore } from './core.js';
import { testRedis, type TestRedis } from './redis.js';

/**
 * The bot as src/main.ts wires it for Slack (RoutingChat, real Redis store, BullMQ queues and
 * workers, the real Bolt app from startSlack) against FakeSlack. The clock is the test's:
 * `advance` moves it and promotes the escalation steps that fell due.
 */

export const PEOPLE = { carol: 'UCAROL', alice: 'UALICE', bob: 'UBOB', dave: 'UDAVE', erin: 'UERIN' } as const;

export interface SlackTestApp extends TestCore {
  fake: FakeSlack;
  slack: SlackAdapter;
  send: SlackSender;
  clock: ManualClock;
  /** `slack:<team id>`: the workspace id incidents are stored under. */
  workspace: string;
  /** The test's Redis (its key prefix, for the dashboard's sessions). */
  redis: TestRedis;
  /** Waits until the adapter's post-ack work and the queues are quiet. */
  settle(): Promise<void>;
  events(number?: number): Promise<IncidentEvent[]>;
  close(): Promise<void>;
}

export async function slackTestApp(configDoc: object = {}, options: SlackOptions = {}): Promise<SlackTestApp> {
  const fake = await FakeSlack.start();
  for (const [name, id] of Object.entries(PEOPLE)) fake.workspace.addUser(id, name, `${name[0]?.toUpperCase()}${name.slice(1)} Example`);
  fake.workspace.addChannel('general', { botIsMember: true });
  fake.workspace.addChannel('incidents');
  const redis = await testRedis();
  const env = parseEnv({ SLACK_BOT_TOKEN: FAKE_TOKEN, SLACK_SIGNING_SECRET: FAKE_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0' });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const chat = new RoutingChat();
  const core = await openTestCore({
    redis,
    configDoc,
    clock,
    chat,
    postmortemPrefix: 'pm-slack-',
    // Called only by settle(), after the adapter below has started.
    idle: () => slack.idle(5_000),
  });
  const { deps } = core;
  const slack = await startSlack(deps, env.env, { port: 0, ...options });
  chat.register('slack', slack.chat);

  return {
    fake,
    slack,
    send: fake.sender(`http://127.0.0.1:${slack.port}/slack/events`),
    deps,
    clock,
    log: core.log,
    scheduler: core.scheduler,
    postmortemDir: core.postmortemDir,
    workspace: `slack:${fake.workspace.teamId}`,
    redis,
    settle: core.settle,
    advance: core.advance,
    events: (number = 1) => deps.store.events({ workspace: `slack:${fake.workspace.teamId}`, number }),
    async close() {
      await slack.stop();
      await core.close();
      await redis.cleanup();
      await fake.close();
    },
  };
}
