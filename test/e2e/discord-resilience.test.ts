import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE } from '../fakes/fake-discord.js';
import { INTENT } from '../fakes/fake-discord-gateway.js';
import { messagePayload } from '../fakes/fake-discord-payloads.js';
import type { RecordedRequest } from '../fakes/fake-discord-rest.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING, discordSteps } from '../support/discord-steps.js';

/**
 * Discord misbehaving: the gateway drops or stays away, REST answers 429 or 500 or 403, the bot
 * restarts mid-incident. Pages must still go out exactly once, and what people do must still
 * reach the timeline, at the time they did it.
 */

const MIN = 60_000;
const { alice, bob, carol, dave } = PEOPLE;

let app: DiscordTestApp;
afterEach(() => app?.close());

/** A message sent in a DM channel (a page), as opposed to a guild channel. */
const toDm = (r: RecordedRequest) => app.fake.state.channels.get(/^\/channels\/(\d+)\/messages$/.exec(r.path)?.[1] ?? '')?.type === 1;
const dmPosts = () => app.fake.rest.requests.filter((r) => r.method === 'POST' && toDm(r));
const logged = (msg: string) => app.log.lines.filter((l) => l.msg === msg);

describe('the gateway goes away', () => {
  it('sends the page that falls due during an outage once, and records what was said meanwhile at its own time', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const { declare, pages, pagesTo, channelSays, timelineHas } = discordSteps(app);
    const channelId = await declare(carol, 'DB down');
    await pages(alice);

    fake.gateway.down();
    await app.advance(5 * MIN);
    const [davePage] = await pages(dave);
    app.clock.advance(10_000);
    const meanwhile = fake.userSays(bob, channelId, 'replica lag is 40 s');
    app.clock.advance(20_000);
    expect(fake.gateway.connected).toBe(false);

    fake.gateway.up();
    await fake.until(() => fake.gateway.connected, 10_000, 'the bot to reconnect');
    expect(fake.gateway.received.filter((r) => r.op === 6)).toHaveLength(1);
    const after = fake.userSays(bob, channelId, 'failing over to the replica');
    const events = await timelineHas(['message_posted', 'message_posted']);
    const posted = events.filter((e) => e.type === 'message_posted');
    expect(posted.map((e) => [e.type === 'message_posted' && e.text, e.at])).toEqual([
      ['replica lag is 40 s', meanwhile.timestamp],
      ['failing over to the replica', after.timestamp],
    ]);

    fake.userReacts(dave, davePage!.id, '✅');
    await channelSays(channelId, `<@${dave.id}> acknowledged INC-1`);
    await app.settle();
    expect(pagesTo(dave)).toHaveLength(1);
    expect(pagesTo(alice)).toHaveLength(1);
    expect(logged('discord gateway connection lost; reconnecting')).toHaveLength(1);
    expect(logged('discord gateway back')[0]?.data).toMatchObject({ how: 'resumed' });
  });

  it('identifies again when Discord refuses to resume, and keeps recording', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const { declare, timelineHas } = discordSteps(app);
    const channelId = await declare(carol, 'DB down');

    fake.gateway.refuseResume();
    fake.gateway.drop();
    // discord.js waits out Discord's identify limit (one per 5 s) before identifying again.
    await fake.until(() => fake.gateway.received.filter((r) => r.op === 2).length === 2 && fake.gateway.connected, 15_000, 'a second IDENTIFY');
    fake.userSays(bob, channelId, 'still here after the reconnect');
    const events = await timelineHas(['message_posted']);
    expect(events.find((e) => e.type === 'message_posted')).toMatchObject({ text: 'still here after the reconnect', actor: { id: bob.id } });
  });
});

