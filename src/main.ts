import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { RedisClient } from './infra/redis-client.js';
import { commands } from '../commands/index.js';
import type { Deps } from './app/context.js';
import { deliver, deliveryGaveUp, runStep } from './app/escalation.js';
import { rearmEscalations } from './app/rearm.js';
import { runHandoff, startHandoffs } from './app/handoff.js';
import { loadConfig, parseEnv, type AppConfig, type Env } from './config.js';
import { resolveAlertSecrets } from './core/alerts/auth.js';
import type { AlertSecret } from './core/alerts/config.js';
import { translator } from './core/i18n/index.js';
import type { ChatPort, Clock, Logger } from './core/ports.js';
import { LocalTerminal } from './adapters/local/terminal.js';
import { LocalWorkspace } from './adapters/local/local-workspace.js';
import { RoutingChat } from './adapters/routing-chat.js';
import { startSlack } from './adapters/slack/index.js';
import { GATEWAY_SHARDS, startDiscord } from './adapters/discord/index.js';
import { gatewayLeaseName, gatewayReadiness } from './adapters/discord/gateway.js';
import { LeaseKeeper, RedisLease } from './infra/lease.js';
import { isLoopback } from './infra/redis-server.js';
import { demoStepMs } from './demo-script.js';
import { systemClock } from './infra/clock.js';
import { createLogger } from './infra/logger.js';
import { PromMetrics } from './infra/metrics.js';
import { backgroundEffects, onShutdownSignal, stopInOrder } from './infra/shutdown.js';
import { observedChat, observedStore } from './infra/observe.js';
import type { ReadinessCheck } from './http/health.js';
import { httpBanner, withLocalSource } from './http/local-source.js';
import { startHttpServer, type HttpServer } from './http/server.js';
import { PostmortemFiles } from './infra/postmortem-files.js';
import { describeTarget, openRedis, reachRedis, whenReady } from './infra/redis-connect.js';
import { BullScheduler } from './scheduler/bullmq-scheduler.js';
import { bullConnection, logLateRedisErrors } from './scheduler/bull-clients.js';
import { startWorkers } from './scheduler/workers.js';
import { HandoffQueue, startHandoffWorker } from './scheduler/handoff.js';
import { RedisAlertStore } from './store/redis-alerts.js';
import { startAlertSweep } from './app/alerts.js';
import { RedisOnCallStore } from './store/redis-oncall.js';
import { RedisOutbox } from './store/redis-outbox.js';
import { startRelay } from './app/relay.js';
import { RedisIncidentStore } from './store/redis-store.js';
import { RedisPostmortemIndex } from './store/redis-postmortems.js';
import { RedisStatsIndex } from './store/redis-stats.js';
import { RedisActionIndex } from './store/redis-actions.js';
import { FollowupQueue, startFollowupWorker } from './scheduler/followups.js';
import { runFollowup, startFollowups } from './app/followups.js';
import { statsChartRenderer } from './app/stats-chart.js';
import { buildStatsIndex } from './app/stats-index.js';
import { dashboard } from './web/mount.js';
import type { RegisterRoutes } from './web/context.js';
import { webAreas } from './web/areas.js';
import { playgroundRoutes } from './web/playground.js';
import { playgroundDemo } from './web/playground-demo.js';
import { LOCAL_WORKSPACE } from './adapters/local/seat.js';

/**
 * The only place that builds concrete things: config, Redis, the store, the queues, the logger
 * and the platform adapters, wired into the Deps every command receives.
 */

export interface Settings {
  env: Env;
  config: AppConfig;
  /** Each alert source's secret, by source id, read from the environment (none: no source takes alerts). */
  alertSecrets?: Map<string, AlertSecret>;
}

/** Reads env, config and alert secrets; on any problem prints every one of them and exits. */
export function settingsOrExit(processEnv: NodeJS.ProcessEnv = process.env): Settings {
  const env = parseEnv(processEnv);
  if (!env.ok) exitWith('Environment problems:', env.problems);
  const config = loadConfig(env.env.INCIDENT_CONFIG);
  if (!config.ok) exitWith(`Config problems in ${env.env.INCIDENT_CONFIG}:`, config.problems);
  const secrets = resolveAlertSecrets(config.config.alertSources, processEnv);
  if (!secrets.ok) exitWith('Alert source secrets missing from the environment:', secrets.problems);
  return { env: env.env, config: config.config, alertSecrets: secrets.secrets };
}

