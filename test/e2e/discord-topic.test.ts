import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { IDS } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';

/**
 * ChatPort.setTopic on Discord: through RoutingChat and DiscordChat, the real discord.js client
 * sends PATCH /channels/:id with the topic to FakeDiscord, and Discord's refusals come back as
 * the PlatformError the outbound queue acts on.
 */

let app: DiscordTestApp;
afterEach(() => app?.close());

async function refusal(pending: Promise<unknown>): Promise<PlatformError> {
  const err = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

const topicPatches = (app: DiscordTestApp, channelId: string) =>
  app.fake.rest.requests.filter((r) => r.method === 'PATCH' && r.path === `/channels/${channelId}`);

describe('Discord: setting a channel topic', () => {
  it('replaces the topic of an incident channel with PATCH /channels/:id', async () => {
    app = await discordTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-7-db-down', { topic: 'INC-7 · P3 · DB down', private: false });
    expect(app.fake.topicOf(ref.id)).toBe('INC-7 · P3 · DB down');

    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-7 · *P1* · DB down');

    // Neutral markup becomes Discord's, as in messages.
    expect(app.fake.topicOf(ref.id)).toBe('INC-7 · **P1** · DB down');
    expect(app.fake.topicsSet(ref.id)).toEqual(['INC-7 · **P1** · DB down']);
    expect(topicPatches(app, ref.id).map((r) => [r.body, r.status])).toEqual([[{ topic: 'INC-7 · **P1** · DB down' }, 200]]);
  });

  it('skips a PATCH when the channel already shows that topic (Discord allows two topic changes per 10 minutes)', async () => {
    app = await discordTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-8-api', { topic: 'INC-8 · P2 · api', private: false });
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-8 · P2 · api');
    expect(topicPatches(app, ref.id)).toHaveLength(0);
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-8 · P1 · api');
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-8 · P1 · api');
    expect(app.fake.topicsSet(ref.id)).toEqual(['INC-8 · P1 · api']);
  });

  it('works in a private incident channel and cuts a topic to the 1024 characters Discord accepts', async () => {
    app = await discordTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-9-leak', { topic: 'INC-9 · P2 · leak', private: true });
    await app.deps.chat.setTopic(app.workspace, ref.id, `INC-9 · P1 · ${'x'.repeat(1500)}`);
    const topic = app.fake.topicOf(ref.id) ?? '';
    expect(topic).toHaveLength(1024);
    expect(topic.startsWith('INC-9 · P1 · xxx')).toBe(true);
  });

  it('maps what Discord refuses to the PlatformError kinds, with a fix for what a person must change', async () => {
    app = await discordTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-10-api', { topic: 'INC-10 · P3 · api', private: false });
    const patch = { method: 'PATCH', path: new RegExp(`^/channels/${ref.id}$`) };

    app.fake.fail({ ...patch, status: 403, code: 50013, times: 1 });
    const perms = await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'));
    expect(perms.kind).toBe('permanent');
    expect(perms.message).toContain('set topic');
    expect(perms.fix).toContain('Manage Channels');

    app.fake.fail({ ...patch, status: 403, code: 50001, times: 1 });
    const access = await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'));
    expect(access).toMatchObject({ kind: 'permanent' });
    expect(access.fix).toContain('Missing Access');

    // discord.js retries a 5xx once itself; the second one reaches us.
    app.fake.fail({ ...patch, status: 502, times: 2 });
    expect(await refusal(app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'transient' });

    // A channel that is gone: the lookup before the PATCH fails with Unknown Channel.
    const gone = await refusal(app.deps.chat.setTopic(app.workspace, '599999999999999999', 'INC-10 · P1 · api'));
    expect(gone.kind).toBe('permanent');
    expect(gone.fix).toContain('Unknown Channel');

    // A category has no topic to set.
    expect(await refusal(app.deps.chat.setTopic(app.workspace, IDS.category, 'INC-10 · P1 · api'))).toMatchObject({ kind: 'permanent' });

    expect(app.fake.topicOf(ref.id)).toBe('INC-10 · P3 · api');
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-10 · P1 · api');
    expect(app.fake.topicOf(ref.id)).toBe('INC-10 · P1 · api');
  });

  it('hands a 429 on the topic back with its Retry-After instead of waiting in place (two edits per 10 min)', async () => {
    app = await discordTestApp();
    const ref = await app.deps.chat.createChannel(app.workspace, 'inc-11-db', { topic: 'INC-11 · P3 · db', private: false });
    app.fake.fail({ method: 'PATCH', path: new RegExp(`^/channels/${ref.id}$`), status: 429, retryAfterS: 1, times: 1 });
    const err = await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-11 · P1 · db').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'rate_limited' });
    const wait = (err as PlatformError).retryAfterMs ?? 0;
    expect(wait).toBeGreaterThanOrEqual(900);
    // What the outbox does: come back after Retry-After.
    await new Promise((r) => setTimeout(r, wait));
    await app.deps.chat.setTopic(app.workspace, ref.id, 'INC-11 · P1 · db');
    expect(topicPatches(app, ref.id).map((r) => r.status)).toEqual([429, 200]);
    expect(app.fake.topicOf(ref.id)).toBe('INC-11 · P1 · db');
  });
});
