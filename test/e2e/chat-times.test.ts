import { afterEach, describe, expect, it } from 'vitest';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';
import { PEOPLE as DISCORD_PEOPLE } from '../fakes/fake-discord.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { postsIn, shownText } from '../support/slack-views.js';

/**
 * Issue 11, item 8: every time in a chat message reaches the platform in its own markup, which
 * each reader's client shows in their zone, with the configured zone's text as the fallback. A
 * time typed by a person (in either platform's markup, or the bot's) stays plain text.
 */

const CONFIG = { timeZone: 'Asia/Seoul' };
/** What people might type to make the bot show a time of their choosing. */
const FORGED = 'DB <t:1|x> <t:1:R> <!date^1^{time}|x>';

/** The configured zone's text for an instant, as the fallback shows it (Asia/Seoul is UTC+9, no DST). */
function seoul(ms: number): string {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

describe('times on Slack', () => {
  let app: SlackTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('shows the summary times as <!date^…> with the configured zone as fallback, and keeps typed ones as text', async () => {
    app = await slackTestApp(CONFIG);
    const general = app.fake.workspace.channelByName('general')!.id;
    // Slack hands typed text over escaped; fromSlack turns it back into what was typed.
    const typed = FORGED.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const sent = await app.send.command(`declare ${typed} --sev P1`, { user: PEOPLE.carol, channel: general });
    await app.fake.waitForResponse(sent.responseUrl);
    await app.settle();
    const declared = (await app.events()).find((e) => e.type === 'declared')!;
    // Recorded as typed.
    expect(declared).toMatchObject({ title: FORGED });
    const declaredMs = Date.parse(declared.at);
    const unix = Math.floor(declaredMs / 1000);

    const channel = [...app.fake.workspace.channels.values()].find((c) => c.name.startsWith('inc-1'))!;
    const summary = [...postsIn(app.fake, channel.id), ...app.fake.callsTo('chat.update')].map(shownText).find((t) => t.includes('*Declared*'))!;
    expect(summary).toContain(`*Declared*\n<!date^${unix}^{date_short_pretty} {time}|${seoul(declaredMs)}>`);

    // The typed ones are escaped, so Slack shows them as typed; every <!date^…> Slack got is the bot's.
    expect(summary).toContain('DB &lt;t:1|x&gt; &lt;t:1:R&gt; &lt;!date^1^{time}|x&gt;');
    const everything = ['chat.postMessage', 'chat.update', 'conversations.setTopic'].flatMap((m) => app!.fake.callsTo(m)).map((c) => `${shownText(c)}\n${String(c.params.topic ?? '')}`);
    const dates = everything.flatMap((t) => [...t.matchAll(/<!date\^(\d+)\^/g)].map((m) => Number(m[1])));
    expect(dates.length).toBeGreaterThan(0);
    for (const at of dates) expect(at).toBeGreaterThanOrEqual(unix);
    expect(everything.join('\n')).not.toContain('\u0002');
    expect(everything.join('\n')).not.toContain('\u0003');
  });
});

describe('times on Discord', () => {
  let app: DiscordTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('shows the summary times as <t:…:f>, and breaks a typed <t:…> so it stays text', async () => {
    app = await discordTestApp(CONFIG);
    const channelId = await discordSteps(app).declare(DISCORD_PEOPLE.carol, FORGED);
    const declaredMs = Date.parse((await app.events()).find((e) => e.type === 'declared')!.at);
    const unix = Math.floor(declaredMs / 1000);

    const messages = [...app.fake.state.messages.values()].filter((m) => m.channel_id === channelId);
    const summary = messages.find((m) => m.embeds.some((e) => (e as { fields?: { name: string }[] }).fields?.some((f) => f.name === 'Declared')))!;
    const fields = (summary.embeds[0] as { fields: { name: string; value: string }[] }).fields;
    expect(fields.find((f) => f.name === 'Declared')?.value).toBe(`<t:${unix}:f>`);
    expect(summary.content).toContain('DB <\u200bt:1|x> <\u200bt:1:R> <!date^1^{time}|x>');

    const all = [...app.fake.state.messages.values()].map((m) => JSON.stringify([m.content, m.embeds]));
    const stamps = all.flatMap((t) => [...t.matchAll(/<t:(-?\d+):[a-zA-Z]>/g)].map((m) => Number(m[1])));
    expect(stamps.length).toBeGreaterThan(0);
    for (const at of stamps) expect(at).toBeGreaterThanOrEqual(unix);
    expect(all.join('\n')).not.toMatch(/\\u000[23]/);
  });
});