function exitWith(title: string, problems: string[]): never {
  process.stderr.write(`${title}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}

interface Core {
  deps: Deps;
  /** The main connection (the Discord gateway lease uses it). */
  redis: RedisClient;
  scheduler: BullScheduler;
  log: Logger;
  metrics: PromMetrics;
  /** /readyz: Redis and the workers; the platforms add theirs. */
  readiness: Map<string, ReadinessCheck>;
  /** Redis is connected (no I/O): alert requests get a 503 at once when not. */
  redisUp(): boolean;
  close(): Promise<void>;
}

interface CoreOptions {
  chat: ChatPort;
  clock?: Clock;
  logFile?: string;
  print?: (line: string) => void;
  platform: string;
}

/** The states ic_queue_jobs reports for every queue. */
const QUEUE_STATES = ['wait', 'delayed', 'prioritized', 'active', 'failed'] as const;

/** The stores on one Redis connection, observed for metrics, and the rest of what commands use. */
function buildDeps(s: Settings, o: CoreOptions, parts: { redis: RedisClient; scheduler: BullScheduler; log: Logger; metrics: PromMetrics }): Deps {
  const { env, config } = s;
  const { redis, scheduler, log, metrics } = parts;
  const store = observedStore(new RedisIncidentStore(redis, env.KEY_PREFIX), metrics);
  metrics.watch({ store, severities: config.severities.map((sev) => sev.id), queues: () => scheduler.jobCounts(), log });
  return {
    store,
    chat: o.chat,
    clock: o.clock ?? systemClock,
    config,
    t: translator(config.locale),
    log: log.child({ platform: o.platform }),
    postmortems: new PostmortemFiles(config.postmortems.dir),
    scheduler,
    oncall: new RedisOnCallStore(redis, env.KEY_PREFIX),
    outbox: new RedisOutbox(redis, env.KEY_PREFIX),
    alerts: new RedisAlertStore(redis, env.KEY_PREFIX),
    stats: new RedisStatsIndex(redis, env.KEY_PREFIX),
    postmortemIndex: new RedisPostmortemIndex(redis, env.KEY_PREFIX),
    actions: new RedisActionIndex(redis, env.KEY_PREFIX),
    charts: statsChartRenderer({ chat: o.chat, log }),
    stepEffectsInBackground: true,
    eagerPages: true,
    metrics,
  };
}

/** Redis (found or started), the store, the queues and their workers, around a given chat port. */
async function openCore(s: Settings, o: CoreOptions): Promise<Core> {
  const { env } = s;
  const reached = await reachRedis(env, join(env.DATA_DIR, 'redis'), o.print);
  const where = describeTarget(reached.target);
  // Auto-pipelining: commands issued in the same tick share one round trip (per node under Cluster).
  const redis = openRedis(reached.target, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const log = createLogger({ level: env.LOG_LEVEL, ...(o.logFile ? { file: o.logFile } : {}) });
  redis.on('error', (err) => log.error({ redis: where, err: err.message }, 'redis connection error'));
  await whenReady(redis, reached.target).catch(async (err: Error) => {
    redis.disconnect();
    await reached.stop();
    throw err;
  });
  // BullMQ opens its own connections from the same options (bull-clients.ts).
  const connection = bullConnection(reached.target);
  const queuePrefix = `${env.KEY_PREFIX}{q}`;
  logLateRedisErrors(log);
  const scheduler = new BullScheduler({ connection, prefix: queuePrefix, log });
  const metrics = new PromMetrics();
  const deps = buildDeps(s, o, { redis, scheduler, log, metrics });
  const workers = startWorkers({
    connection,
    prefix: queuePrefix,
    log: deps.log,
    onStep: (ref, job) => {
      // Paging steps only: the guided response's timers (reminders, drill symptoms) are not paging.
      if (ref.kind === undefined || ref.kind === 'ack_timeout') metrics.stepLate(deps.clock.now().getTime() - Date.parse(job.dueAt));
      return runStep(deps, ref);
    },
    deliver: (job) => deliver(deps, job),
    onGaveUp: (job, err) => deliveryGaveUp(deps, job, err),
    onRetry: (reason) => metrics.outboundRetry(reason),
  });
  // Shift handoff DMs: their own queue and worker (src/app/handoff.ts).
  const handoffQueue = new HandoffQueue({ connection, prefix: queuePrefix, log });
  deps.handoffs = handoffQueue;
  const handoffWorker = startHandoffWorker({ connection, prefix: queuePrefix, log: deps.log, run: (ref) => runHandoff(deps, ref) });
  // Follow-up reminders and the weekly digest (issue 12): their own queue and worker (src/app/followups.ts).
  const followupQueue = new FollowupQueue({ connection, prefix: queuePrefix, log });
  deps.followups = followupQueue;
  const followupWorker = startFollowupWorker({ connection, prefix: queuePrefix, log: deps.log, run: (ref) => runFollowup(deps, ref) });
  // ic_queue_jobs counts the handoff and follow-up queues too, in the states the other queues report.
  const countsOf = async (queue: { counts(): Promise<Record<string, number>> }): Promise<Record<string, number>> => {
    const counts = await queue.counts();
    return Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0]));
  };
  const queues = async () => ({ ...(await scheduler.jobCounts()), handoff: await countsOf(handoffQueue), followups: await countsOf(followupQueue) });
  metrics.watch({ store: deps.store, severities: s.config.severities.map((sev) => sev.id), queues, log });
  const readiness = new Map<string, ReadinessCheck>([
    ['redis', async () => (redis.status === 'ready' ? (await redis.ping()) === 'PONG' : `redis connection ${redis.status}`)],
    ['workers', () => (workers.running() && handoffWorker.running() && followupWorker.running()) || 'queue workers are not running'],
  ]);
  // Effects that a crashed or restarted process left in the outbox go out first.
  const relay = startRelay(deps);
  const { armed, overdue } = await rearmEscalations(deps);
  log.info({ redis: where, spawnedRedis: reached.spawned, armed, overdue }, 'core started');
  // The sweep again every minute: a timer whose queueing failed (Redis blip) is back within a minute.
  const sweep = setInterval(() => void rearmEscalations(deps).catch((err: Error) => log.error({ err: err.message }, 'escalation sweep failed')), 60_000);
  sweep.unref();
  // Sources with resolveAfterQuiet: their silent alerts count as resolved (every minute).
  const quiet = startAlertSweep(deps);
  const handoffs = await startHandoffs(deps);
  const followups = await startFollowups(deps);
  // The stats index, built once from the finished incidents recorded before it existed (src/app/stats-index.ts).
  await buildStatsIndex(deps).then((written) => written > 0 && log.info({ written }, 'stats index built'), (err: Error) => log.error({ err: err.message }, 'stats index build failed'));
  const close = async (): Promise<void> => {
    clearInterval(sweep);
    quiet.stop();
    handoffs.stop();
    followups.stop();
    await backgroundEffects(5_000);
    await stopInOrder(log, [
      ['relay', () => relay.stop()],
      ['workers', () => workers.close(5_000)],
      ['handoff worker', () => handoffWorker.close()],
      ['follow-up worker', () => followupWorker.close()],
      ['queues', () => scheduler.close()],
      ['handoff queue', () => handoffQueue.close()],
      ['follow-up queue', () => followupQueue.close()],
      // A connection to a Redis that is away cannot say goodbye; nothing to report.
      ['redis connection', () => redis.quit().catch(() => undefined)],
      ['redis', () => reached.stop()],
    ]);
  };
  return { deps, redis, scheduler, log, metrics, readiness, redisUp: () => redis.status === 'ready', close };
}

/**
 * The HTTP server on PORT, serving health, metrics, the alert endpoints of `config` and the web
 * dashboard (with `playground` among its areas when given); `replica` names this process in /readyz.
 */
async function serveHttp(s: Settings, core: Core, host: string, replica?: string, playground?: RegisterRoutes): Promise<HttpServer> {
  const web = dashboard({ env: s.env, deps: core.deps, redis: core.redis, areas: [...webAreas, ...(playground ? [playground] : [])], playground: Boolean(playground) });
  const http = await startHttpServer({
    port: s.env.PORT,
    host,
    log: core.log.child({ component: 'http' }),
    readiness: core.readiness,
    ...(replica ? { replica } : {}),
    metrics: core.metrics,
    alerts: { deps: core.deps, sources: s.config.alertSources, secrets: s.alertSecrets ?? new Map(), metrics: core.metrics, available: core.redisUp },
    ...(web ? { web: (app) => web.register(app) } : {}),
    trustProxy: Boolean(s.env.PUBLIC_URL?.startsWith('https:')),
  });
  web?.listening(http.url);
  return http;
}


/**
 * The terminal's line about the dashboard: a one-time sign-in link for LOCAL_USER (as
 * `/incident web` sends one), so the playground opens from the terminal with one click.
 */
async function dashboardBanner(web: NonNullable<Core['deps']['web']>, user: string, url: string, playground: boolean): Promise<string> {
  const link = await web.signInLink({ platform: 'local', workspace: LOCAL_WORKSPACE, userId: user, name: user });
  const where = playground ? `the dashboard and the playground are on ${url}` : `the dashboard is on ${url}`;
  return `Web: ${where}; sign in as @${user} with ${link.url} (works once, for ${link.minutes} minutes; type /incident web for a new link).`;
}

export interface LocalOptions extends Settings {
  input: Readable;
  print: (line: string) => void;
  clock?: Clock;
  /** Shows a prompt before each line when a person is typing. */
  interactive?: boolean;
  onReady?: (terminal: LocalTerminal, scheduler: BullScheduler, chat: LocalWorkspace) => void;
  /** Awaited after the input ends, before shutting down: lets queued pages go out. */
  linger?: () => Promise<void>;
}

/**
 * Runs the local terminal workspace until its input ends, someone types /quit, or SIGINT/SIGTERM
 * (then the HTTP server stops taking requests at once, the line being handled finishes, and the
 * requests under way finish before the core closes).
 */
export async function runLocal(o: LocalOptions): Promise<void> {
  const chat = new LocalWorkspace(o.print, o.config.channels.announce, Boolean(o.interactive && process.stdout.isTTY), { idFile: join(o.env.DATA_DIR, 'local-ids.json') });
  const logFile = o.env.LOG_FILE ?? join(o.env.DATA_DIR, 'bot.log');
  const local = withLocalSource(o.config, o.alertSecrets ?? new Map(), o.env.DATA_DIR);
  const settings: Settings = { ...o, config: local.config, alertSecrets: local.secrets };
  const core = await openCore(settings, { chat, logFile, print: o.print, platform: 'local', ...(o.clock ? { clock: o.clock } : {}) });
  const host = o.env.HOST ?? '127.0.0.1';
  // The playground acts as anyone in the workspace: only for this machine's own browser.
  const playground = isLoopback(host) ? playgroundRoutes({ chat, deps: core.deps, localUser: o.env.LOCAL_USER, demo: playgroundDemo({ deps: core.deps, workspace: chat, commands }, { stepMs: demoStepMs() }) }) : undefined;
  const http = await serveHttp(settings, core, host, undefined, playground).catch((err: NodeJS.ErrnoException) => {
    o.print(`HTTP port ${o.env.PORT} ${err.code === 'EADDRINUSE' ? 'is in use' : `cannot be opened (${err.code ?? err.message})`}: alerts and health checks are off; set PORT to a free port.`);
    return undefined;
  });
  const terminal = new LocalTerminal(core.deps, chat, commands, o.print, { user: o.env.LOCAL_USER });
  o.print(terminal.banner());
  if (http) o.print(httpBanner(http, settings.config.alertSources, local.added));
  if (http && core.deps.web) o.print(await dashboardBanner(core.deps.web, o.env.LOCAL_USER, http.url, Boolean(playground)));
  o.onReady?.(terminal, core.scheduler, chat);
  // The terminal reads through `lines`, so a signal can end its input after the line under way.
  const lines = new PassThrough();
  o.input.pipe(lines);
  const signal = onShutdownSignal();
  let stopping = false;
  void signal.signalled.then((name) => {
    stopping = true;
    o.print(`Shutting down (${name}) ...`);
    void http?.close();
    o.input.unpipe(lines);
    lines.end();
  });
  try {
    const prompt = o.interactive ? (s: { user: string; channel: string }) => process.stdout.write(`@${s.user} #${s.channel}> `) : undefined;
    await terminal.run(lines, prompt);
    if (o.linger && !stopping) await o.linger();
  } finally {
    signal.off();
    await http?.close();
    await core.close();
  }
}

