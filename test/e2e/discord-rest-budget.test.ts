import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import type { RecordedRequest } from '../fakes/fake-discord-rest.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING, discordSteps } from '../support/discord-steps.js';

/**
 * What a declare costs in REST requests on Discord, where every request of the bot counts
 * against 50/s and so paces every answer in a burst (issue 13): the channel opens in one
 * request, restricted from the start when private; the channel's opening is one post; what
 * discord.js has cached is not asked for again; a burst of interactions is deferred before any
 * of them is worked on.
 */

const { alice, carol, dave } = PEOPLE;
const VIEW_CHANNEL = 1n << 10n;

let app: DiscordTestApp;
afterEach(() => app?.close());

/** `POST /channels/:id/messages`: the request's route, ids left out. */
const route = (r: RecordedRequest) => `${r.method} ${r.path.replace(/\/\d{5,}/g, '/:id').replace(/\/(interactions|webhooks)\/:id\/[^/]+/, '/$1/:id/:token')}`;

/** The requests made from `first` on, as routes. */
const routesSince = (first: number) => app.fake.rest.requests.slice(first).map(route);

describe('REST requests per declare', () => {
  it('a public declare: ten requests, the channel opened with its topic in one, its opening in one post, no lookups', async () => {
    app = await discordTestApp(PAGING);
    const { declare } = discordSteps(app);
    // The first declare also looks up the announcement channel and opens Alice's DM channel: kept for the process.
    await declare(carol, 'Warm up');
    const first = app.fake.rest.requests.length;
    const channelId = await declare(carol, 'DB down');
    const routes = routesSince(first);

    expect(routes.filter((r) => r === 'POST /channels/:id/messages')).toHaveLength(5); // opening, summary, checklist, announcement, page DM
    expect(routes.filter((r) => r === 'PUT /channels/:id/messages/pins/:id')).toHaveLength(2); // summary, checklist
    expect(routes.filter((r) => r.startsWith('GET '))).toEqual([]);
    expect(routes).toHaveLength(10);
    expect(app.fake.state.channel(channelId).topic).toBe('INC-2 · P1 · DB down');
    const [opening, ...rest] = app.fake.textsIn(channelId);
    expect(opening).toBe(
      [`Welcome to INC-2. <@${carol.id}> is the incident commander. Type \`/incident help\` for commands; everything said here goes on the timeline.`, `📟 Paging <@${alice.id}> (tier 1 of 2, round 1)`].join('\n'),
    );
    expect(rest.filter((t) => t.includes('Paging <@'))).toEqual([]);
  });

  it('a private declare: restricted from its create request on, with the declarer and the paged person let in by it', async () => {
    app = await discordTestApp(PAGING);
    const { declare } = discordSteps(app);
    const first = app.fake.rest.requests.length;
    const channelId = await declare(carol, 'Leaked key', { private: true });
    const made = app.fake.rest.requests.slice(first);

    const create = made.find((r) => r.method === 'POST' && r.path === `/guilds/${IDS.guild}/channels`);
    const overwrites = (create?.body.permission_overwrites ?? []) as { id: string; allow: string; deny: string }[];
    expect(BigInt(overwrites.find((o) => o.id === IDS.guild)?.deny ?? 0) & VIEW_CHANNEL).toBe(VIEW_CHANNEL);
    for (const id of [IDS.bot, carol.id, alice.id]) expect(BigInt(overwrites.find((o) => o.id === id)?.allow ?? 0) & VIEW_CHANNEL).toBe(VIEW_CHANNEL);
    expect(create?.body.topic).toBe('INC-1 · P1 · Leaked key');
    expect(made.map(route).filter((r) => r.includes('/permissions/'))).toEqual([]);
    // Dave, who was not paged, is not in.
    expect(app.fake.state.channel(channelId).permission_overwrites.map((o) => o.id)).not.toContain(dave.id);
  });

  it('opens a DM channel once for the pages of a burst of declares', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const burst = Array.from({ length: 5 }, (_, n) => fake.slash(carol, IDS.general, 'declare', { title: `Burst ${n}`, sev: 'P1' }));
    await Promise.all(burst.map((i) => fake.answered(i)));
    await app.settle();
    expect(fake.dmsTo(alice).filter((m) => m.content.includes('You are paged'))).toHaveLength(5);
    expect(routesSince(0).filter((r) => r === 'POST /users/@me/channels')).toHaveLength(1);
    expect(routesSince(0).filter((r) => r === 'GET /guilds/:id/channels')).toHaveLength(1);
  });

  it('finds a name taken while the gateway was away over REST, as its cache missed it', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    fake.gateway.down();
    await fake.until(() => app.log.lines.find((l) => l.msg === 'discord gateway connection lost; reconnecting'), 5_000, 'the bot to see the gateway gone');
    fake.channelMade('inc-9-db-down');
    const made = await app.deps.chat.createChannel(app.workspace, 'inc-9-db-down', { topic: 'INC-9', private: false });
    expect(made.name).toBe('inc-9-db-down-2');
    fake.gateway.up();
    await fake.until(() => fake.gateway.connected, 10_000, 'the bot to reconnect');
  });
});

describe('deferrals first', () => {
  it('defers every interaction of a burst before working on any of them', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const first = fake.rest.requests.length;
    const burst = Array.from({ length: 20 }, (_, n) => fake.slash(carol, IDS.general, 'declare', { title: `Burst ${n}`, sev: 'P1' }));
    await Promise.all(burst.map((i) => fake.answered(i)));
    const made = fake.rest.requests.slice(first);
    const lastDeferral = Math.max(...burst.map((i) => i.callbackAt ?? Infinity));
    const firstWork = made.find((r) => !r.path.startsWith('/interactions/'));
    expect(burst.every((i) => i.callbackType === 5)).toBe(true);
    expect(firstWork?.at).toBeGreaterThan(lastDeferral);
  });
});
