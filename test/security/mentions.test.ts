import { afterEach, describe, expect, it } from 'vitest';
import { escapeForSlack, fromSlack } from '../../src/adapters/slack/mrkdwn.js';
import { renderMessages, toDiscordText } from '../../src/adapters/discord/render.js';
import { renderText } from '../../src/adapters/local/render.js';
import { chatTime } from '../../src/core/chat-time.js';
import { cleanText, cleanTitle } from '../../src/core/text.js';
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
  const blocks = typeof params.blocks === 'string' ? (JSON.parse(params.blocks) as unknown[]) : Array.isArray(params.blocks) ? (params.blocks as unknown[]) : [];
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
      // The one `<!…>` the bot writes is a time of its own (<!date^…>, issue 11): never from user text.
      expect(text).not.toMatch(/<!(?!date\^\d+\^)/);
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

describe('times only the bot can write', () => {
  const declared = chatTime('2025-12-26T00:47:00Z', 'Asia/Seoul');
  const unix = Date.parse('2025-12-26T00:47:00Z') / 1000;
  /** A time typed in every form a platform or the core knows, token delimiters included. */
  const typed = `<t:${unix}|x> <t:${unix}:R> <!date^${unix}^{time}|x> \u0002t:${unix}:f|x\u0003`;

  it('renders the core token per platform, with the configured zone as fallback', () => {
    expect(escapeForSlack(`declared ${declared}`)).toBe(`declared <!date^${unix}^{date_short_pretty} {time}|2025-12-26 09:47>`);
    expect(escapeForSlack(chatTime('2025-12-26T00:47:00Z', 'UTC', 'time'))).toBe(`<!date^${unix}^{time}|00:47>`);
    expect(toDiscordText(`declared ${declared}`)).toBe(`declared <t:${unix}:f>`);
    expect(toDiscordText(chatTime('2025-12-26T00:47:00Z', 'UTC', 'time'))).toBe(`<t:${unix}:t>`);
    expect(renderText(`declared ${declared}`, { color: false, channelName: (id) => id })).toBe('declared 2025-12-26 09:47');
    // Discord shows no markup in embed footers: the fallback there.
    const [message] = renderMessages({ text: 'x', fields: [{ label: 'Declared', value: declared }], footer: `since ${declared}` }, 'G1');
    expect(message?.embeds?.[0]).toMatchObject({ fields: [{ value: `<t:${unix}:f>` }], footer: { text: 'since 2025-12-26 09:47' } });
  });

  it('keeps what people type as text: the token delimiters are removed on the way in, platform markup is escaped on the way out', () => {
    const stored = cleanText(typed);
    for (const text of [stored, cleanTitle(typed)]) {
      expect(text).not.toContain('\u0002');
      expect(text).not.toContain('\u0003');
    }
    expect(escapeForSlack(stored)).toBe(`&lt;t:${unix}|x&gt; &lt;t:${unix}:R&gt; &lt;!date^${unix}^{time}|x&gt; t:${unix}:f|x`);
    expect(toDiscordText(stored)).toBe(`<\u200bt:${unix}|x> <\u200bt:${unix}:R> <!date^${unix}^{time}|x> t:${unix}:f|x`);
    // Even a token that bypassed the input cleaning cannot bring a delimiter to a platform.
    expect(escapeForSlack('cut \u0002t:1:f|2025')).toBe('cut t:1:f|2025');
    expect(toDiscordText('cut \u0002t:1:f|2025')).toBe('cut t:1:f|2025');
  });
});
