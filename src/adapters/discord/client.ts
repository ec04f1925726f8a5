import { Client, GatewayIntentBits, Partials, type RateLimitData, type WebSocketOptions } from 'discord.js';

/**
 * The discord.js client as the bot needs it. Intents: guild text channels and their reactions,
 * what people write there (MessageContent is privileged: switch it on in the developer portal),
 * and DMs with their reactions (acknowledging a page by ✅). Partials let events about messages,
 * reactions and DM channels the client never cached still arrive.
 */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.DirectMessageReactions,
];

export const PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User];

/**
 * Which rate limits come back to us as a RateLimitError instead of being slept out inside
 * discord.js: a route's own bucket (a 429, or one discord.js sees coming from the headers) on
 * sending, editing or pinning a message and on opening a DM, the calls the outbound queue carries. The
 * queue then waits Retry-After with the job parked in Redis, so nothing waits in memory and the
 * other channels keep flowing. The global limit (50 requests/s, paced by discord.js itself, at
 * most a second) is waited out in place, as are interaction answers, channel creation and
 * permission changes, which someone is waiting for.
 */
export function rejectedRateLimit(data: Pick<RateLimitData, 'route' | 'global'>): boolean {
  if (data.global) return false;
  // `/channels/:id` is a channel edit (its topic): Discord allows two per 10 minutes, so waiting in
  // place could hold a command that long; the outbox retries it after Retry-After instead.
  // Pins come from the outbox too (the summary is pinned once it is posted).
  return /^\/channels\/:id(\/messages(\/:id)?|(\/messages)?\/pins\/:id)?$/.test(data.route) || data.route === '/users/@me/channels';
}

export interface DiscordClientOptions {
  /** DISCORD_API_URL: the REST base (`http://127.0.0.1:PORT/api` for a fake); the gateway URL comes from it. */
  api?: string;
  /** Per request; below the outbound queue's 15 s delivery timeout so a hung call is ours to retry. */
  timeoutMs?: number;
  /** The shards this client connects, fixed (the gateway lease names them); default: as Discord recommends. */
  shards?: { ids: number[]; count: number };
  /** Replicas: the gateway session kept with the lease (gateway-session.ts). */
  buildStrategy?: WebSocketOptions['buildStrategy'];
}

export function createDiscordClient(o: DiscordClientOptions = {}): Client {
  return new Client({
    intents: INTENTS,
    partials: PARTIALS,
    rest: {
      ...(o.api ? { api: o.api } : {}),
      rejectOnRateLimit: rejectedRateLimit,
      timeout: o.timeoutMs ?? 10_000,
      // One quick retry of a 5xx or a timeout inside discord.js; after that the queue's backoff decides.
      retries: 1,
    },
    // Mentions in posts may ping people, never @everyone or roles (a title could contain one).
    allowedMentions: { parse: ['users'] },
    ...(o.shards ? { shards: o.shards.ids, shardCount: o.shards.count } : {}),
    ...(o.buildStrategy ? { ws: { buildStrategy: o.buildStrategy } } : {}),
  });
}
