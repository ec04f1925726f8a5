import { FAKE_SECRET, FakeSlack } from '../../test/fakes/fake-slack.js';
import type { Answer, Params } from '../../test/fakes/slack-web-api.js';
import { FakeDiscord, IDS, PEOPLE } from '../../test/fakes/fake-discord.js';
import type { Rng } from './rng.js';

/**
 * The two platforms of a chaos run, shared by both bot processes. FakeSlack knows one bot token,
 * so every Web API method the bot calls is routed here to accept one token per bot process: the
 * fake's own workspace still answers, and each call is attributed to the process that made it
 * (which one sent a page DM matters for the "DM out, process killed before it was linked" window).
 * Faults (429 with Retry-After, 5xx) are drawn from the seeded stream for every call to the
 * methods that carry pages and channels, on both fakes.
 */

export const SLACK_TEAM = 'T0TEST';
export const SLACK_WS = `slack:${SLACK_TEAM}`;
export const DISCORD_WS = `discord:${IDS.guild}`;
export const SLACK_USERS = ['UALICE', 'UBOB', 'UCAROL'] as const;
export const DISCORD_USERS = [PEOPLE.alice, PEOPLE.bob, PEOPLE.carol] as const;
export const SLACK_COMMANDER = 'UDAVE';

/** Every method the bot calls (SlackWorkspace answers these). */
const METHODS = [
  'auth.test', 'conversations.create', 'conversations.setTopic', 'conversations.invite', 'conversations.open', 'conversations.list',
  'conversations.info', 'conversations.join', 'chat.postMessage', 'chat.update', 'chat.postEphemeral', 'pins.add', 'reactions.add', 'users.info', 'views.open',
];
const FAULTED_SLACK = ['chat.postMessage', 'conversations.open', 'conversations.create', 'chat.update'];
const FAULTED_DISCORD = [/^\/channels\/\d+\/messages$/, /^\/users\/@me\/channels$/, /^\/guilds\/\d+\/channels$/];

/** A page DM a platform accepted: "You are paged: INC-n". `at` is epoch ms. */
export interface PageDm {
  workspace: string;
  /** The bot process that sent it (`A`, `B`). */
  bot: string;
  user: string;
  number: number;
  channelId: string;
  messageId: string;
  at: number;
}

/**
 * Called twice per page DM request from `bot`: before Slack accepts it ('refuse' drops it, as if
 * it never arrived) and right after, before the answer goes back to the bot.
 */
export type DmHook = (bot: string, phase: 'before' | 'after', dm: { user: string; number: number }) => 'refuse' | void;

export interface Faults {
  slack: number;
  discord: number;
}

export class Platforms {
  private readonly tokens = new Map<string, string>();
  private readonly slackDms: PageDm[] = [];
  private readonly hooks = new Set<DmHook>();
  readonly faults: Faults = { slack: 0, discord: 0 };

  private constructor(
    readonly slack: FakeSlack,
    readonly discord: FakeDiscord,
  ) {}

  static async start(rng: Rng, faultRate: number): Promise<Platforms> {
    const slack = await FakeSlack.start();
    const discord = await FakeDiscord.start();
    const p = new Platforms(slack, discord);
    const ws = slack.workspace;
    for (const u of [...SLACK_USERS, SLACK_COMMANDER]) ws.addUser(u, u.slice(1).toLowerCase());
    ws.addChannel('general', { botIsMember: true });
    ws.addChannel('incidents', { botIsMember: true });
    for (const method of METHODS) slack.route(method, (token, params) => p.answer(method, token, params));
    p.injectFaults(rng, faultRate);
    return p;
  }

  /** The SLACK_BOT_TOKEN of bot process `bot`. */
  tokenFor(bot: string): string {
    const token = `xoxb-chaos-${bot.toLowerCase()}`;
    this.tokens.set(token, bot);
    return token;
  }

  /** Adds a hook on page DMs; the returned function removes it. */
  onPageDm(hook: DmHook): () => void {
    this.hooks.add(hook);
    return () => void this.hooks.delete(hook);
  }

  private runHooks(bot: string, phase: 'before' | 'after', dm: { user: string; number: number }): 'refuse' | undefined {
    let answer: 'refuse' | undefined;
    for (const hook of [...this.hooks]) if (hook(bot, phase, dm) === 'refuse') answer = 'refuse';
    return answer;
  }

  get signingSecret(): string {
    return FAKE_SECRET;
  }

  /** Page DMs both platforms accepted so far, oldest first. */
  pageDms(): PageDm[] {
    return [...this.slackDms, ...this.discordDms()].sort((a, b) => a.at - b.at);
  }

  private discordDms(): PageDm[] {
    const { state } = this.discord;
    const out: PageDm[] = [];
    for (const m of state.messages.values()) {
      const channel = state.channels.get(m.channel_id);
      const number = pageNumber(m.content);
      const user = channel?.recipients?.[0]?.id;
      if (channel?.type !== 1 || m.author.id !== state.bot.id || number === undefined || !user) continue;
      out.push({ workspace: DISCORD_WS, bot: 'A', user, number, channelId: m.channel_id, messageId: m.id, at: Date.parse(m.timestamp) });
    }
    return out;
  }

  private answer(method: string, token: string, params: Params): Answer {
    const bot = this.tokens.get(token);
    if (!bot) return { ok: false, error: 'invalid_auth' };
    const ws = this.slack.workspace;
    const channel = ws.channels.get(String(params.channel ?? ''));
    const number = method === 'chat.postMessage' && channel?.is_im ? pageNumber(String(params.text ?? '')) : undefined;
    if (number === undefined || !channel) return ws.handle(method, params);
    // A page DM: the kill hooks run around the moment Slack accepts it.
    const dm = { user: channel.name, number };
    if (this.runHooks(bot, 'before', dm) === 'refuse') return { ok: false, error: 'internal_error' };
    const answer = ws.handle(method, params);
    if (answer.ok) {
      this.slackDms.push({ workspace: SLACK_WS, bot, user: channel.name, number, channelId: channel.id, messageId: String(answer.ts), at: Date.now() });
      this.runHooks(bot, 'after', dm);
    }
    return answer;
  }

  /** Half of the faults are 429s (Retry-After 1 s), half 500/503; `times: Infinity` keeps them armed. */
  private injectFaults(rng: Rng, rate: number): void {
    const slackRng = rng.fork('slack-faults');
    const discordRng = rng.fork('discord-faults');
    const slackHit = () => slackRng.chance(rate / 2) && ++this.faults.slack > 0;
    for (const method of FAULTED_SLACK) {
      this.slack.fail(method, { status: 429, retryAfter: 1 }, { times: Infinity, when: slackHit });
      this.slack.fail(method, { status: slackRng.chance(0.5) ? 500 : 503 }, { times: Infinity, when: slackHit });
    }
    const discordHit = () => discordRng.chance(rate / 2) && ++this.faults.discord > 0;
    for (const path of FAULTED_DISCORD) {
      this.discord.fail({ method: 'POST', path, status: 429, retryAfterS: 1, times: Infinity, when: discordHit });
      this.discord.fail({ method: 'POST', path, status: 500, times: Infinity, when: discordHit });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.slack.close(), this.discord.close()]);
  }
}

/** The incident number of a page DM's text, or undefined for any other message. */
export function pageNumber(text: string): number | undefined {
  const m = /You are paged: INC-(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}
