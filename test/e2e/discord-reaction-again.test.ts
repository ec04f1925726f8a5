import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';

/**
 * A reaction taken off and put back counts again. Each reaction is claimed for 15 minutes by
 * message, person and emoji so a replay after a gateway failover is not handled twice
 * (src/adapters/discord/replay-guard.ts); a live MESSAGE_REACTION_REMOVE drops that claim, so
 * a person who acknowledges on the old page DM again after an ack timeout is heard.
 */

const MIN = 60_000;
const { alice, carol } = PEOPLE;

/** Alice alone on call; an acknowledged incident still open after 10 minutes is paged again. */
const ACK_TIMEOUT = {
  policies: [{ id: 'default', tiers: [{ targets: [{ user: alice.id }], delay: '5m' }], ackTimeout: '10m' }],
  defaultPolicy: 'default',
};

let app: DiscordTestApp;
afterEach(() => app?.close());

describe('a reaction taken off and put back on Discord', () => {
  it('✅ removed and added again on the page DM acknowledges again after the ack timeout re-paged', async () => {
    app = await discordTestApp(ACK_TIMEOUT);
    const { fake } = app;
    const { pages, channelSays, timelineHas } = discordSteps(app);
    const acks = () => fake.textsIn(channelId).filter((t) => t.includes(`<@${alice.id}> acknowledged INC-1`));

    const channelId = (await fake.answered(fake.slash(carol, IDS.general, 'declare', { title: 'Disk full', sev: 'P1' }))).text.match(/<#(\d+)>/)?.[1] ?? '';
    const [page] = await pages(alice);
    fake.userReacts(alice, page!.id, '✅');
    await channelSays(channelId, `<@${alice.id}> acknowledged INC-1`);

    // Still open 10 minutes later: paged again.
    await app.advance(10 * MIN);
    await pages(alice, 2);

    // She takes the ✅ off the first DM and puts it back: the incident is acknowledged again.
    fake.userUnreacts(alice, page!.id, '✅');
    fake.userReacts(alice, page!.id, '✅');
    await fake.until(() => acks().length >= 2, 5_000, 'the second acknowledgement in the channel');
    const events = await timelineHas(['acknowledged', 'acknowledged']);
    expect(events.filter((e) => e.type === 'acknowledged').map((e) => e.actor.id)).toEqual([alice.id, alice.id]);
    await app.settle();
    expect(acks()).toHaveLength(2);
  });
});
