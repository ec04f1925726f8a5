import { App, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import { commands as allCommands } from '../../../commands/index.js';
import type { Command, Deps } from '../../app/context.js';
import type { Env } from '../../config.js';
import type { ChatPort, Logger } from '../../core/ports.js';
import type { HttpServer } from '../../http/server.js';
import { boltLogger } from './bolt-logger.js';
import { registerCommand } from './commands.js';
import type { SlackContext } from './context.js';
import { slackCall } from './errors.js';
import { registerEvents } from './events.js';
import { InFlight } from './in-flight.js';
import { registerInteractions } from './interactions.js';
import { SlackHttpReceiver } from './receiver.js';
import { SlackChat } from './slack-chat.js';

/**
 * The Slack adapter: Bolt receives commands, events and interactions (HTTP on `/slack/events`,
 * or Socket Mode when SLACK_APP_TOKEN is set), translates them into dispatch() calls and the
 * inbound recorders, and SlackChat carries the core's effects out through the Web API.
 */

/** Per-call limit: the WebClient default is none, and a hung call would hold a queue worker. */
export const WEB_API_TIMEOUT_MS = 10_000;
/** How long stop() waits for work that started after an ack (a declare creating its channel). */
const STOP_GRACE_MS = 10_000;

export interface SlackOptions {
  /** HTTP mode: the bot's HTTP server to serve /slack/events on (src/main.ts passes it). */
  http?: HttpServer;
  /** HTTP mode without `http`: the port of a server of its own; default PORT. 0 picks a free one (tests, benchmarks). */
  port?: number;
  commands?: readonly Command[];
  /** The clock for the future-timestamp check (tests of the time window). */
  now?: () => number;
}

export interface SlackAdapter {
  chat: ChatPort;
  stop(): Promise<void>;
  /** The port listened on in HTTP mode. */
  port?: number;
  /** HTTP mode: started. Socket Mode: the WebSocket is open (not while it reconnects). For /readyz. */
  connected(): boolean;
  /** Resolves true once the work started by earlier requests has finished. */
  idle(timeoutMs?: number): Promise<boolean>;
}

/**
 * WebClient settings for a bot whose important messages go through a retrying queue: no
 * in-client retries (ten over 30 minutes, by default, would hold a worker that long), a timeout,
 * and a 429 rejected at once so the queue waits exactly Retry-After for that one message,
 * instead of the client pausing every call.
 */
export function webClientOptions(env: Pick<Env, 'SLACK_API_URL'>, logger: BoltLogger): webApi.WebClientOptions {
  return {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    timeout: WEB_API_TIMEOUT_MS,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger,
  };
}

/**
 * The Socket Mode client's own Web API settings: it only calls apps.connections.open to get its
 * WebSocket URL, and a single 5xx there must be retried, not end the reconnect loop (our main
 * client's `retries: 0` would). Messages never go through this client.
 */
function socketClientOptions(env: Pick<Env, 'SLACK_API_URL'>, logger: BoltLogger): webApi.WebClientOptions {
  return {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    timeout: WEB_API_TIMEOUT_MS,
    retryConfig: { retries: 10, factor: 1.96, minTimeout: 500, maxTimeout: 30_000 },
    logger,
  };
}

export async function startSlack(deps: Deps, env: Env, options: SlackOptions = {}): Promise<SlackAdapter> {
  const token = env.SLACK_BOT_TOKEN;
  if (!token) throw new Error('SLACK_BOT_TOKEN is not set');
  const log = deps.log.child({ platform: 'slack' });
  const logger = boltLogger(log);
  const clientOptions = webClientOptions(env, logger);
  const auth = await checkToken(new webApi.WebClient(token, clientOptions), log);
  const receiver = env.SLACK_APP_TOKEN ? undefined : httpReceiver(env, log, logger, options);
  const socket = env.SLACK_APP_TOKEN
    ? new SocketModeReceiver({ appToken: env.SLACK_APP_TOKEN, logger, installerOptions: { clientOptions: socketClientOptions(env, logger) } })
    : undefined;
  const app = new App({
    token,
    botId: auth.botId,
    botUserId: auth.botUserId,
    // checkToken just ran auth.test; Bolt would repeat it.
    tokenVerificationEnabled: false,
    logger,
    clientOptions,
    convoStore: false,
    ...(receiver ? { receiver } : { socketMode: true, appToken: env.SLACK_APP_TOKEN, receiver: socket }),
  });
  const chat = new SlackChat(app.client, log, { announceChannel: deps.config.channels.announce, botUserId: auth.botUserId });
  const ctx: SlackContext = { deps, chat, log, work: new InFlight(), commands: options.commands ?? allCommands };
  registerEvents(app, ctx);
  registerCommand(app, ctx);
  registerInteractions(app, ctx);
  app.error(async (err) => log.error({ err: err.message, code: err.code }, 'slack listener failed'));
  await app.start(...(receiver ? [options.port ?? env.PORT] : []));
  log.info({ mode: receiver ? 'http' : 'socket', team: auth.teamId, port: receiver?.port }, 'slack adapter started');
  return {
    chat,
    port: receiver?.port,
    connected: () => (socket ? socket.client.websocket?.isActive() === true : true),
    idle: (timeoutMs) => ctx.work.idle(timeoutMs),
    async stop() {
      await app.stop();
      if (!(await ctx.work.idle(STOP_GRACE_MS))) log.warn({ running: ctx.work.size }, 'slack work still running at shutdown');
    },
  };
}

function httpReceiver(env: Env, log: Logger, boltLog: BoltLogger, options: SlackOptions): SlackHttpReceiver {
  if (!env.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is needed in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  return new SlackHttpReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET,
    boltLogger: boltLog,
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.http ? { http: options.http } : {}),
  });
}

/** auth.test once at start: a bad token stops the bot with what to do, not at the first event. */
async function checkToken(client: webApi.WebClient, log: Logger): Promise<{ botId?: string; botUserId?: string; teamId?: string }> {
  try {
    const res = await slackCall(log, 'auth.test', () => client.auth.test());
    return { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id };
  } catch (err) {
    const fix = (err as { fix?: string }).fix;
    throw new Error(`Slack did not accept the bot token (${(err as Error).message})${fix ? `: ${fix}` : ''}`);
  }
}