describe('REST pushes back', () => {
  it('delivers a page DM that got a 429 after its Retry-After, once', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    fake.fail({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 429, retryAfterS: 0.5, times: 1, when: toDm });
    await discordSteps(app).declare(carol, 'DB down');
    const [page] = await discordSteps(app).pages(alice);
    await app.settle();

    const [limited, delivered, ...more] = dmPosts();
    expect([limited?.status, delivered?.status, more]).toEqual([429, 200, []]);
    expect(delivered!.at - limited!.at).toBeGreaterThanOrEqual(500);
    expect(discordSteps(app).pagesTo(alice)).toEqual([page]);
    expect(logged('outbound message rate limited; waiting Retry-After')[0]?.data).toMatchObject({ delayMs: 550 });
  });

  it('retries a page DM through 500s and delivers it once', async () => {
    app = await discordTestApp(PAGING);
    app.fake.fail({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 500, times: 4, when: toDm });
    await discordSteps(app).declare(carol, 'DB down');
    await discordSteps(app).pages(alice);
    await app.settle();
    expect(dmPosts().map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
    expect(discordSteps(app).pagesTo(alice)).toHaveLength(1);
  });

  it('gives up on a DM the person does not accept, and says what to fix', async () => {
    app = await discordTestApp(PAGING);
    app.fake.fail({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 403, code: 50007, times: 1, when: toDm });
    await discordSteps(app).declare(carol, 'DB down');
    await app.fake.until(() => logged('outbound message failed permanently')[0], 5_000, 'the permanent failure');
    expect(logged('outbound message failed permanently')[0]?.data).toMatchObject({ fix: expect.stringContaining('allow DMs from server members') });
    expect(dmPosts()).toHaveLength(1);
  });

  it('says how to fix a missing announcement channel, and the incident goes on without it', async () => {
    app = await discordTestApp(PAGING, { fake: { announceChannel: null } });
    const { declare, pages, channelSays } = discordSteps(app);
    const channelId = await declare(carol, 'DB down');
    await pages(alice);
    await channelSays(channelId, 'Welcome to INC-1.');
    await app.fake.until(() => logged('outbound message failed permanently')[0], 5_000, 'the permanent failure');
    expect(logged('discord announcement channel not found')[0]?.data).toMatchObject({ channel: 'incidents', fix: expect.stringContaining('Create a text channel #incidents') });
    expect(logged('outbound message failed permanently')[0]?.data).toMatchObject({ fix: expect.stringContaining('channels.announce') });
  });
});

describe('starting', () => {
  it('stops with what to fix when Message Content Intent is off in the developer portal', async () => {
    await expect(discordTestApp(PAGING, { fake: { messageContent: false } })).rejects.toThrow(
      'Discord login failed: Used disallowed intents: switch on "Message Content Intent" for the bot in the Discord developer portal (Bot tab)',
    );
  });
});

describe('a restart mid-incident', () => {
  it('takes the ack by ✅ on a page sent before the restart', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const { declare, pages, channelSays, dmSays } = discordSteps(app);
    const channelId = await declare(carol, 'DB down');
    const [page] = await pages(alice);

    await app.restart();
    fake.userReacts(alice, page!.id, '✅');
    await channelSays(channelId, `<@${alice.id}> acknowledged INC-1`);
    await dmSays(alice, 'Acknowledged INC-1. Escalation stopped.');
    expect(fake.gateway.received.filter((r) => r.op === 2)).toHaveLength(2);
  });

  it('records an edit delivered again to the restarted bot once, and a later edit of the message as another', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const { declare, timelineHas } = discordSteps(app);
    const channelId = await declare(carol, 'DB down');
    const said = fake.userSays(bob, channelId, 'api-2 pool exhausted');
    await timelineHas(['message_posted']);
    app.clock.advance(MIN);
    fake.userEdits(said.id, 'api-2 and api-3 pools exhausted');
    await timelineHas(['message_edited']);
    const update = messagePayload(fake.state.message(said.id));

    await app.restart();
    // The new client has no cache: the MESSAGE_UPDATE is all it knows of the message, as after a
    // replay or a reconnect that lost the cache, so only the edit's own time says it was recorded.
    fake.gateway.dispatch('MESSAGE_UPDATE', update, INTENT.GuildMessages);
    app.clock.advance(MIN);
    fake.userEdits(said.id, 'api-2 and api-3 pools exhausted at 200 connections');
    // Updates of one message are handled in the order they came: once two edits are on the
    // timeline, the repeated one has been handled too.
    const events = await timelineHas(['message_edited', 'message_edited']);
    const edits = events.flatMap((e) => (e.type === 'message_edited' ? [e.text] : []));
    expect(edits).toEqual(['api-2 and api-3 pools exhausted', 'api-2 and api-3 pools exhausted at 200 connections']);
  });
});
