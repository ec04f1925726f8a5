import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * Capture on Slack, through Bolt against FakeSlack: a `:bulb:` reaction on a channel message
 * records it as a lesson to sort (once, whoever reacts again), and a capture command answers
 * only its author while the channel hears what was recorded.
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

const timeline = async (type: string) => (await app.events()).filter((e) => e.type === type);

describe('Slack: capture for the postmortem', () => {
  it('takes a :bulb: reaction as a lesson to sort, once per message, with who wrote it', async () => {
    const ts = app.fake.workspace.nextTs();
    await app.send.message({ user: PEOPLE.alice, channel, text: 'we were lucky the replica was warm', ts });
    await app.send.reaction({ user: PEOPLE.bob, channel, ts, reaction: 'bulb' });
    await app.send.reaction({ user: PEOPLE.carol, channel, ts, reaction: 'bulb' });
    await app.settle();
    const lessons = await timeline('lesson_recorded');
    expect(lessons.map((e) => e.type === 'lesson_recorded' && [e.kind, e.text, e.messageId, e.actor.id, e.author?.id])).toEqual([
      ['unsorted', 'we were lucky the replica was warm', ts, PEOPLE.bob, PEOPLE.alice],
    ]);
  });

  it('answers a capture command ephemerally and says what was recorded in the channel', async () => {
    const sent = await app.send.command('why the TLS cert expired', { user: PEOPLE.carol, channel });
    const answer = await app.fake.waitForResponse(sent.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toBe('Why 1 of 5 recorded for INC-1.');
    await app.settle();
    const posts = app.fake.callsTo('chat.postMessage').map((c) => String(c.params.text ?? ''));
    expect(posts.some((t) => t.includes(`<@${PEOPLE.carol}> why 1: the TLS cert expired`))).toBe(true);

    const refused = await app.send.command('impact users=lots', { user: PEOPLE.carol, channel });
    expect((await app.fake.waitForResponse(refused.responseUrl)).body.text).toContain('`users` counts something, so it takes a whole number');
  });
});
