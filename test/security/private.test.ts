import { afterEach, describe, expect, it } from 'vitest';
import type { ApiCall } from '../fakes/fake-slack.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, eventsOf, pageDms, text } from '../support/paging.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { dmsTo, postsIn, shownText, tsOf } from '../support/slack-views.js';

/**
 * Issue 9, finding 10: a `--private` incident's title, commander and channel were announced in
 * the announcement channel; `/incident list` and the wrong-channel error showed private titles to
 * anyone; the people paged for it were told to join a channel they could not see, and were never
 * invited. Now the announcement names only the reference and the commander, non-members find the
 * incident in no list and no error and cannot use it from outside its channel, the people paged
 * are invited, and every message the fakes received shows the title only inside its channel (or
 * to the members themselves).
 */

const TITLE = 'Payroll export LEAK';
const DECLARE = `declare ${TITLE} --sev P1 --private`;

describe('a private incident on Slack', () => {
  let app: SlackTestApp;
  afterEach(() => app?.close());

  const paging = {
    rotations: [{ id: 'backend', timeZone: 'UTC', layers: [{ members: [PEOPLE.alice], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
    policies: [{ id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }, { targets: [{ user: PEOPLE.dave }], delay: '10m' }] }],
    defaultPolicy: 'default',
  };
  /** Response URLs of the commands typed by someone who is not in the incident. */
  const outsiders = new Set<string>();

  async function command(textLine: string, user: string, channel: string): Promise<string> {
    const sent = await app.send.command(textLine, { user, channel });
    if (user === PEOPLE.erin || user === PEOPLE.bob) outsiders.add(sent.responseUrl);
    const answer = await app.fake.waitForResponse(sent.responseUrl);
    await app.settle();
    return String(answer.body.text);
  }

  it('is announced without its title or channel, hidden from outsiders, and lets in everyone it pages', async () => {
    app = await slackTestApp(paging);
    const general = app.fake.workspace.channelByName('general')!.id;
    const announce = app.fake.workspace.channelByName('incidents')!.id;
    expect(await command(DECLARE, PEOPLE.carol, general)).toContain(TITLE);
    const channel = app.fake.workspace.channelByName('inc-1-payroll-export-leak')!;
    expect(channel.is_private).toBe(true);

    expect(postsIn(app.fake, announce).map(shownText)).toEqual([':rotating_light: INC-1: a private incident was declared (P1); its commander is <@UCAROL>.']);
    // Paged with the declaration, before the channel existed: let in once it does, and told so.
    expect(channel.members.has(PEOPLE.alice)).toBe(true);
    const [alicePage] = dmsTo(app.fake, PEOPLE.alice);
    expect(shownText(alicePage!)).toContain('You are paged: INC-1 (P1), a private incident');

    await app.advance(5 * MIN);
    const [davePage] = dmsTo(app.fake, PEOPLE.dave);
    expect(shownText(davePage!)).toContain(`You are invited to its private channel <#${channel.id}>`);
    expect(channel.members.has(PEOPLE.dave)).toBe(true);

    // Outsiders: no list, no error and no command shows or touches it.
    expect(await command('list', PEOPLE.erin, general)).toBe('No open incidents.');
    expect(await command('list --all', PEOPLE.erin, general)).toBe('No open incidents.');
    const wrongChannel = await command('status identified', PEOPLE.erin, general);
    expect(wrongChannel).toContain('Open incidents: No open incidents.');
    expect(wrongChannel).not.toContain(channel.id);
    const refused = 'INC-1 is a private incident: only the people working on it can see it or use it from outside its channel. Ask its commander <@UCAROL> to add you.';
    for (const line of ['timeline INC-1', 'note INC-1 what is going on?', 'status INC-1 identified', 'ack INC-1', 'page INC-1 <@UBOB>', 'resolve INC-1 fine', 'escalate INC-1']) {
      expect(await command(line, PEOPLE.erin, general)).toBe(refused);
    }
    const missing = await command('note INC-2 hello', PEOPLE.bob, general);
    expect(missing).toMatch(/^There is no INC-2 in this workspace\. Open incidents: No open incidents\./);
    const types = (await app.events()).map((e) => e.type);
    expect(types).not.toContain('note_added');
    expect(types).not.toContain('status_changed');

    // Its own people still reach it from anywhere.
    expect(await command('list', PEOPLE.carol, general)).toContain(TITLE);
    expect(await command('timeline INC-1', PEOPLE.alice, general)).toContain(TITLE);

    await app.send.reaction({ user: PEOPLE.dave, channel: app.fake.workspace.dmWith(PEOPLE.dave).id, ts: tsOf(davePage!), reaction: 'white_check_mark' });
    await app.settle();
    expect(await command('resolve the export was switched off', PEOPLE.carol, channel.id)).toBe('Done.');
    expect(postsIn(app.fake, announce).map(shownText).at(-1)).toMatch(/^:white_check_mark: INC-1, a private incident, was resolved after \d+ min\.$/);

    expect(titleOutsideChannel(app, channel.id, outsiders)).toEqual([]);
    // The sweep above looks at messages that do carry the title: the channel's own.
    expect(app.fake.calls.filter((c) => c.params.channel === channel.id && JSON.stringify(c.params).includes(TITLE)).length).toBeGreaterThan(2);
  });

  it('a cancelled private incident is announced without its title or the reason', async () => {
    app = await slackTestApp();
    const general = app.fake.workspace.channelByName('general')!.id;
    await command(DECLARE, PEOPLE.carol, general);
    const channel = app.fake.workspace.channelByName('inc-1-payroll-export-leak')!;
    expect(await command('cancel payroll was fine after all', PEOPLE.carol, channel.id)).toBe('Done.');
    const announce = app.fake.workspace.channelByName('incidents')!.id;
    expect(postsIn(app.fake, announce).map(shownText).at(-1)).toBe('INC-1, a private incident, was cancelled.');
    expect(titleOutsideChannel(app, channel.id, outsiders)).toEqual([]);
  });
});

/**
 * Every Web API call and response_url post the fake received that shows the title (in any
 * field) somewhere else than the incident channel, or to someone who is not in the incident.
 */
function titleOutsideChannel(app: SlackTestApp, channelId: string, outsiderUrls: ReadonlySet<string>): string[] {
  const shows = (x: unknown) => JSON.stringify(x).toLowerCase().includes(TITLE.toLowerCase());
  // Where the call landed: chat.postMessage answers with the channel (a DM's, for a user id); others name it.
  const where = (c: ApiCall) => {
    const answered = c.answer?.channel;
    return typeof answered === 'string' ? answered : String(c.params.channel ?? '');
  };
  const calls = app.fake.calls.filter((c) => shows(c.params) && where(c) !== channelId).map((c) => `${c.method} → ${where(c)}`);
  const answers = app.fake.responses.filter((r) => outsiderUrls.has(r.url) && shows(r.body)).map((r) => `response → ${r.url}`);
  return [...calls, ...answers];
}

describe('a private incident in the local workspace', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  it('prints its title only in its channel and to its own people', async () => {
    app = await testApp(PAGING);
    await app.type('/as @carol');
    const declared = text(await app.type(`/incident ${DECLARE}`));
    const [alicePage] = pageDms(declared, 'alice');
    expect(declared).toContain('[#incidents · announcement');
    expect(declared).toContain('INC-1: a private incident was declared (P1); its commander is @carol.');
    expect(declared).toMatch(/\[#inc-1-payroll-export-leak\] [^\n]*@alice[^\n]* joined/);

    await app.type('/as @erin');
    await app.type('/join #general');
    const outsider = [
      ...(await app.type('/incident list')),
      ...(await app.type('/incident status identified')),
      ...(await app.type('/incident timeline INC-1')),
      ...(await app.type('/incident note INC-1 hello')),
    ];
    expect(text(outsider)).not.toContain('inc-1-payroll');
    expect((await eventsOf(app)).map((e) => e.type)).not.toContain('note_added');

    await app.advance(5 * MIN);
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${alicePage} ✅`))).toContain('Acknowledged INC-1.');
    await app.type('/as @carol');
    await app.type('/join #inc-1-payroll-export-leak');
    await app.type('/incident resolve all good');

    // Each printed block starts with where it happened; the title may show in its channel, in the
    // line that created it (its topic), and in answers to carol, who declared it.
    const allowed = [/^\[#inc-1-payroll-export-leak[\] ·]/, /^\[workspace\] private channel #inc-1-payroll-export-leak created/, /^\[only @carol sees this\]/];
    const leaks = app.output.filter((block) => block.includes(TITLE) && !allowed.some((a) => a.test(block)));
    expect(leaks).toEqual([]);
    expect(app.output.some((block) => block.includes(TITLE))).toBe(true);
  });
});
