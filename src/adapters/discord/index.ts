import { once } from 'node:events';
import { Events, Status, type Client } from 'discord.js';
import { commands as allCommands } from '../../../commands/index.js';
import type { Command, Deps } from '../../app/context.js';
import type { Env } from '../../config.js';
import type { ChatPort, Logger } from '../../core/ports.js';
import { DiscordChat } from './chat.js';
import { createDiscordClient } from './client.js';
import { knowSelf, LeasedGateway, type GatewayLease, type GatewayStatus } from './gateway.js';
import { GatewaySessions } from './gateway-session.js';
import type { EventRef, HandledSequences } from './handled-sequences.js';
import type { DiscordContext } from './context.js';
import { editSeen, messageSeen, onGuildReaction, onMessage, onMessageDelete, onMessageUpdate, onRawPacket, onReactionRemoved, reactionSeen } from './inbound.js';
import { onInteraction } from './interactions.js';
import { runningClaimMs } from './replay-guard.js';
import { PLATFORM } from './workspace.js';

/**
 * The Discord adapter: one gateway connection (discord.js) for what people do, REST for what the
 * bot does; with replicas, one of them holds the gateway under a Redis lease (gateway.ts) and
 * every one does REST work. It translates events into the app's calls (dispatch, recordMessage,
 * recordReaction, pressButton) and implements the chat port; it keeps no state of its own beyond discord.js's
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
  /**
   * Replicas (src/main.ts): the gateway is opened only while this replica holds the lease, and
   * its session is kept with the lease for the next holder; the REST side works either way.
   * Without one the gateway connects at once (one process; the tests' in-process bots).
   */
  lease?: GatewayLease;
}

export interface DiscordAdapter {
  chat: ChatPort;
  stop(): Promise<void>;
  /** The gateway is connected (not while it reconnects). For /readyz. */
  connected(): boolean;
  /** With a lease: whether this replica holds the gateway, and who does. For /readyz. */
  gateway?(): Promise<GatewayStatus>;
}

/** The shards one gateway connection carries: one, for now; the lease is named after them. */
export const GATEWAY_SHARDS = { ids: [0], count: 1 };

export async function startDiscord(deps: Deps, env: Env, o: DiscordStartOptions = {}): Promise<DiscordAdapter> {
  if (!env.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set');
  const token = env.DISCORD_TOKEN;
  const log = deps.log.child({ platform: PLATFORM });
  const sessions = o.lease ? new GatewaySessions(o.lease, log) : null;
  const client = createDiscordClient({
    ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}),
    ...(sessions ? { shards: GATEWAY_SHARDS, buildStrategy: sessions.buildStrategy } : {}),
  });
  // Before any packet: which events are still being handled, for the session stored with the lease.
  sessions?.sequences.watch(client, log);
  // REST needs no gateway: a replica without the lease sends pages, posts and channels with it.
  client.rest.setToken(token);
  const categoryId = o.categoryId ?? env.DISCORD_CATEGORY_ID;
  const chat = new DiscordChat(client, { announceChannel: deps.config.channels.announce, categoryId: categoryId || undefined, log });
  const configured = (env.DISCORD_GUILD_ID ?? '').split(',').filter(Boolean);
  const ctx: DiscordContext = {
    deps: { ...deps, chat },
    client,
    commands: o.commands ?? allCommands,
    log,
    guildIds: () => [...new Set([...configured, ...client.guilds.cache.keys()])],
    ...(o.lease ? { replayClaimMs: runningClaimMs(o.lease.ttlMs) } : {}),
  };
  const connected = () => {
    for (const id of configured) {
      if (!client.guilds.cache.has(id)) log.error({ guild: id, fix: 'Invite the bot to this server, or remove the id from DISCORD_GUILD_ID.' }, 'discord bot is not in a configured guild');
    }
    if (categoryId && !client.guilds.cache.some((g) => chat.categoryIn(g))) {
      log.warn({ categoryId, fix: 'Set DISCORD_CATEGORY_ID to the id of a category (right-click it → Copy Channel ID), or unset it.' }, 'discord category not found; incident channels go to the top');
    }
    log.info({ user: client.user?.id, guilds: [...client.guilds.cache.keys()], categoryId }, 'discord connected');
  };
  const parts: Parts = { ctx, client, chat, token, configured, readyTimeoutMs: o.readyTimeoutMs ?? 60_000, handlers: new HandlerRuns(log, sessions?.sequences), connected };
  return o.lease && sessions ? startLeased(parts, o.lease, sessions) : startDirect(parts);
}

interface Parts {
  ctx: DiscordContext;
  client: Client;
  chat: DiscordChat;
  token: string;
  configured: string[];
  readyTimeoutMs: number;
  handlers: HandlerRuns;
  /** Once, after the gateway first opened: the guild and category checks, and `discord connected`. */
  connected(): void;
}

/** One process (and the tests' in-process bots): the gateway at once. */
async function startDirect(p: Parts): Promise<DiscordAdapter> {
  const { client, handlers } = p;
  listen(p.ctx, handlers, () => true);
  await connect(client, p.token, p.readyTimeoutMs);
  p.connected();
  return {
    chat: p.chat,
    connected: () => client.isReady(),
    async stop() {
      // Let handlers that are mid-way (a declare creating its channel) finish before the REST client goes.
      await handlers.drain(5_000);
      await client.destroy();
    },
  };
}