/** Runs Slack and/or Discord (whichever has credentials) until SIGINT or SIGTERM. */
export async function runPlatforms(s: Settings): Promise<void> {
  const chat = new RoutingChat();
  const core = await openCore(s, { chat, platform: 'bot', ...(s.env.LOG_FILE ? { logFile: s.env.LOG_FILE } : {}) });
  const signal = onShutdownSignal();
  const stops: (() => Promise<void>)[] = [];
  let http: HttpServer | undefined;
  try {
    http = await serveHttp(s, core, s.env.HOST ?? '0.0.0.0', replicaId(s.env)).catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is in use' : `cannot be opened (${err.code ?? err.message})`;
      throw new Error(`HTTP port ${s.env.PORT} ${why}: Slack's /slack/events, the alert endpoints and the health checks need it; set PORT to a free port.`);
    });
    if (s.env.SLACK_BOT_TOKEN) {
      core.readiness.set('slack', () => 'starting');
      const slack = await startSlack(core.deps, s.env, { http });
      chat.register('slack', observedChat(slack.chat, core.metrics, 'slack'));
      core.readiness.set('slack', () => slack.connected() || 'socket mode connection is down');
      stops.push(slack.stop);
    }
    if (s.env.DISCORD_TOKEN) {
      core.readiness.set('discord', () => 'starting');
      // Every replica does Discord's REST work; the gateway goes to the holder of this lease.
      const discord = await startDiscord(core.deps, s.env, { lease: discordLease(s.env, core) });
      chat.register('discord', observedChat(discord.chat, core.metrics, 'discord'));
      core.readiness.set('discord', async () => (discord.gateway ? gatewayReadiness(await discord.gateway()) : discord.connected() || 'gateway connection is down'));
      stops.push(discord.stop);
    }
    await signal.signalled;
  } finally {
    signal.off();
    core.log.info({}, 'shutting down');
    // No new requests; the ones under way (Slack acks, alerts) finish before the adapters and the core go.
    await http?.close();
    for (const stop of stops.reverse()) await stop().catch((err: Error) => core.log.error({ err: err.message }, 'adapter stop failed'));
    await core.close();
  }
}

/** This process among the bot's replicas: REPLICA_ID, else `<hostname>-<pid>` (docs/operations.md). */
export function replicaId(env: Env): string {
  return env.REPLICA_ID ?? `${hostname()}-${process.pid}`;
}

/** The Discord gateway's lease, one per bot application and shard set, held by one replica at a time. */
function discordLease(env: Env, core: Core): LeaseKeeper {
  const name = gatewayLeaseName(env.DISCORD_APPLICATION_ID ?? '', GATEWAY_SHARDS.ids, GATEWAY_SHARDS.count);
  const lease = new RedisLease(core.redis, name, { prefix: env.KEY_PREFIX, ttlMs: env.DISCORD_LEASE_TTL_MS });
  return new LeaseKeeper(lease, { owner: replicaId(env), pollMs: env.DISCORD_LEASE_POLL_MS, log: core.log.child({ component: 'lease' }) });
}

async function main(): Promise<void> {
  const settings = settingsOrExit();
  if (settings.env.SLACK_BOT_TOKEN || settings.env.DISCORD_TOKEN) return runPlatforms(settings);
  await runLocal({ ...settings, input: process.stdin, print: (line) => console.log(line), interactive: process.stdin.isTTY });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
