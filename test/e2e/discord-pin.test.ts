import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';

/**
 * ChatPort.pin on Discord: through RoutingChat and DiscordChat, the real discord.js client sends
 * PUT /channels/:id/messages/pins/:message to FakeDiscord (204, no body). Pinning again is a 204
 * too; what Discord refuses comes back as the PlatformError the outbox acts on.
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

const pinPuts = (app: DiscordTestApp) => app.fake.rest.requests.filter((r) => r.method === 'PUT' && /\/pins\//.test(r.path));

describe('Discord: pinning a message', () => {
  it('pins a message the bot posted, and pinning it again is fine', async () => {
    app = await discordTestApp();
    const channel = await app.deps.chat.createChannel(app.workspace, 'inc-7-db-down', { topic: 'INC-7', private: false });
    const ref = await app.deps.chat.post(app.workspace, channel.id, { text: '*INC-7* DB down' });

    await app.deps.chat.pin(app.workspace, ref);
    expect(app.fake.pinsOf(channel.id)).toEqual([ref.messageId]);
    await app.deps.chat.pin(app.workspace, ref);

    expect(pinPuts(app).map((r) => [r.path, r.status])).toEqual([
      [`/channels/${channel.id}/messages/pins/${ref.messageId}`, 204],
      [`/channels/${channel.id}/messages/pins/${ref.messageId}`, 204],
    ]);
    expect(app.fake.pinsOf(channel.id)).toEqual([ref.messageId]);
  });

  it('maps what Discord refuses to the PlatformError kinds, with a fix for what a person must change', async () => {
    app = await discordTestApp();
    const channel = await app.deps.chat.createChannel(app.workspace, 'inc-8-api', { topic: 'INC-8', private: false });
    const ref = await app.deps.chat.post(app.workspace, channel.id, { text: 'summary' });
    const route = { method: 'PUT', path: /\/pins\// };

    app.fake.fail({ ...route, status: 403, code: 50013, times: 1 });
    const perms = await refusal(app.deps.chat.pin(app.workspace, ref));
    expect(perms.kind).toBe('permanent');
    expect(perms.message).toContain('pin');
    expect(perms.fix).toContain('Manage Messages');

    // discord.js retries a 5xx once itself; the second one reaches us.
    app.fake.fail({ ...route, status: 502, times: 2 });
    expect(await refusal(app.deps.chat.pin(app.workspace, ref))).toMatchObject({ kind: 'transient' });

    const gone = await refusal(app.deps.chat.pin(app.workspace, { channelId: channel.id, messageId: '599999999999999999' }));
    expect(gone.kind).toBe('permanent');
    expect(gone.fix).toContain('Unknown Message');

    // A 429 comes back with its Retry-After for the outbox to wait, instead of being slept out in place.
    app.fake.fail({ ...route, status: 429, retryAfterS: 1, times: 1 });
    const limited = await refusal(app.deps.chat.pin(app.workspace, ref));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterMs ?? 0).toBeGreaterThanOrEqual(900);
    expect(app.fake.pinsOf(channel.id)).toEqual([]);
    await new Promise((r) => setTimeout(r, limited.retryAfterMs));
    await app.deps.chat.pin(app.workspace, ref);
    expect(app.fake.pinsOf(channel.id)).toEqual([ref.messageId]);
  });
});
