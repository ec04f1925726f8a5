import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { startSlack, type SlackAdapter } from '../../src/adapters/slack/index.js';
import { parseEnv } from '../../src/config.js';
import { ManualClock } from '../../src/infra/clock.js';
import { FAKE_TOKEN, FakeSlack } from '../fakes/fake-slack.js';
import { FAKE_APP_TOKEN, FakeSocketMode } from '../fakes/slack-socket-mode.js';
import { openTestCore } from '../support/core.js';
import { testRedis } from '../support/redis.js';
import { PEOPLE } from '../support/slack-app.js';

/**
 * The real Bolt app in Socket Mode (SLACK_APP_TOKEN set, no HTTP listener), wired as
 * src/main.ts does with real Redis and BullMQ, against FakeSlack's Web API and its Socket Mode
 * endpoint: commands and events arrive as envelopes on the WebSocket and are acked on it, a
 * redelivered event counts once, and a dropped connection is re-opened with a fresh URL.
 */

interface SocketApp {
  fake: FakeSlack;
  socket: FakeSocketMode;
  slack: SlackAdapter;
  deps: Deps;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** slackTestApp's wiring (test/support/slack-app.ts), with an app-level token instead of a signing secret and port. */
async function socketModeApp(): Promise<SocketApp> {
  const fake = await FakeSlack.start();
  for (const [name, id] of Object.entries(PEOPLE)) fake.workspace.addUser(id, name);
  fake.workspace.addChannel('general', { botIsMember: true });
  fake.workspace.addChannel('incidents');
  const socket = await FakeSocketMode.start(fake);
  const redis = await testRedis();
  const env = parseEnv({ SLACK_BOT_TOKEN: FAKE_TOKEN, SLACK_APP_TOKEN: FAKE_APP_TOKEN, SLACK_API_URL: fake.apiUrl });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const chat = new RoutingChat();
  const core = await openTestCore({
    redis,
    configDoc: {},
    clock: new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000)),
    chat,
    postmortemPrefix: 'pm-slack-sm-',
    // Called only by settle(), after the adapter below has started.
    idle: () => slack.idle(5_000),
  });
  const slack = await startSlack(core.deps, env.env);
  chat.register('slack', slack.chat);
  return {
    fake,
    socket,
    slack,
    deps: core.deps,
    settle: core.settle,
    async close() {
      await slack.stop();
      await core.close();
      await redis.cleanup();
      await socket.close();
      await fake.close();
    },
  };
}

let app: SocketApp;
beforeEach(async () => {
  app = await socketModeApp();
});
afterEach(() => app?.close());

const general = () => app.fake.workspace.channelByName('general')!.id;

/** A command over the socket: its ack, then the answer the bot posts on its response_url. */
async function command(text: string, user: string, channel: string) {
  const sent = await app.socket.command(text, { user, channel });
  const answer = await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return { sent, reply: String(answer.body.text) };
}

async function declare(): Promise<string> {
  await command('declare DB down --sev P1', PEOPLE.carol, general());
  return app.fake.workspace.channelByName('inc-1-db-down')!.id;
}

const timeline = () => app.deps.store.events({ workspace: `slack:${app.fake.workspace.teamId}`, number: 1 });
const posted = async () => (await timeline()).flatMap((e) => (e.type === 'message_posted' ? [e.text] : []));
const edits = async () => (await timeline()).flatMap((e) => (e.type === 'message_edited' ? [e.text] : []));

describe('Slack in Socket Mode', () => {
  it('connects with the app-level token, acks /incident declare on the socket at once, then creates the channel and answers', async () => {
    expect(app.fake.callsTo('apps.connections.open').map((c) => c.answer?.ok)).toEqual([true]);
    expect(app.socket.connections).toHaveLength(1);

    const { sent, reply } = await command('declare DB down --sev P1', PEOPLE.carol, general());
    // A bare ack: the answer goes to response_url, after the work.
    expect(sent.payload).toEqual({});
    expect(sent.at - sent.sentAt).toBeLessThan(1000);
    const [create] = app.fake.callsTo('conversations.create');
    expect(create!.params.name).toBe('inc-1-db-down');
    expect(create!.at).toBeGreaterThan(sent.at);
    const channel = app.fake.workspace.channelByName('inc-1-db-down')!;
    expect(reply.split('\n')[0]).toBe(`Declared INC-1: *DB down* (P1). Channel: <#${channel.id}>`);
    expect(channel.topic).toBe('INC-1 · P1 · DB down');
    expect(channel.members.has(PEOPLE.carol)).toBe(true);
    expect(app.socket.strays).toEqual([]);
  });

  it('puts a message from the incident channel on the timeline that /incident timeline shows', async () => {
    const channel = await declare();
    const event = await app.socket.message({ user: PEOPLE.alice, channel, text: 'rolling back 2.3.0' });
    expect(event.payload).toEqual({});
    await app.settle();
    const { reply } = await command('timeline', PEOPLE.carol, channel);
    expect(reply).toContain('INC-1');
    expect(reply).toContain('rolling back 2.3.0');
  });

  it('acks redelivered envelopes (same event_id, retry_attempt 1) and records the message and its edit once', async () => {
    const channel = await declare();
    const ts = app.fake.workspace.nextTs();
    const message = { user: PEOPLE.alice, channel, text: 'cache flushed', ts };
    // Only the event id tells a redelivered edit from a second edit.
    const edit = { type: 'message', subtype: 'message_changed', channel, ts: app.fake.workspace.nextTs(), message: { type: 'message', user: PEOPLE.alice, text: 'cache flushed on all nodes', ts } };
    const acks = [];
    for (const retryAttempt of [0, 1]) {
      acks.push(await app.socket.message(message, { eventId: 'EvSMMSG1', retryAttempt }));
      acks.push(await app.socket.event(edit, { eventId: 'EvSMEDIT1', retryAttempt }));
    }
    expect(acks.map((a) => a.payload)).toEqual([{}, {}, {}, {}]);
    expect(new Set(acks.map((a) => a.envelopeId)).size).toBe(4);
    await app.settle();
    expect(await posted()).toEqual(['cache flushed']);
    expect(await edits()).toEqual(['cache flushed on all nodes']);
  });

  it('asks for a new URL and reconnects after the connection drops (through a 500 on the way), and keeps serving', async () => {
    const channel = await declare();
    app.fake.fail('apps.connections.open', { status: 500 });
    app.socket.drop();
    await app.fake.waitFor(() => !app.socket.connected, 'the drop');
    await expect(app.socket.message({ user: PEOPLE.alice, channel, text: 'lost' })).rejects.toThrow(/no app is connected/);

    // The client waits its ping timeout (5 s by default) before reconnecting.
    await app.socket.waitForConnection(2, 10_000);
    const opens = app.fake.callsTo('apps.connections.open');
    expect(opens.map((c) => c.status ?? 200)).toEqual([200, 500, 200]);
    const urls = opens.filter((c) => c.status === 200).map((c) => String(c.answer && 'url' in c.answer && c.answer.url));
    expect(new Set(urls).size).toBe(2);

    await app.socket.message({ user: PEOPLE.alice, channel, text: 'back online' });
    await app.settle();
    const { sent, reply } = await command('timeline', PEOPLE.carol, channel);
    expect(sent.at - sent.sentAt).toBeLessThan(1000);
    expect(reply).toContain('back online');
    expect(await posted()).toEqual(['back online']);
  });
});
