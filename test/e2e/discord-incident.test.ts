import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import { visibleText } from '../fakes/fake-discord-state.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING, discordSteps } from '../support/discord-steps.js';

/**
 * A whole incident on Discord: the real discord.js client against FakeDiscord (REST and gateway),
 * the real dispatcher, Redis store and BullMQ queues. People use `/incident`, get paged by DM,
 * react, write in the incident channel; the test reads what they would see.
 */

const MIN = 60_000;
const { alice, bob, carol, dave, erin } = PEOPLE;

let app: DiscordTestApp;
afterEach(() => app?.close());

describe('an incident on Discord, end to end', () => {
  it('declares, pages tier 1 then tier 2, takes the ack by ✅ from the paged person only, records the talk, and posts the postmortem', async () => {
    app = await discordTestApp(PAGING);
    const { fake } = app;
    const { pages, pagesTo, channelSays, dmSays, slash, timelineHas } = discordSteps(app);

    const declared = await slash(carol, IDS.general, 'declare', { title: 'DB down', sev: 'P1' });
    const channelId = fake.channelNamed('inc-1-db-down') ?? '';
    expect(declared).toEqual({ text: `Declared INC-1: **DB down** (P1). Channel: <#${channelId}>`, ephemeral: true });
    expect(fake.state.channel(channelId).topic).toBe('INC-1 · P1 · DB down');
    await channelSays(IDS.announce, `🚨 INC-1 declared: **DB down** · P1 · commander <@${carol.id}> · join <#${channelId}>`);
    await channelSays(channelId, `Welcome to INC-1. <@${carol.id}> is the incident commander.`);

    const [alicePage] = await pages(alice);
    expect(visibleText(alicePage!)).toMatch(/📟 \*\*You are paged: INC-1 \(P1\) DB down\*\*[\s\S]*\[ Acknowledge \] \[ Escalate \]$/);
    await channelSays(channelId, `📟 Paging <@${alice.id}> (tier 1 of 2, round 1)`);
    expect(pagesTo(dave)).toHaveLength(0);

    await app.advance(5 * MIN);
    const [davePage] = await pages(dave);
    await channelSays(channelId, `📟 Paging <@${dave.id}> (tier 2 of 2, round 1)`);

    fake.userReacts(erin, davePage!.id, '✅');
    await dmSays(erin, 'Only the person this page was sent to can acknowledge it.');
    expect((await app.events()).filter((e) => e.type === 'acknowledged')).toEqual([]);

    app.clock.advance(2 * MIN);
    fake.userReacts(dave, davePage!.id, '✅');
    await channelSays(channelId, `✅ <@${dave.id}> acknowledged INC-1, 7 min after the first page. Escalation stopped.`);
    await dmSays(dave, 'Acknowledged INC-1. Escalation stopped.');
    expect(await app.scheduler.pendingSteps(app.workspace, 1)).toEqual([]);

    app.clock.advance(1 * MIN);
    const finding = fake.userSays(bob, channelId, 'api-2 connection pool exhausted');
    const aside = fake.userSays(bob, channelId, 'restarting api-2 now');
    app.clock.advance(1 * MIN);
    fake.userEdits(finding.id, 'api-2 and api-3 connection pools exhausted');
    fake.userDeletes(aside.id);
    fake.userReacts(alice, finding.id, '📌');
    fake.userSays(bob, channelId, '👍 :thumbsup:');
    const events = await timelineHas(['message_posted', 'message_posted', 'message_posted', 'message_edited', 'message_deleted', 'key_event']);
    const posted = events.find((e) => e.type === 'message_posted' && e.messageId === finding.id);
    expect(posted).toMatchObject({ at: finding.timestamp, actor: { id: bob.id, name: 'Bob' }, text: 'api-2 connection pool exhausted' });
    expect(events.find((e) => e.type === 'key_event')).toMatchObject({ actor: { id: alice.id }, text: 'api-2 and api-3 connection pools exhausted' });
    expect(events.find((e) => e.type === 'message_deleted')).toMatchObject({ messageId: aside.id, actor: { id: bob.id } });

    expect(await slash(carol, channelId, 'resolve', { summary: 'pool size raised to 200' })).toEqual({ text: 'Done.', ephemeral: true });
    const closed = await slash(carol, channelId, 'close');
    expect(closed.text).toMatch(/^INC-1 is closed\. Postmortem draft: /);
    const intro = await channelSays(channelId, '**Postmortem draft for INC-1**');
    const postmortem = fake.textsIn(channelId).slice(fake.textsIn(channelId).indexOf(intro)).join('\n');
    expect(postmortem).toContain('# Postmortem: INC-1 DB down');
    expect(postmortem).toContain('api-2 connection pool exhausted');
    expect(postmortem).toContain('(edited a message) api-2 and api-3 connection pools exhausted');
    expect(postmortem).toContain('(deleted a message)');
    expect(fake.state.messagesIn(channelId).every((m) => m.content.length <= 2000)).toBe(true);
    const file = await readFile(/Postmortem draft: (\S+)/.exec(closed.text)?.[1] ?? '', 'utf8');
    expect(file).toContain('# Postmortem: INC-1 DB down');
  });
});
