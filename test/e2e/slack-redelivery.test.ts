import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventType } from '../../src/core/events.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { dmsTo, shownText, tsOf } from '../support/slack-views.js';

/**
 * An event whose handling failed is not lost: Slack's retry of the same event_id (X-Slack-Retry-Num)
 * is handled again, and a retry of one that succeeded still changes nothing. The failure here is a
 * Redis blip while the event is recorded: the store's write fails once, as ioredis fails a command
 * whose connection dropped, and the bot keeps running.
 */

const PAGE_ALICE = { policies: [{ id: 'default', tiers: [{ targets: [{ user: PEOPLE.alice }], delay: '5m' }, { targets: [{ user: PEOPLE.dave }], delay: '5m' }] }], defaultPolicy: 'default' };
const MIN = 60_000;

let app: SlackTestApp;
afterEach(() => {
  vi.restoreAllMocks();
  return app?.close();
});

/**
 * The next append that writes an event of `type` fails, once; every other write goes through.
 * `before`: the connection drops before the write reaches Redis (nothing is written); `after`:
 * Redis wrote it and the reply was lost, so the bot sees the same error for a write that happened.
 */
function redisBlipOnAppend(type: EventType, when: 'before' | 'after' = 'before'): { failed: () => number } {
  const store = app.deps.store;
  const append = store.append.bind(store);
  let failed = 0;
  vi.spyOn(store, 'append').mockImplementation(async (...args) => {
    const events = args[2];
    if (failed > 0 || !events.some((e) => e.type === type)) return append(...args);
    failed++;
    if (when === 'after') await append(...args);
    throw new Error('Connection is closed.');
  });
  return { failed: () => failed };
}

async function declare(): Promise<string> {
  const general = app.fake.workspace.channelByName('general')!;
  const sent = await app.send.command('declare Checkout errors --sev P1', { user: PEOPLE.carol, channel: general.id });
  await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return app.fake.workspace.channelByName('inc-1-checkout-errors')!.id;
}

const listenerFailures = () => app.log.lines.filter((l) => l.msg === 'slack listener failed');

describe('an event whose handling failed', () => {
  it('records the message when Slack redelivers it, once however often it comes again', async () => {
    app = await slackTestApp();
    const channel = await declare();
    const blip = redisBlipOnAppend('message_posted');
    const message = { user: PEOPLE.alice, channel, text: 'rolling back 2.3.0', ts: app.fake.workspace.nextTs() };

    expect((await app.send.message(message, { eventId: 'EvBLIP1' })).status).toBe(200);
    await app.settle();
    expect(blip.failed()).toBe(1);
    expect(listenerFailures()).toHaveLength(1);
    const posted = async () => (await app.events()).flatMap((e) => (e.type === 'message_posted' ? [e.text] : []));
    expect(await posted()).toEqual([]);

    for (const retryNum of [1, 2, 3]) expect((await app.send.message(message, { eventId: 'EvBLIP1', retryNum })).status).toBe(200);
    await app.settle();
    expect(await posted()).toEqual(['rolling back 2.3.0']);
    expect(listenerFailures()).toHaveLength(1);
  });

  it('takes the ✅ on a page DM when Slack redelivers it: escalation stops, the person hears back once', async () => {
    app = await slackTestApp(PAGE_ALICE);
    await declare();
    const [page] = dmsTo(app.fake, PEOPLE.alice);
    expect(shownText(page!)).toContain('You are paged: INC-1');
    const blip = redisBlipOnAppend('acknowledged');
    const dm = app.fake.workspace.dmWith(PEOPLE.alice).id;
    const reaction = { type: 'reaction_added', user: PEOPLE.alice, reaction: 'white_check_mark', item: { type: 'message', channel: dm, ts: tsOf(page!) }, item_user: app.fake.workspace.botUserId, event_ts: app.fake.workspace.nextTs() };

    await app.send.event(reaction, { eventId: 'EvACK1' });
    await app.settle();
    expect(blip.failed()).toBe(1);
    expect(listenerFailures()).toHaveLength(1);
    const acks = async () => (await app.events()).filter((e) => e.type === 'acknowledged');
    expect(await acks()).toEqual([]);

    for (const retryNum of [1, 2]) await app.send.event(reaction, { eventId: 'EvACK1', retryNum });
    await app.settle();
    expect((await acks()).map((e) => e.actor.id)).toEqual([PEOPLE.alice]);
    expect(dmsTo(app.fake, PEOPLE.alice).slice(1).map(shownText)).toEqual(['Acknowledged INC-1. Escalation stopped.']);
    expect(await app.scheduler.pendingSteps(app.workspace, 1)).toEqual([]);
    await app.advance(10 * MIN);
    expect(dmsTo(app.fake, PEOPLE.dave)).toEqual([]);
  });

  it('records a message, an edit and a deletion once when the write went through but its reply was lost', async () => {
    app = await slackTestApp();
    const channel = await declare();
    const ts = app.fake.workspace.nextTs();
    const message = { type: 'message', channel, user: PEOPLE.alice, text: 'cause: bad deploy', ts, event_ts: ts, channel_type: 'channel' };
    const edit = {
      type: 'message',
      subtype: 'message_changed',
      channel,
      ts: app.fake.workspace.nextTs(),
      message: { type: 'message', user: PEOPLE.alice, text: 'cause: bad deploy of 2.3.0', ts, edited: { user: PEOPLE.alice, ts: app.fake.workspace.nextTs() } },
      previous_message: { type: 'message', user: PEOPLE.alice, text: 'cause: bad deploy', ts },
    };
    const deletion = { type: 'message', subtype: 'message_deleted', channel, ts: app.fake.workspace.nextTs(), deleted_ts: ts, previous_message: { type: 'message', user: PEOPLE.alice, text: 'cause: bad deploy of 2.3.0', ts } };
    for (const [type, event, eventId] of [['message_posted', message, 'EvLOST1'], ['message_edited', edit, 'EvLOST2'], ['message_deleted', deletion, 'EvLOST3']] as const) {
      const blip = redisBlipOnAppend(type, 'after');
      await app.send.event(event, { eventId });
      await app.settle();
      expect(blip.failed()).toBe(1);
      vi.restoreAllMocks();
      for (const retryNum of [1, 2]) await app.send.event(event, { eventId, retryNum });
      await app.settle();
    }
    expect(listenerFailures()).toHaveLength(3);
    const kept = (await app.events()).filter((e) => e.type.startsWith('message_')).map((e) => e.type);
    expect(kept).toEqual(['message_posted', 'message_edited', 'message_deleted']);
  });

  it('handles a retry of an event that went through like any repeat: nothing changes', async () => {
    app = await slackTestApp();
    const channel = await declare();
    const message = { user: PEOPLE.alice, channel, text: 'error rate back to 0.1%', ts: app.fake.workspace.nextTs() };
    for (const retryNum of [0, 1, 2]) await app.send.message(message, { eventId: 'EvOK1', retryNum });
    await app.settle();
    expect((await app.events()).filter((e) => e.type === 'message_posted')).toHaveLength(1);
    expect(app.log.lines.filter((l) => l.msg === 'slack event redelivered: ignored')).toHaveLength(2);
  });
});
