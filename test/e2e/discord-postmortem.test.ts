import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';

/**
 * `/postmortem` on Discord, the second application command (Discord allows 25 subcommands per
 * command and `/incident` keeps its 23): each subcommand runs the text command the local
 * workspace and Slack type after `/incident`, through the real discord.js client and FakeDiscord.
 */

const { carol, bob } = PEOPLE;
let app: DiscordTestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('/postmortem on Discord', () => {
  it('records a why in the incident channel, rewrites one by number from #general, and refuses a why out of order', async () => {
    app = await discordTestApp();
    const { declare, slash, channelSays, timelineHas } = discordSteps(app);
    const ch = await declare(carol, 'DB down');

    expect(await slash(carol, ch, 'postmortem why', { answer: 'the pool was too small' })).toEqual({ text: 'Why 1 of 5 recorded for INC-1.', ephemeral: true });
    await channelSays(ch, `<@${carol.id}> why 1: the pool was too small`);
    expect(await slash(carol, IDS.general, 'postmortem why', { number: '1', answer: 'the pool had 10 connections', incident: 'INC-1' })).toEqual({
      text: 'Why 1 of INC-1 rewritten.',
      ephemeral: true,
    });
    const events = await timelineHas(['why_recorded', 'why_recorded']);
    expect(events.filter((e) => e.type === 'why_recorded').map((e) => e.type === 'why_recorded' && [e.n, e.text, e.actor.id])).toEqual([
      [1, 'the pool was too small', carol.id],
      [1, 'the pool had 10 connections', carol.id],
    ]);

    const refused = await slash(carol, ch, 'postmortem why', { number: '5', answer: 'skipped ahead' });
    expect(refused).toMatchObject({ text: expect.stringContaining('There is no why 5 to write'), ephemeral: true });
    // The catalog's `/incident why …` reads as the command a Discord user can type.
    expect(refused.text).toContain('`/postmortem why 2 5 nodes were down`');
    expect((await app.events()).filter((e) => e.type === 'why_recorded')).toHaveLength(2);
  });

  it('takes cause, impact, lesson and summary, then posts the draft with them and records the review', async () => {
    app = await discordTestApp();
    const { declare, slash, channelSays } = discordSteps(app);
    const ch = await declare(carol, 'DB down');
    await slash(carol, ch, 'postmortem cause', { text: 'a missing index' });
    await slash(carol, ch, 'postmortem impact', { figures: 'users=1200 orders=350' });
    await slash(carol, ch, 'postmortem lesson', { kind: 'lucky', text: 'it was a Sunday' });
    await slash(carol, ch, 'postmortem summary', { text: 'Checkout failed for 20 minutes' });
    const events = await app.events();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['cause_recorded', 'impact_recorded', 'lesson_recorded', 'summary_set']));

    expect((await slash(carol, ch, 'postmortem done')).text).toContain('INC-1 is still investigating');
    await slash(carol, ch, 'resolve', { summary: 'index added' });
    const draft = await slash(carol, IDS.general, 'postmortem draft', { incident: 'INC-1' });
    expect(draft.text).toMatch(new RegExp(`^The postmortem draft of INC-1 is written again and posted in <#${ch}>`));
    await channelSays(ch, 'a missing index');
    await channelSays(ch, 'it was a Sunday');

    const done = await slash(carol, IDS.general, 'postmortem done', { incident: 'INC-1', reviewers: `<@${bob.id}> <@${carol.id}>` });
    expect(done.text).toBe(`Postmortem review of INC-1 recorded (reviewers: <@${bob.id}>, <@${carol.id}>). Its checklist step is ticked; no more review reminders.`);
    const reviewed = (await app.events()).find((e) => e.type === 'postmortem_reviewed');
    expect(reviewed?.type === 'postmortem_reviewed' && reviewed.reviewers.map((r) => r.id)).toEqual([bob.id, carol.id]);
  });

  it('answers actions and stats from any channel', async () => {
    app = await discordTestApp();
    const { slash } = discordSteps(app);
    expect(await slash(carol, IDS.general, 'postmortem actions', { filter: 'overdue' })).toEqual({ text: 'No overdue follow-ups.', ephemeral: true });
    expect(await slash(carol, IDS.general, 'postmortem stats', { since: '90d' })).toEqual({
      text: expect.stringMatching(/^\*\*Incident stats\*\*, last 90 days \(since <t:\d+:f>\)\nNo closed incidents in this period\./),
      ephemeral: true,
    });
    expect((await slash(carol, IDS.general, 'postmortem stats', { since: 'yesterday-ish' })).text).toContain('yesterday-ish');
  });
});
