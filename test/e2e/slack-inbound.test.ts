import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_SECRET } from '../fakes/fake-slack.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * What reaches the bot from Slack and what it keeps: only signed, fresh requests are served;
 * a redelivered event changes nothing; messages, edits, deletions, pins and mentions arrive on
 * the timeline in the neutral form; bot posts and joins do not.
 */

let app: SlackTestApp;
let channel: string;

beforeEach(async () => {
  app = await slackTestApp();
  const general = app.fake.workspace.channelByName('general')!;
  const sent = await app.send.command('declare Checkout errors --sev P2', { user: PEOPLE.carol, channel: general.id });
  await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  channel = app.fake.workspace.channelByName('inc-1-checkout-errors')!.id;
});
afterEach(() => app?.close());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const timeline = async (type: string) => (await app.events()).filter((e) => e.type === type);

describe('request checks', () => {
  it('answers 401 to a bad signature, a request older than 5 minutes and one more than 5 minutes in the future, and acts on none', async () => {
    const calls = app.fake.calls.length;
    const forged = await app.send.command('list', { user: PEOPLE.erin, channel, signature: 'v0=0000' });
    const old = await app.send.command('list', { user: PEOPLE.erin, channel, timestamp: nowSeconds() - 6 * 60 });
    const future = await app.send.command('list', { user: PEOPLE.erin, channel, timestamp: nowSeconds() + 6 * 60 });
    const wrongSecret = app.fake.sender(app.send.botUrl, `${FAKE_SECRET}-old`);
    const rotated = await wrongSecret.message({ user: PEOPLE.erin, channel, text: 'injected' });
    expect([forged.status, old.status, future.status, rotated.status]).toEqual([401, 401, 401, 401]);
    await app.settle();
    expect(app.fake.responses.filter((r) => [forged, old, future].some((s) => s.responseUrl === r.url))).toEqual([]);
    expect(app.fake.calls.length).toBe(calls);
    expect(await timeline('message_posted')).toEqual([]);
  });

  it('serves requests within the 5-minute window either way', async () => {
    const late = await app.send.command('list', { user: PEOPLE.erin, channel, timestamp: nowSeconds() - 4 * 60 });
    const early = await app.send.command('list', { user: PEOPLE.erin, channel, timestamp: nowSeconds() + 4 * 60 });
    expect([late.status, early.status]).toEqual([200, 200]);
    expect((await app.fake.waitForResponse(early.responseUrl)).body.text).toContain('INC-1');
  });
});

