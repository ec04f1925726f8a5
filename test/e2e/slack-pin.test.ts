import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * ChatPort.pin on Slack: through RoutingChat and SlackChat, the real Bolt WebClient calls
 * pins.add on FakeSlack. A message pinned already (Slack: already_pinned) is no error; what Slack
 * refuses comes back as the PlatformError the outbox acts on.
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

describe('Slack: pinning a message', () => {
  it('pins a message the bot posted, and pinning it again is fine', async () => {
    app = await slackTestApp();
    const channel = await app.deps.chat.createChannel(app.workspace, 'inc-7-db-down', { topic: 'INC-7', private: false });
    const ref = await app.deps.chat.post(app.workspace, channel.id, { text: '*INC-7* DB down' });

    await app.deps.chat.pin(app.workspace, ref);
    expect(app.fake.workspace.pinsOf(channel.id)).toEqual([ref.messageId]);

    await app.deps.chat.pin(app.workspace, ref);
    const calls = app.fake.callsTo('pins.add');
    expect(calls.map((c) => c.params)).toEqual([
      expect.objectContaining({ channel: channel.id, timestamp: ref.messageId }),
      expect.objectContaining({ channel: channel.id, timestamp: ref.messageId }),
    ]);
    // The repeat really was refused by the fake, as Slack does, and taken as done.
    expect(calls[1]?.answer).toMatchObject({ ok: false, error: 'already_pinned' });
    expect(app.fake.workspace.pinsOf(channel.id)).toEqual([ref.messageId]);
    expect(app.log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('maps what Slack refuses to the PlatformError kinds, with a fix for what a person must change', async () => {
    app = await slackTestApp();
    const channel = await app.deps.chat.createChannel(app.workspace, 'inc-8-api', { topic: 'INC-8', private: false });
    const ref = await app.deps.chat.post(app.workspace, channel.id, { text: 'summary' });

    const gone = await refusal(app.deps.chat.pin(app.workspace, { channelId: channel.id, messageId: '1.000001' }));
    expect(gone).toMatchObject({ kind: 'permanent', slackCode: 'message_not_found' });

    app.fake.fail('pins.add', { error: 'missing_scope', needed: 'pins:write' });
    const scope = await refusal(app.deps.chat.pin(app.workspace, ref));
    expect(scope).toMatchObject({ kind: 'permanent', slackCode: 'missing_scope' });
    expect(scope.fix).toContain('pins:write');
    expect(app.log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'slack call failed: needs a fix', data: expect.objectContaining({ method: 'pins.add', error: 'missing_scope' }) }));

    app.fake.fail('pins.add', { status: 429, retryAfter: 3 });
    expect(await refusal(app.deps.chat.pin(app.workspace, ref))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });

    app.fake.fail('pins.add', { status: 503 });
    expect(await refusal(app.deps.chat.pin(app.workspace, ref))).toMatchObject({ kind: 'transient' });

    expect(app.fake.workspace.pinsOf(channel.id)).toEqual([]);
    await app.deps.chat.pin(app.workspace, ref);
    expect(app.fake.workspace.pinsOf(channel.id)).toEqual([ref.messageId]);
  });
});
