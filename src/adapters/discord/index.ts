import { once } from 'node:events';
import { Events, type Client } from 'discord.js';
import { commands as allCommands } from '../../../commands/index.js';
import type { Command, Deps } from '../../app/context.js';
import type { Env } from '../../config.js';
import type { ChatPort, Logger } from '../../core/ports.js';
import { DiscordChat } from './chat.js';
import { createDiscordClient } from './client.js';
import type { DiscordContext } from './context.js';
import { editSeen, messageSeen, onGuildReaction, onMessage, onMessageDelete, onMessageUpdate, onRawPacket, reactionSeen } from './inbound.js';
import { onInteraction } from './interactions.js';
import { PLATFORM } from './workspace.js';

/**
 * The Discord adapter: one gateway connection (discord.js) for what people do, REST for what the
 * bot does. It translates events into the app's calls (dispatch, recordMessage, recordReaction,
 * pressButton) and implements the chat port; it keeps no state of its own beyond discord.js's
 * caches, so a restart or a gateway reconnect loses nothing: incidents and the escalation timers
 * live in Redis and BullMQ, and pages that fall due while the gateway is down still go out (REST).
 */

export interface DiscordStartOptions {
  /** The subcommands to serve; tests may pass a subset. Default: commands/index.ts. */
  commands?: readonly Command[];
  /** Category for incident channels; default DISCORD_CATEGORY_ID from the environment. */
  categoryId?: string;
  /** How long to wait for the gateway's READY and the guilds. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface DiscordAdapter {
  chat: ChatPort;
  stop(): Promise<void>;
  /** The gateway is connected (not while it reconnects). For /readyz. */
  connected(): boolean;
}

export async function startDiscord(deps: Deps, env: Env, o: DiscordStartOptions = {}): Promise<DiscordAdapter> {
  if (!env.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set');
  const log = deps.log.child({ platform: PLATFORM });
  const client = createDiscordClient(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {});
  const categoryId = o.categoryId ?? env.DISCORD_CATEGORY_ID;
  const chat = new DiscordChat(client, { announceChannel: deps.config.channels.announce, categoryId: categoryId || undefined, log });
  const configured = (env.DISCORD_GUILD_ID ?? '').split(',').filter(Boolean);
  const ctx: DiscordContext = {
    deps: { ...deps, chat },
    client,
    commands: o.commands ?? allCommands,
    log,
    guildIds: () => [...new Set([...configured, ...client.guilds.cache.keys()])],
  };
  const handlers = new HandlerRuns(log);
  listen(ctx, handlers);
  await connect(client, env.DISCORD_TOKEN, o.readyTimeoutMs ?? 60_000);
  for (const id of configured) {
    if (!client.guilds.cache.has(id)) log.error({ guild: id, fix: 'Invite the bot to this server, or remove the id from DISCORD_GUILD_ID.' }, 'discord bot is not in a configured guild');
  }
  if (categoryId && !client.guilds.cache.some((g) => chat.categoryIn(g))) {
    log.warn({ categoryId, fix: 'Set DISCORD_CATEGORY_ID to the id of a category (right-click it → Copy Channel ID), or unset it.' }, 'discord category not found; incident channels go to the top');
  }
  log.info({ user: client.user?.id, guilds: [...client.guilds.cache.keys()], categoryId }, 'discord connected');
  return {
    chat,
    connected: () => client.isReady(),
    async stop() {
      // Let handlers that are mid-way (a declare creating its channel) finish before the REST client goes.
      await handlers.drain(5_000);
      await client.destroy();
    },
  };
}

/** Runs event handlers, logs their failures, and lets shutdown wait for the ones under way. */
class HandlerRuns {
  private readonly running = new Set<Promise<void>>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly log: Logger) {}

  now(kind: string, work: () => Promise<void>): void {
    this.track(kind, work());
  }

  inOrder(key: string, kind: string, work: () => Promise<void>): void {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = this.track(kind, run);
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private track(kind: string, work: Promise<void>): Promise<void> {
    const p: Promise<void> = work.catch((err: unknown) => this.log.error({ err, kind }, 'discord event handler failed')).finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }
}

/** Logs in and waits for the client to have its guilds; fails with the reason instead of hanging. */
async function connect(client: Client, token: string, timeoutMs: number): Promise<void> {
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(timeoutMs) });
  try {
    await client.login(token);
    await ready;
  } catch (err) {
    await client.destroy().catch(() => undefined);
    const reason = err instanceof Error && err.name === 'AbortError' ? `no READY from the gateway within ${timeoutMs} ms` : (err as Error).message;
    const fix = /disallowed intents/i.test(reason) ? ': switch on "Message Content Intent" for the bot in the Discord developer portal (Bot tab)' : '';
    throw new Error(`Discord login failed: ${reason}${fix}`);
  }
}

/**
 * Interactions run at once (each must be deferred within 3 s). What concerns one message (it
 * was posted, edited, deleted, reacted to) runs in the order the gateway delivered it, so an edit
 * or a deletion finds its message on the timeline; different messages run side by side (the
 * timeline orders entries by their own time).
 */
function listen(ctx: DiscordContext, runs: HandlerRuns): void {
  const { client, log } = ctx;
  client.on(Events.InteractionCreate, (i) => runs.now('interaction', () => onInteraction(ctx, i)));
  client.on(Events.MessageCreate, (m) => {
    const seen = messageSeen(m);
    runs.inOrder(m.id, 'message', () => onMessage(ctx, seen));
  });
  client.on(Events.MessageUpdate, (before, after) => {
    const seen = editSeen(before, after);
    runs.inOrder(after.id, 'edit', () => onMessageUpdate(ctx, seen));
  });
  client.on(Events.MessageDelete, (m) => runs.inOrder(m.id, 'delete', () => onMessageDelete(ctx, m.guildId, m.channelId, m.id)));
  client.on(Events.MessageReactionAdd, (r, u) => {
    const seen = reactionSeen(ctx, r, u);
    runs.inOrder(r.message.id, 'reaction', () => onGuildReaction(ctx, seen));
  });
  client.on('raw', (packet: { t?: string | null; d?: { message_id?: string } }) => {
    if (packet.t === 'MESSAGE_REACTION_ADD') runs.inOrder(packet.d?.message_id ?? '', 'dm-reaction', () => onRawPacket(ctx, packet));
  });
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  watchGateway(client, log);
}

/** One line when the gateway goes away and one when it is back, however many retries between. */
function watchGateway(client: Client, log: Logger): void {
  let downSince: number | null = null;
  const back = (how: string) => {
    if (downSince !== null) log.info({ how, downMs: Date.now() - downSince }, 'discord gateway back');
    downSince = null;
  };
  client.on(Events.ShardReconnecting, (shard) => {
    if (downSince !== null) return;
    downSince = Date.now();
    log.warn({ shard }, 'discord gateway connection lost; reconnecting');
  });
  client.on(Events.ShardResume, () => back('resumed'));
  client.on(Events.ShardReady, () => back('identified'));
  client.on(Events.ShardDisconnect, (event, shard) => log.error({ shard, code: event.code }, 'discord gateway closed and will not reconnect'));
  client.on(Events.ShardError, (err, shard) => log.warn({ shard, err: err.message }, 'discord gateway error'));
}