describe('events', () => {
  it('acts once on an event Slack delivers three times (same event_id, X-Slack-Retry-Num 1 and 2)', async () => {
    const ts = app.fake.workspace.nextTs();
    const message = { user: PEOPLE.alice, channel, text: 'rolling back 2.3.0', ts };
    // This edit carries no `edited` field: it is told apart from other edits by the event's own ts.
    const edit = { type: 'message', subtype: 'message_changed', channel, ts: app.fake.workspace.nextTs(), message: { type: 'message', user: PEOPLE.alice, text: 'rolled back 2.3.0', ts } };
    const statuses: number[] = [];
    for (const retryNum of [0, 1, 2]) {
      statuses.push((await app.send.message(message, { eventId: 'EvMSG1', retryNum })).status);
      statuses.push((await app.send.event(edit, { eventId: 'EvEDIT1', retryNum })).status);
    }
    await app.settle();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await timeline('message_posted')).map((e) => e.type === 'message_posted' && e.text)).toEqual(['rolling back 2.3.0']);
    expect((await timeline('message_edited')).map((e) => e.type === 'message_edited' && e.text)).toEqual(['rolled back 2.3.0']);
  });

  it('records every message of a busy channel, in the order Slack sent them', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `update ${i}`);
    app.fake.workspace.addUser('UFRANK', 'frank');
    // The first message waits for Frank's name; each event is acked at once, so the others pile up behind it.
    app.fake.fail('users.info', { delayMs: 300 }, { when: (p) => p.user === 'UFRANK' });
    for (const text of texts) expect((await app.send.message({ user: 'UFRANK', channel, text })).status).toBe(200);
    await app.settle();
    expect((await timeline('message_posted')).map((e) => e.type === 'message_posted' && e.text)).toEqual(texts);
  });

  it('keeps edits and deletions beside the original, with the author of the message', async () => {
    const ts = app.fake.workspace.nextTs();
    await app.send.message({ user: PEOPLE.alice, channel, text: 'cause: bad config' });
    const original = await app.send.message({ user: PEOPLE.alice, channel, text: 'cause: bad deploy', ts });
    expect(original.status).toBe(200);
    const changed = (text: string, before: string) => ({
      type: 'message',
      subtype: 'message_changed',
      channel,
      ts: app.fake.workspace.nextTs(),
      message: { type: 'message', user: PEOPLE.alice, text, ts, edited: { user: PEOPLE.alice, ts: app.fake.workspace.nextTs() } },
      previous_message: { type: 'message', user: PEOPLE.alice, text: before, ts },
    });
    // A link preview added by Slack arrives as a change with the same text: not an edit.
    await app.send.event(changed('cause: bad deploy', 'cause: bad deploy'));
    await app.send.event(changed('cause: bad deploy of 2.3.0', 'cause: bad deploy'));
    await app.send.event({ type: 'message', subtype: 'message_deleted', channel, ts: app.fake.workspace.nextTs(), deleted_ts: ts, previous_message: { type: 'message', user: PEOPLE.alice, text: 'cause: bad deploy of 2.3.0', ts } });
    await app.settle();
    const edited = await timeline('message_edited');
    expect(edited.map((e) => e.type === 'message_edited' && [e.messageId, e.text, e.actor.id])).toEqual([[ts, 'cause: bad deploy of 2.3.0', PEOPLE.alice]]);
    expect((await timeline('message_deleted')).map((e) => e.type === 'message_deleted' && e.messageId)).toEqual([ts]);
    expect((await timeline('message_posted')).map((e) => e.actor.name)).toEqual(['alice', 'alice']);
  });

  it('records an edit once however often it arrives under new event ids, and two edits of one message as two', async () => {
    const ts = app.fake.workspace.nextTs();
    await app.send.message({ user: PEOPLE.alice, channel, text: 'cause: bad deploy', ts });
    const changed = (text: string, before: string) => ({
      type: 'message',
      subtype: 'message_changed',
      channel,
      ts: app.fake.workspace.nextTs(),
      message: { type: 'message', user: PEOPLE.alice, text, ts, edited: { user: PEOPLE.alice, ts: app.fake.workspace.nextTs() } },
      previous_message: { type: 'message', user: PEOPLE.alice, text: before, ts },
    });
    const first = changed('cause: bad deploy of 2.3.0', 'cause: bad deploy');
    const second = changed('cause: bad deploy of 2.3.0 (config)', 'cause: bad deploy of 2.3.0');
    // Each delivery gets an event id of its own, so the event-id check lets all of them through:
    // only the edit's own key (its edited.ts) tells a repeat from a new edit.
    for (const edit of [first, first, second, second, first]) expect((await app.send.event(edit)).status).toBe(200);
    await app.settle();
    const edits = (await timeline('message_edited')).map((e) => e.type === 'message_edited' && [e.messageId, e.text]);
    expect(edits).toEqual([
      [ts, 'cause: bad deploy of 2.3.0'],
      [ts, 'cause: bad deploy of 2.3.0 (config)'],
    ]);
  });

  it('ignores bot posts, joins and messages outside incident channels', async () => {
    const general = app.fake.workspace.channelByName('general')!.id;
    await app.send.event({ type: 'message', channel, bot_id: 'BOTHER', text: 'deploy bot: 2.3.1 is out', ts: app.fake.workspace.nextTs() });
    await app.send.event({ type: 'message', subtype: 'channel_join', channel, user: PEOPLE.bob, text: '<@UBOB> has joined the channel', ts: app.fake.workspace.nextTs() });
    await app.send.message({ user: PEOPLE.bob, channel: general, text: 'lunch?' });
    await app.settle();
    expect(await timeline('message_posted')).toEqual([]);
  });

  it('marks a pinned message as a key event, once, whether pinned or 📌-reacted', async () => {
    const ts = app.fake.workspace.nextTs();
    await app.send.message({ user: PEOPLE.alice, channel, text: 'root cause: expired TLS cert', ts });
    await app.send.pin({ user: PEOPLE.carol, channel, ts, text: 'root cause: expired TLS cert' });
    await app.send.reaction({ user: PEOPLE.bob, channel, ts, reaction: 'pushpin' });
    await app.settle();
    const keys = await timeline('key_event');
    expect(keys.map((e) => e.type === 'key_event' && [e.text, e.actor.id])).toEqual([['root cause: expired TLS cert', PEOPLE.carol]]);
  });
});

describe('command text', () => {
  it('turns Slack mentions <@U…|name> into people the commands understand', async () => {
    const sent = await app.send.command('role scribe <@UALICE|alice>', { user: PEOPLE.carol, channel });
    await app.fake.waitForResponse(sent.responseUrl);
    await app.settle();
    const roles = (await timeline('role_assigned')).flatMap((e) => (e.type === 'role_assigned' && e.role === 'scribe' ? [[e.user.id, e.user.name]] : []));
    expect(roles).toEqual([[PEOPLE.alice, 'alice']]);
    expect(app.fake.workspace.channels.get(channel)!.members.has(PEOPLE.alice)).toBe(true);
  });

  it('answers a command outside an incident channel with what to do, only to its author', async () => {
    const general = app.fake.workspace.channelByName('general')!.id;
    const sent = await app.send.command('resolve', { user: PEOPLE.erin, channel: general });
    const answer = await app.fake.waitForResponse(sent.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toMatch(/^`\/incident resolve` works inside an incident channel, or anywhere when you name the incident: `\/incident resolve INC-1`\. Open incidents: INC-1 <#C\w+>\.$/);
  });
});
