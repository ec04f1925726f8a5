import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * ChatPort.setTopic on Slack: through RoutingChat and SlackChat, the real Bolt WebClient calls
 * conversations.setTopic on FakeSlack, and Slack's refusals come back as the PlatformError the
 * outbound queue acts on (permanent with a fix, rate_limited with Retry-After, transient).
 */

let app: SlackTestApp;
afterEach(() => app?.close());

async function refusal(pending: Promise<unknown>): Promise<PlatformError> {
  const err = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

describe('Slack: setting a channel topic', () => {
  it('replaces the topic of an incident channel', async () => {
    app = await slackTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-7-db-down', { topic: 'INC-7 · P3 · DB down', private: false });
    expect(app.fake.workspace.topicOf(ref.id)).toBe('INC-7 · P3 · DB down');

    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-7 · P1 · DB down');

    expect(app.fake.workspace.topicOf(ref.id)).toBe('INC-7 · P1 · DB down');
    expect(app.fake.topicsSet(ref.id)).toEqual(['INC-7 · P3 · DB down', 'INC-7 · P1 · DB down']);
    const last = app.fake.callsTo('conversations.setTopic').at(-1)!;
    expect(last.params).toMatchObject({ channel: ref.id, topic: 'INC-7 · P1 · DB down' });
    expect(last.answer).toMatchObject({ ok: true });
  });

  it('works in a private incident channel too', async () => {
    app = await slackTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-8-leak', { topic: 'INC-8 · P2 · leak', private: true });
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-8 · P1 · leak');
    expect(app.fake.workspace.topicOf(ref.id)).toBe('INC-8 · P1 · leak');
  });

  it('cuts a topic to the 250 characters Slack accepts instead of being refused with too_long', async () => {
    app = await slackTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-9-long', { topic: 'INC-9', private: false });
    await app.deps.chat.setTopic(app.workspace, ref.id, `INC-9 · P1 · ${'x'.repeat(400)}`);
    const topic = app.fake.workspace.topicOf(ref.id)!;
    expect(topic).toHaveLength(250);
    expect(topic.startsWith('INC-9 · P1 · xxx')).toBe(true);
  });

  it('maps what Slack refuses to the PlatformError kinds, with a fix for what a person must change', async () => {
    app = await slackTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-10-api', { topic: 'INC-10 · P3 · api', private: false });

    // A channel the bot was never invited to: Slack answers not_in_channel.
    const outside = app.fake.workspace.channelByName('incidents')!;
    const notIn = await refusal(app.deps.chat.setTopic(app.workspace, outside.id, 'INC-10 · P1 · api'));
    expect(notIn).toMatchObject({ kind: 'permanent', slackCode: 'not_in_channel' });
    expect(notIn.fix).toContain('invite the bot');
    expect(outside.topic).toBe('');

    const gone = await refusal(app.deps.chat.setTopic(app.workspace, 'C0GONE', 'INC-10 · P1 · api'));
    expect(gone).toMatchObject({ kind: 'permanent', slackCode: 'channel_not_found' });

    app.fake.fail('conversations.setTopic', { error: 'missing_scope', needed: 'channels:manage' });
    const scope = await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'));
    expect(scope).toMatchObject({ kind: 'permanent', slackCode: 'missing_scope' });
    expect(scope.fix).toContain('channels:manage');
    expect(app.log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'slack call failed: needs a fix', data: expect.objectContaining({ method: 'conversations.setTopic', error: 'missing_scope' }) }));

    app.fake.fail('conversations.setTopic', { error: 'is_archived' });
    expect(await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'permanent', slackCode: 'is_archived' });

    app.fake.fail('conversations.setTopic', { status: 429, retryAfter: 7 });
    expect(await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });

    app.fake.fail('conversations.setTopic', { status: 503 });
    expect(await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'transient' });

    app.fake.fail('conversations.setTopic', { error: 'internal_error' });
    expect(await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'transient' });

    // None of the refused calls changed the topic; the next one does.
    expect(app.fake.workspace.topicOf(ref.id)).toBe('INC-10 · P3 · api');
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api');
    expect(app.fake.workspace.topicOf(ref.id)).toBe('INC-10 · P1 · api');
  });

  it('hands a topic for a platform this process does not run back to the queue', async () => {
    app = await slackTestApp();
    // RoutingChat throws this synchronously, like its other methods: callers await inside async code.
    const err = await refusal((async () => app.deps.chat.setTopic('discord:400000000000000001', '500000000000000001', 'INC-1 · P1'))());
    expect(err.kind).toBe('rate_limited');
    expect(app.fake.callsTo('conversations.setTopic')).toHaveLength(0);
  });
});
