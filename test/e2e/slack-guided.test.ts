import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { buttonsOf, dmsTo, postsIn, shownText, tsOf } from '../support/slack-views.js';

/**
 * The guided response on Slack: the real Bolt app against FakeSlack, real Redis and BullMQ, the
 * test's clock. Update reminders with their buttons, the pinned checklist and summary, a drill.
 */

const MIN = 60_000;
let app: SlackTestApp;
afterEach(() => app?.close());

async function command(text: string, user: string, channel: string): Promise<string> {
  const sent = await app.send.command(text, { user, channel });
  expect(sent.status).toBe(200);
  const answer = await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return String(answer.body.text);
}

const reminders = (channelId: string) => postsIn(app.fake, channelId).filter((c) => shownText(c).includes('an update on INC-1 was due'));

describe('the guided response on Slack', () => {
  it('reminds in the channel with buttons when an update is due, an update resets it, Snooze moves it, resolve stops it', async () => {
    app = await slackTestApp({});
    const general = app.fake.workspace.channelByName('general')!;
    await command('declare DB down --sev P1', PEOPLE.carol, general.id);
    const channel = app.fake.workspace.channelByName('inc-1-db-down')!;
    // The summary and the checklist are pinned.
    const pinned = app.fake.workspace.pinsOf(channel.id);
    expect(pinned).toHaveLength(2);
    expect(postsIn(app.fake, channel.id).filter((c) => pinned.includes(tsOf(c))).map((c) => shownText(c).split('\n')[0])).toEqual(
      expect.arrayContaining([expect.stringContaining('INC-1 · DB down'), expect.stringContaining('Response checklist · INC-1')]),
    );

    await app.advance(20 * MIN);
    expect(await command('update rolled back the deploy', PEOPLE.carol, channel.id)).toBe('Update posted in INC-1 and announced.');
    const announce = app.fake.workspace.channelByName('incidents')!;
    expect(postsIn(app.fake, announce.id).map(shownText).join('\n')).toContain('INC-1 update · *DB down* · P1 · investigating: rolled back the deploy');
    await app.advance(15 * MIN);
    expect(reminders(channel.id)).toHaveLength(0);
    await app.advance(15 * MIN);
    const [reminder] = reminders(channel.id);
    expect(reminder).toBeDefined();
    expect(shownText(reminder!)).toContain(`<@${PEOPLE.carol}>: an update on INC-1 was due at <!date^`);
    expect(buttonsOf(reminder!)).toEqual([
      { actionId: 'incident_update', value: '1' },
      { actionId: 'incident_snooze_15', value: '1' },
      { actionId: 'incident_snooze_60', value: '1' },
    ]);

    const pressed = await app.send.press({ user: PEOPLE.carol, actionId: 'incident_snooze_15', value: '1', channel: channel.id, messageTs: tsOf(reminder!) });
    expect(pressed.status).toBe(200);
    const answer = await app.fake.waitForResponse(pressed.responseUrl);
    expect(String(answer.body.text)).toMatch(/^Snoozed: the next reminder for INC-1 comes at <!date\^\d+\^/);
    await app.settle();
    await app.advance(14 * MIN);
    expect(reminders(channel.id)).toHaveLength(1);
    await app.advance(1 * MIN);
    expect(reminders(channel.id)).toHaveLength(2);

    await command('resolve rolled back', PEOPLE.carol, channel.id);
    await app.advance(3 * 60 * MIN);
    expect(reminders(channel.id)).toHaveLength(2);
    expect(app.log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('runs a drill labelled DRILL in its channel, page DM and announcement, and posts its symptoms', async () => {
    app = await slackTestApp({
      policies: [{ id: 'default', tiers: [{ targets: [{ user: PEOPLE.alice }], delay: '5m' }] }],
      defaultPolicy: 'default',
    });
    const general = app.fake.workspace.channelByName('general')!;
    expect(await command('drill thread-pool', PEOPLE.carol, general.id)).toMatch(/^Declared INC-1: \*DRILL: Thread-pool exhaustion on a sale day\* \(P1\)/);
    const channel = app.fake.workspace.channelByName('inc-1-drill-thread-pool-exhaustion-on-a-sale-day')!;
    expect(channel).toBeDefined();
    const [page] = dmsTo(app.fake, PEOPLE.alice);
    expect(shownText(page!)).toContain('You are paged: INC-1 (P1) DRILL: Thread-pool exhaustion on a sale day');
    const announce = app.fake.workspace.channelByName('incidents')!;
    expect(postsIn(app.fake, announce.id).map(shownText).join('\n')).toContain('INC-1 declared: *DRILL: Thread-pool exhaustion on a sale day*');
    const symptoms = () => postsIn(app.fake, channel.id).filter((c) => shownText(c).includes('Drill symptom'));
    expect(symptoms()).toHaveLength(1);
    await app.advance(8 * MIN);
    expect(symptoms().map(shownText)).toHaveLength(4);
  });
});
