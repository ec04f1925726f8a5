import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { buttonsOf, dmsTo, postsIn, shownText, tsOf } from '../support/slack-views.js';

/**
 * One incident through the real Bolt app against FakeSlack, with real Redis and BullMQ: declare,
 * page tier 1, no answer, tier 2, a wrong person's ✅ refused, the paged person's ✅ accepted,
 * the channel's conversation on the timeline with a key event, resolve, close, postmortem.
 */

const MIN = 60_000;
const PAGING = {
  rotations: [{ id: 'backend', timeZone: 'UTC', layers: [{ members: [PEOPLE.alice], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
  policies: [{ id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }, { targets: [{ user: PEOPLE.dave }], delay: '10m' }] }],
  defaultPolicy: 'default',
};

let app: SlackTestApp;
afterEach(() => app?.close());

async function command(text: string, user: string, channel: string): Promise<string> {
  const sent = await app.send.command(text, { user, channel });
  expect(sent.status).toBe(200);
  const answer = await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return String(answer.body.text);
}

describe('Slack, end to end', () => {
  it('declares, pages tier 1 then tier 2, takes an ack by ✅ from the paged person only, records the channel, and posts the postmortem', async () => {
    app = await slackTestApp(PAGING);
    const general = app.fake.workspace.channelByName('general')!;
    expect(await command('declare DB down --sev P1', PEOPLE.carol, general.id)).toMatch(/^Declared INC-1: \*DB down\* \(P1\)\. Channel: <#C\w+>$/);

    const channel = app.fake.workspace.channelByName('inc-1-db-down')!;
    expect(channel.topic).toBe('INC-1 · P1 · DB down');
    expect(channel.members.has(PEOPLE.carol)).toBe(true);
    const announcement = postsIn(app.fake, app.fake.workspace.channelByName('incidents')!.id);
    expect(announcement.map(shownText).join('\n')).toContain('INC-1');

    const [aliceDm] = dmsTo(app.fake, PEOPLE.alice);
    expect(shownText(aliceDm!)).toContain('You are paged: INC-1 (P1) DB down');
    expect(buttonsOf(aliceDm!)).toEqual([{ actionId: 'incident_ack', value: '1' }, { actionId: 'incident_escalate', value: '1.1.0' }]);

    await app.advance(4 * MIN);
    expect(dmsTo(app.fake, PEOPLE.dave)).toHaveLength(0);
    await app.advance(1 * MIN);
    const [daveDm] = dmsTo(app.fake, PEOPLE.dave);
    expect(shownText(daveDm!)).toContain('You are paged: INC-1');

    const dmChannel = app.fake.workspace.dmWith(PEOPLE.dave).id;
    await app.send.reaction({ user: PEOPLE.erin, channel: dmChannel, ts: tsOf(daveDm!), reaction: 'white_check_mark' });
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.erin).map(shownText)).toEqual(['Only the person this page was sent to can acknowledge it.']);
    expect((await app.events()).filter((e) => e.type === 'acknowledged')).toHaveLength(0);

    app.clock.advance(2 * MIN);
    await app.send.reaction({ user: PEOPLE.dave, channel: dmChannel, ts: tsOf(daveDm!), reaction: 'white_check_mark' });
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.dave).map(shownText)).toContain('Acknowledged INC-1. Escalation stopped.');
    expect(postsIn(app.fake, channel.id).map(shownText).join('\n')).toMatch(/<@UDAVE> acknowledged INC-1, 7 min after the first page/);

    const said = app.clock.now().getTime() - 30_000;
    const ts = app.fake.workspace.nextTs(said);
    await app.send.message({ user: PEOPLE.alice, channel: channel.id, text: 'primary at 100% CPU, failing over', ts });
    await app.send.message({ user: PEOPLE.dave, channel: channel.id, text: 'failover done <@UALICE|alice>' });
    await app.send.reaction({ user: PEOPLE.dave, channel: channel.id, ts, reaction: 'pushpin' });
    await app.settle();
    const events = await app.events();
    const posted = events.filter((e) => e.type === 'message_posted');
    expect(posted.map((e) => e.type === 'message_posted' && e.text)).toEqual(['primary at 100% CPU, failing over', 'failover done <@UALICE>']);
    expect(posted[0]!.at).toBe(new Date(Math.floor(said / 1000) * 1000).toISOString());
    expect(events.filter((e) => e.type === 'key_event').map((e) => e.type === 'key_event' && e.text)).toEqual(['primary at 100% CPU, failing over']);

    expect(await command('resolve failed over to the replica', PEOPLE.carol, channel.id)).toBe('Done.');
    await command('close', PEOPLE.carol, channel.id);
    const inChannel = postsIn(app.fake, channel.id).map((c) => String(c.params.text));
    expect(inChannel.some((t) => t.includes('Postmortem') && t.includes('failing over'))).toBe(true);

    // The summary message is edited in place through the whole incident, never reposted; so is the
    // checklist, the one other message the bot keeps current. Both are pinned.
    const updates = app.fake.callsTo('chat.update', (c) => c.params.channel === channel.id && !String(c.params.text).includes('Response checklist'));
    expect(updates.length).toBeGreaterThan(2);
    expect(new Set(updates.map((c) => c.params.ts)).size).toBe(1);
    const checklist = app.fake.callsTo('chat.update', (c) => c.params.channel === channel.id && String(c.params.text).includes('Response checklist'));
    expect(checklist.length).toBeGreaterThan(1);
    expect(new Set(checklist.map((c) => c.params.ts)).size).toBe(1);
    expect(shownText(checklist.at(-1)!)).toContain('Closed');
    expect(app.fake.workspace.pinsOf(channel.id).sort()).toEqual([updates[0]?.params.ts, checklist[0]?.params.ts].sort());
    expect(shownText(updates.at(-1)!)).toMatch(/\*Status\*\nclosed/);
    expect(app.log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
