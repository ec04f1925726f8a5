import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';

/**
 * The guided response on Discord: the real discord.js client against FakeDiscord, the real
 * dispatcher, Redis store and BullMQ queues, the test's clock. Update reminders and their
 * buttons, the pinned checklist and summary, reopen, a drill.
 */

const MIN = 60_000;
const { alice, carol } = PEOPLE;
let app: DiscordTestApp;
afterEach(() => app?.close());

describe('the guided response on Discord', () => {
  it('pins the summary and checklist, reminds with buttons when an update is due, Snooze moves it, reopen brings it back', async () => {
    app = await discordTestApp({});
    const { fake } = app;
    const { slash, channelSays } = discordSteps(app);
    await slash(carol, IDS.general, 'declare', { title: 'DB down', sev: 'P1' });
    const channelId = fake.channelNamed('inc-1-db-down') ?? '';
    await channelSays(channelId, 'Response checklist · INC-1');
    expect(fake.pinsOf(channelId)).toHaveLength(2);

    const reminders = () => fake.state.messagesIn(channelId).filter((m) => m.content.includes('an update on INC-1 was due'));
    await app.advance(29 * MIN);
    expect(reminders()).toHaveLength(0);
    await app.advance(1 * MIN);
    const [reminder] = reminders();
    expect(reminder?.content).toMatch(/⏰ <@\d+>: an update on INC-1 was due at <t:\d+:f>/);
    expect(reminder?.components.flatMap((r) => r.components).map((b) => b.label)).toEqual(['Post update', 'Snooze 15 min', 'Snooze 1 h']);

    const snoozed = await fake.answered(fake.press(carol, reminder!.id, 'Snooze 1 h'));
    expect(snoozed.text).toMatch(/^Snoozed: the next reminder for INC-1 comes at <t:\d+:f>\.$/);
    await app.settle();
    await app.advance(59 * MIN);
    expect(reminders()).toHaveLength(1);
    await app.advance(1 * MIN);
    expect(reminders()).toHaveLength(2);

    expect((await slash(carol, channelId, 'update', { text: 'failing over' })).text).toBe('Update posted in INC-1 and announced.');
    await channelSays(IDS.announce, '📣 INC-1 update · **DB down** · P1 · investigating: failing over');
    await slash(carol, channelId, 'resolve', { summary: 'failed over' });
    await app.advance(2 * 60 * MIN);
    expect(reminders()).toHaveLength(2);
    expect((await slash(carol, channelId, 'reopen', { reason: 'errors again' })).text).toBe('Reopened INC-1.');
    await app.advance(30 * MIN);
    expect(reminders()).toHaveLength(3);
  });

  it('runs a drill labelled DRILL everywhere, paging only its starter when dry', async () => {
    app = await discordTestApp({ policies: [{ id: 'default', tiers: [{ targets: [{ user: alice.id }], delay: '5m' }] }], defaultPolicy: 'default' });
    const { fake } = app;
    const { slash, channelSays, pages, pagesTo } = discordSteps(app);
    const answer = await slash(carol, IDS.general, 'drill', { scenario: 'db-connection', dry: true });
    expect(answer.text).toContain('Dry run: only you are paged.');
    const channelId = fake.channelNamed('inc-1-drill-db-connection-failure') ?? '';
    expect(channelId).not.toBe('');
    const [page] = await pages(carol);
    expect(page?.content).toContain('You are paged: INC-1 (P1) DRILL: DB connection failure');
    expect(pagesTo(alice)).toHaveLength(0);
    await channelSays(IDS.announce, 'INC-1 declared: **DRILL: DB connection failure**');
    await channelSays(channelId, '🧪 Drill symptom: Payment API errors at 48%');
  });
});
