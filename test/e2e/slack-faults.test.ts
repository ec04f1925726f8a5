import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_SECRET, FAKE_TOKEN } from '../fakes/fake-slack.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { dmsTo, postsIn, shownText } from '../support/slack-views.js';

/**
 * Slack pushing back: rate limits and 5xx delay a message and never lose or double it, a name
 * clash picks the next free name, a slow Web API never delays the ack, and what only a person
 * can fix (a missing scope, a missing announcement channel) is logged with the fix.
 */

const PAGE_ALICE = { policies: [{ id: 'default', tiers: [{ targets: [{ user: PEOPLE.alice }], delay: '5m' }] }], defaultPolicy: 'default' };

let app: SlackTestApp;
afterEach(() => app?.close());

async function declare(title: string): Promise<{ reply: string; respondedAt: number; sentAt: number }> {
  const general = app.fake.workspace.channelByName('general')!;
  const sent = await app.send.command(`declare ${title} --sev P1`, { user: PEOPLE.carol, channel: general.id });
  expect(sent.status).toBe(200);
  const answer = await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return { reply: String(answer.body.text), respondedAt: sent.respondedAt, sentAt: sent.sentAt };
}

const errors = () => app.log.lines.filter((l) => l.level === 'error');

describe('rate limits and outages', () => {
  it('delivers a page DM that got a 429 after Retry-After, exactly once', async () => {
    app = await slackTestApp(PAGE_ALICE);
    app.fake.fail('chat.postMessage', { status: 429, retryAfter: 1 }, { when: (p) => String(p.channel).startsWith('D') });
    await declare('DB down');
    const limited = app.fake.callsTo('chat.postMessage', (c) => c.status === 429);
    expect(limited).toHaveLength(1);
    const [dm] = await app.fake.waitFor(() => dmsTo(app.fake, PEOPLE.alice).length > 0 && dmsTo(app.fake, PEOPLE.alice), 'the page DM', 10_000);
    expect(dm!.at - limited[0]!.at).toBeGreaterThanOrEqual(950);
    expect(shownText(dm!)).toContain('You are paged: INC-1');
    await new Promise((r) => setTimeout(r, 300));
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.alice)).toHaveLength(1);
    expect(app.log.lines.some((l) => l.msg === 'outbound message rate limited; waiting Retry-After' && (l.data as { delayMs?: number }).delayMs === 1000)).toBe(true);
  });

  it('retries a channel post that got a 500 until it lands, once', async () => {
    app = await slackTestApp();
    app.fake.fail('chat.postMessage', { status: 500 }, { times: 2, when: (p) => String(p.text).startsWith('Welcome to INC-1') });
    await declare('Search slow');
    const channel = app.fake.workspace.channelByName('inc-1-search-slow')!;
    const welcome = () => postsIn(app.fake, channel.id).filter((c) => shownText(c).startsWith('Welcome to INC-1'));
    await app.fake.waitFor(() => welcome().length > 0, 'the welcome post');
    await app.settle();
    expect(welcome()).toHaveLength(1);
    expect(app.fake.callsTo('chat.postMessage', (c) => c.status === 500)).toHaveLength(2);
  });
});

describe('channels', () => {
  it('takes the next free name when the channel name is taken', async () => {
    app = await slackTestApp();
    app.fake.workspace.addChannel('inc-1-db-down');
    const { reply } = await declare('DB down');
    const created = app.fake.workspace.channelByName('inc-1-db-down-2')!;
    expect(reply.split('\n')[0]).toBe(`Declared INC-1: *DB down* (P1). Channel: <#${created.id}>`);
    expect(app.fake.callsTo('conversations.create').map((c) => c.params.name)).toEqual(['inc-1-db-down', 'inc-1-db-down-2']);
    expect(errors()).toEqual([]);
  });

  it('resolves the announcement channel by name once, joining it', async () => {
    app = await slackTestApp();
    await declare('First');
    await declare('Second');
    const incidents = app.fake.workspace.channelByName('incidents')!;
    expect(postsIn(app.fake, incidents.id)).toHaveLength(2);
    expect(app.fake.callsTo('conversations.list')).toHaveLength(1);
    expect(app.fake.callsTo('conversations.join').map((c) => c.params.channel)).toEqual([incidents.id]);
  });
});

describe('what a person must fix', () => {
  it('logs the missing scope and how to add it, and never a secret', async () => {
    app = await slackTestApp();
    app.fake.fail('conversations.create', { error: 'missing_scope', needed: 'channels:manage' });
    const { reply } = await declare('DB down');
    expect(reply.split('\n')[0]).toBe('Declared INC-1: *DB down* (P1). I could not open its channel yet and keep trying; the bot log says why. Meanwhile every command works from anywhere with the reference, e.g. `/incident status INC-1 identified …`.');
    const [line] = errors().filter((l) => l.msg === 'slack call failed: needs a fix');
    expect(line?.data).toMatchObject({ method: 'conversations.create', error: 'missing_scope' });
    expect((line?.data as { fix: string }).fix).toMatch(/add the channels:manage scope .* reinstall the app/);
    const logged = JSON.stringify(app.log.lines);
    expect(logged).not.toContain(FAKE_TOKEN);
    expect(logged).not.toContain(FAKE_SECRET);
  });

  it('says which announcement channel is missing and how to fix it, and gives up on that message', async () => {
    app = await slackTestApp({ channels: { prefix: 'inc', announce: 'war-room' } });
    await declare('DB down');
    await app.fake.waitFor(() => app.log.lines.find((l) => l.msg === 'outbound message failed permanently'), 'the queue to give up');
    const [missing] = errors().filter((l) => l.msg === 'slack announcement channel not found');
    expect((missing?.data as { fix: string }).fix).toContain('create the channel #war-room');
  });
});

describe('fast ack', () => {
  it('answers the command before the first Web API call it causes, even when Slack is slow', async () => {
    app = await slackTestApp();
    app.fake.fail('conversations.create', { delayMs: 1500 });
    const before = app.fake.calls.length;
    const { respondedAt, sentAt } = await declare('Checkout down');
    const caused = app.fake.calls.slice(before);
    expect(caused.map((c) => c.method)).toContain('conversations.create');
    expect(Math.min(...caused.map((c) => c.at))).toBeGreaterThan(respondedAt);
    expect(respondedAt - sentAt).toBeLessThan(1000);
  });
});