/** A replica: the gateway while it holds the lease, REST always. */
async function startLeased(p: Parts, lease: GatewayLease, sessions: GatewaySessions): Promise<DiscordAdapter> {
  const { client, handlers, ctx } = p;
  await knowSelf(client).catch(async (err: Error) => {
    await client.destroy();
    throw new Error(`Discord login failed: ${err.message}`);
  });
  const { ids, count } = GATEWAY_SHARDS;
  const gateway = new LeasedGateway({ client, token: p.token, lease, sessions, shardIds: ids, shardCount: count, guildIds: p.configured, readyTimeoutMs: p.readyTimeoutMs, log: ctx.log, onFirstOpen: p.connected });
  listen(ctx, handlers, () => gateway.holding());
  try {
    await gateway.start();
  } catch (err) {
    await lease.stop().catch(() => undefined);
    await client.destroy();
    throw new Error(`Discord login failed: ${loginFailure(err as Error)}`);
  }
  if (!gateway.holding()) ctx.log.info({ lease: lease.name, replica: lease.owner }, 'discord standby: another replica holds the gateway');
  return {
    chat: p.chat,
    connected: () => gateway.connected(),
    gateway: () => gateway.status(),
    async stop() {
      // The gateway first (its session stays resumable), then the handlers under way, then the lease.
      await gateway.stop();
      await handlers.drain(5_000);
      await gateway.release();
      await client.destroy();
    },
  };
}

/**
 * Runs event handlers, logs their failures, and lets shutdown wait for the ones under way. With
 * the lease, each run is tied to its gateway event (the one being dispatched, or `event`), so the
 * stored session stays below what is still being handled (handled-sequences.ts).
 */
class HandlerRuns {
  private readonly running = new Set<Promise<void>>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly log: Logger,
    private readonly sequences?: HandledSequences,
  ) {}

  /** The event a raw packet is (the raw listener runs before discord.js dispatches it). */
  packet(shardId: number, seq: number | null | undefined): EventRef | undefined {
    return this.sequences && typeof seq === 'number' ? this.sequences.ref(shardId, seq) : undefined;
  }

  now(kind: string, work: () => Promise<void>, event?: EventRef): void {
    const done = this.begin(event);
    this.track(kind, work(), done);
  }

  inOrder(key: string, kind: string, work: () => Promise<void>, event?: EventRef): void {
    const done = this.begin(event);
    const run = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = this.track(kind, run, done);
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private begin(event?: EventRef): () => void {
    return this.sequences?.begin(event ?? this.sequences.current()) ?? (() => undefined);
  }

  private track(kind: string, work: Promise<void>, done: () => void): Promise<void> {
    const p: Promise<void> = work
      .catch((err: unknown) => this.log.error({ err, kind }, 'discord event handler failed'))
      .finally(() => {
        this.running.delete(p);
        done();
      });
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
    const timedOut = err instanceof Error && err.name === 'AbortError';
    throw new Error(`Discord login failed: ${timedOut ? `no READY from the gateway within ${timeoutMs} ms` : loginFailure(err as Error)}`);
  }
}

/** Why a login failed, with the fix when it is a known one. */
function loginFailure(err: Error): string {
  const fix = /disallowed ?intents/i.test(err.message) ? ': switch on "Message Content Intent" for the bot in the Discord developer portal (Bot tab)' : '';
  return `${err.message}${fix}`;
}

/**
 * Interactions run at once (each must be deferred within 3 s). What concerns one message (it
 * was posted, edited, deleted, reacted to) runs in the order the gateway delivered it, so an edit
 * or a deletion finds its message on the timeline; different messages run side by side (the
 * timeline orders entries by their own time).
 */
function listen(ctx: DiscordContext, runs: HandlerRuns, expected: () => boolean): void {
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
  client.on('raw', (packet: { t?: string | null; s?: number | null; d?: { message_id?: string } }, shardId: number) => {
    const event = runs.packet(shardId, packet.s);
    if (packet.t === 'MESSAGE_REACTION_ADD') runs.inOrder(packet.d?.message_id ?? '', 'dm-reaction', () => onRawPacket(ctx, packet), event);
    // Only a live removal (not one replayed on a resume) lets the same reaction count again: inbound.ts onReactionRemoved.
    const live = client.ws.shards.get(shardId)?.status !== Status.Resuming;
    if (packet.t === 'MESSAGE_REACTION_REMOVE' && live) runs.inOrder(packet.d?.message_id ?? '', 'reaction-removed', () => onReactionRemoved(ctx, packet), event);
  });
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  watchGateway(client, log, expected);
}

/**
 * One line when the gateway goes away and one when it is back, however many retries between;
 * none when it was closed on purpose (`expected` false: the lease went to another replica).
 */
function watchGateway(client: Client, log: Logger, expected: () => boolean): void {
  let downSince: number | null = null;
  const back = (how: string) => {
    if (downSince !== null) log.info({ how, downMs: Date.now() - downSince }, 'discord gateway back');
    downSince = null;
  };
  client.on(Events.ShardReconnecting, (shard) => {
    if (downSince !== null || !expected()) return;
    downSince = Date.now();
    log.warn({ shard }, 'discord gateway connection lost; reconnecting');
  });
  client.on(Events.ShardResume, () => back('resumed'));
  client.on(Events.ShardReady, () => back('identified'));
  client.on(Events.ShardDisconnect, (event, shard) => log.error({ shard, code: event.code }, 'discord gateway closed and will not reconnect'));
  client.on(Events.ShardError, (err, shard) => log.warn({ shard, err: err.message }, 'discord gateway error'));
}
