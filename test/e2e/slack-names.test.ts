import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * One person, one name, through the real Bolt app against FakeSlack. A slash command carries
 * the login (`user_name`: ucarol, ualice), a message carries no name and is named by users.info
 * (the display name: carol, alice). Whatever path a person's action took, the record and the
 * postmortem name them the same way.
 */

let app: SlackTestApp;
afterEach(() => app?.close());

async function command(text: string, user: string, channel: string): Promise<string> {
  const sent = await app.send.command(text, { user, channel });
  const answer = await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return String(answer.body.text ?? '');
}

describe('Slack: one name per person', () => {
  it('names a person the same from a command, from a message and in the postmortem', async () => {
    app = await slackTestApp();
    const general = app.fake.workspace.channelByName('general')!.id;
    await command('declare Checkout errors --sev P2', PEOPLE.carol, general);
    const channel = app.fake.workspace.channelByName('inc-1-checkout-errors')!.id;

    expect(await command('note rolling back 2.3.0', PEOPLE.alice, channel)).toContain('Noted');
    await app.send.message({ user: PEOPLE.alice, channel, text: 'rollback done, errors falling' });
    await app.settle();
    await command('resolve rolled back', PEOPLE.carol, channel);
    await command('action Alert on checkout errors', PEOPLE.carol, channel);
    expect(await command('close', PEOPLE.carol, channel)).toContain('closed');

    const events = await app.events();
    const namesOf = (id: string) => [...new Set(events.filter((e) => e.actor.id === id).map((e) => e.actor.name))];
    expect(namesOf(PEOPLE.alice)).toEqual(['alice']);
    expect(namesOf(PEOPLE.carol)).toEqual(['carol']);

    const written = events.find((e) => e.type === 'postmortem_written');
    const pm = await readFile(written?.type === 'postmortem_written' ? written.path : '', 'utf8');
    expect(pm).not.toMatch(/ualice|ucarol/);
    expect(pm).toMatch(/\d\d:\d\d {2}@alice {2}note: rolling back 2\.3\.0/);
    expect(pm).toMatch(/\d\d:\d\d {2}@alice {2}.*rollback done, errors falling/);
    expect(pm).toMatch(/\| Declared \| \S+ \S+ by carol \|/);
    expect(pm).toContain('| Commander | carol |');
    expect(pm).toMatch(/\| alice \| — \| \d\d:\d\d \| 1 \|/);
  });
});
