import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE as DISCORD_PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING as DISCORD_PAGING, discordSteps } from '../support/discord-steps.js';
import { testApp, type TestApp } from '../support/app.js';
import { PAGING, eventsOf, pageDms, text } from '../support/paging.js';
import { PEOPLE as SLACK_PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { dmsTo, shownText, tsOf } from '../support/slack-views.js';
import { IDS } from '../fakes/fake-discord.js';

/**
 * Issue 9, finding 9: ✔️ (`heavy_check_mark`), ☑️ and ✅ with the variation selector U+FE0F
 * neither acknowledged nor answered, so the person believed they had acknowledged while the
 * escalation went on. The check marks are one answer whatever their spelling (Slack's short
 * names with or without a skin tone, Discord's characters with or without U+FE0F), under the
 * default `paging.ackEmojis` (white_check_mark, eyes). A reaction that is no ack says nothing;
 * an ack that is refused always says why.
 */

const ACKED = 'Acknowledged INC-1. Escalation stopped.';

describe('on Slack, every check mark short name acknowledges the page it is put on', () => {
  let app: SlackTestApp;
  afterEach(() => app?.close());
  const paging = {
    rotations: [{ id: 'backend', timeZone: 'UTC', layers: [{ members: [SLACK_PEOPLE.alice], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
    policies: [{ id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }] }],
    defaultPolicy: 'default',
  };

  it.each(['heavy_check_mark', 'ballot_box_with_check', 'white_check_mark::skin-tone-2', 'heavy_check_mark::skin-tone-5'])('%s', async (reaction) => {
    app = await slackTestApp(paging);
    const general = app.fake.workspace.channelByName('general')!;
    await app.send.command('declare DB down --sev P1', { user: SLACK_PEOPLE.carol, channel: general.id });
    await app.settle();
    const [page] = dmsTo(app.fake, SLACK_PEOPLE.alice);
    await app.send.reaction({ user: SLACK_PEOPLE.alice, channel: app.fake.workspace.dmWith(SLACK_PEOPLE.alice).id, ts: tsOf(page!), reaction });
    await app.settle();
    expect(dmsTo(app.fake, SLACK_PEOPLE.alice).map(shownText)).toContain(ACKED);
    expect((await app.events()).filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    expect(await app.scheduler.pendingSteps(app.workspace, 1)).toEqual([]);
  });
});

describe('on Discord, check marks with or without the variation selector acknowledge', () => {
  let app: DiscordTestApp;
  afterEach(() => app?.close());

  it.each(['✅\uFE0F', '✔️', '✔', '☑️'])('%j', async (emoji) => {
    app = await discordTestApp(DISCORD_PAGING);
    const { pages, slash, dmSays } = discordSteps(app);
    await slash(DISCORD_PEOPLE.carol, IDS.general, 'declare', { title: 'DB down', sev: 'P1' });
    const [page] = await pages(DISCORD_PEOPLE.alice);
    app.fake.userReacts(DISCORD_PEOPLE.alice, page!.id, emoji);
    await dmSays(DISCORD_PEOPLE.alice, ACKED);
    expect((await app.events()).filter((e) => e.type === 'acknowledged')).toHaveLength(1);
  });
});

describe('in the local workspace, what a reaction on a page DM answers', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  /** Declares INC-1 as carol (alice is paged) and returns the id of alice's page DM. */
  async function paged(config: object = PAGING): Promise<string> {
    app = await testApp(config);
    await app.type('/as @carol');
    const [dm] = pageDms(text(await app.type('/incident declare DB down --sev P1')), 'alice');
    expect(dm).toBeTruthy();
    return dm!;
  }

  async function react(user: string, messageId: string, emoji: string): Promise<string> {
    await app.type(`/as @${user}`);
    return text(await app.type(`/react ${messageId} ${emoji}`));
  }

  const answer = (out: string) => /\[only @\w+ sees this\]\n\s+(.*)/.exec(out)?.[1] ?? null;

  it.each(['✔️', '☑️', '✅\uFE0F', ':heavy_check_mark:'])('%j acknowledges', async (emoji) => {
    const dm = await paged();
    expect(answer(await react('alice', dm, emoji))).toBe(ACKED);
    expect((await eventsOf(app)).filter((e) => e.type === 'acknowledged')).toHaveLength(1);
  });

  it('a reaction that is no ack emoji gets no answer and changes nothing', async () => {
    const dm = await paged();
    for (const emoji of ['👍', '👍🏽', '🎉', '❌', '📌']) expect(answer(await react('alice', dm, emoji))).toBeNull();
    expect((await eventsOf(app)).filter((e) => e.type === 'acknowledged')).toEqual([]);
  });

  it('a check mark from someone else than the paged person is refused, and says so', async () => {
    const dm = await paged();
    expect(answer(await react('erin', dm, '✔️'))).toBe('Only the person this page was sent to can acknowledge it.');
    expect((await eventsOf(app)).filter((e) => e.type === 'acknowledged')).toEqual([]);
  });

  it('a second check mark says it was already acknowledged', async () => {
    const dm = await paged();
    expect(answer(await react('alice', dm, '✅'))).toBe(ACKED);
    expect(answer(await react('alice', dm, '☑️'))).toBe('You already acknowledged INC-1.');
  });

  it('a check mark on a page someone else acknowledged first says who did', async () => {
    const both = { ...PAGING, policies: [{ id: 'default', tiers: [{ targets: [{ user: 'alice' }, { user: 'bob' }], delay: '5m' }] }] };
    const dm = await paged(both);
    const [bobDm] = pageDms(text(app.output), 'bob');
    expect(answer(await react('bob', bobDm!, '✅'))).toBe(ACKED);
    expect(answer(await react('alice', dm, '✔️'))).toBe('@bob already acknowledged INC-1, so your page was stood down: nothing changed. Thank you.');
    expect((await eventsOf(app)).filter((e) => e.type === 'acknowledged')).toHaveLength(1);
  });

  it('a check mark after the incident was resolved says so', async () => {
    const dm = await paged();
    await app.type('/as @carol');
    await app.type('/incident resolve INC-1 rolled back');
    expect(answer(await react('alice', dm, '✔️'))).toBe('INC-1 is resolved; it cannot become acknowledged.');
  });
});
