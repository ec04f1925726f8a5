import { afterEach, describe, expect, it } from 'vitest';
import { escapeForSlack, fromSlack } from '../../src/adapters/slack/mrkdwn.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';
import { PEOPLE as DISCORD_PEOPLE } from '../fakes/fake-discord.js';

/**
 * Issue 9, finding 3: user text must never become a broadcast mention or a link. Hostile text
 * goes in through every text field (title, the declare form's summary, a channel message, a note,
 * a resolve summary) and every message the fake platform received is inspected afterwards.
 */

/** What people type to notify everyone, in Slack's own wire form and as plain words. */
const HOSTILE = '@channel <!here> <!channel> <!everyone> <!subteam^S1|@oncall> @everyone @here <https://evil.example|click> &amp;';

/** Every mrkdwn string a Slack message carried: its text, its blocks' texts, fields and context. */
function slackTexts(params: Record<string, unknown>): string[] {
  const out = [String(params.text ?? ''), String(params.topic ?? '')];
  const blocks = typeof params.blocks === 'string' ? (JSON.parse(params.blocks) as unknown[]) : [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') return;
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(blocks);
  return out;
}

describe('mention-safe output on Slack', () => {
  const appRef = (a: SlackTestApp) => (app = a);
  let app: SlackTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('posts no <!…> broadcast and no disguised link from any text field, while the bot still mentions people', async () => {
    const app = await slackTestApp();
    appRef(app);
    const command = async (text: string, channel: string): Promise<void> => {
      const sent = await app.send.command(text, { user: PEOPLE.carol, channel });
      await app.fake.waitForResponse(sent.responseUrl);
      await app.settle();
    };
    const general = app.fake.workspace.channelByName('general')!.id;
    await command(`declare DB ${HOSTILE} --sev P1`, general);
    const channel = [...app.fake.workspace.channels.values()].find((c) => c.name.startsWith('inc-1'))!;
    await app.send.message({ user: PEOPLE.alice, channel: channel.id, text: `look ${HOSTILE}` });
    await app.settle();
    await command(`note ${HOSTILE}`, channel.id);
    await command(`resolve fixed ${HOSTILE}`, channel.id);
    await command('close', channel.id);

    const sent = ['chat.postMessage', 'chat.update', 'conversations.setTopic'].flatMap((m) => app.fake.callsTo(m));
    expect(sent.length).toBeGreaterThan(5);
    const texts = sent.flatMap((c) => slackTexts(c.params));
    for (const text of texts) {
      expect(text).not.toMatch(/<!/);
      expect(text).not.toMatch(/<https?:/);
    }
    // The hostile words are still there to read, escaped, and the bot's own mentions still work.
    expect(texts.join('\n')).toContain('@here');
    expect(texts.join('\n')).toContain('click (https://evil.example)');
    expect(texts.some((t) => t.includes(`<@${PEOPLE.carol}>`))).toBe(true);
    // The record keeps what people typed, as words.
    const events = await app.events();
    const message = events.find((e) => e.type === 'message_posted');
    expect(message && 'text' in message ? message.text : '').toContain('@here @channel @everyone @oncall');
  });

  it('escapes by one rule that user text cannot bypass', () => {
    expect(escapeForSlack('<@U1> and <#C2> <!channel> a<b>c & <@U1|x> <@u1>')).toBe('<@U1> and <#C2> &lt;!channel&gt; a&lt;b&gt;c &amp; &lt;@U1|x&gt; &lt;@u1&gt;');
    expect(fromSlack('<@U1|alice> <!here> <!subteam^S9|@db> <https://a.example|docs> &lt;b&gt; &amp;')).toBe('<@U1> @here @db docs (https://a.example) <b> &');
    // Linear: no pattern rescans the text; 1 MB of unclosed brackets is handled.
    expect(fromSlack('<!'.repeat(500_000)).length).toBe(1_000_000);
  });
});

describe('mention-safe output on Discord', () => {
  let app: DiscordTestApp;
  afterEach(() => app?.close());

  it('sends every message with allowed_mentions limited to users', async () => {
    app = await discordTestApp();
    const { declare } = discordSteps(app);
    await declare(DISCORD_PEOPLE.carol, 'DB @everyone @here <@&123456789012345678>');
    await app.settle();
    const posts = app.fake.rest.requests.filter((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path));
    expect(posts.length).toBeGreaterThan(1);
    for (const p of posts) {
      const body = p.body as { allowed_mentions?: { parse?: string[] } };
      expect(body.allowed_mentions?.parse ?? []).not.toContain('everyone');
      expect(body.allowed_mentions?.parse ?? []).not.toContain('roles');
      expect(body.allowed_mentions).toBeDefined();
    }
  });
});
