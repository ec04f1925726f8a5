import { fork, type ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { backgroundRuns } from '../src/app/record.js';
import { startRelay } from '../src/app/relay.js';
import type { AlertSecret } from '../src/core/alerts/config.js';
import type { ChatPort, MessageRef, OutboundMessage, UploadFile } from '../src/core/ports.js';
import { LocalWorkspace } from '../src/adapters/local/local-workspace.js';
import { MAX_ALERT_BODY_BYTES } from '../src/http/alerts.js';
import { startHttpServer } from '../src/http/server.js';
import { PromMetrics } from '../src/infra/metrics.js';
import { observedStore } from '../src/infra/observe.js';
import { BullScheduler } from '../src/scheduler/bullmq-scheduler.js';
import { RedisAlertStore } from '../src/store/redis-alerts.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';
import { GROUP_HEADER, type StormPlan, type StormReply, type StormRequest, type StormResult } from './alert-storm-load.js';
import { benchConfig, benchDeps, benchWorkers } from './lib/bot.js';
import { knobReader, type OptionsOf } from './lib/env.js';
import { openFixture, type Fixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { loadAverages, nodeAndCpu, printTable } from './lib/report.js';
import { fmt, stats, type Stats } from './lib/stats.js';

/**
 * An alert storm (issue 10): 10,000 Alertmanager alerts in 200 groups (50 alerts a group, each
 * with its own fingerprint, one groupKey a group), 5 alerts a request (2,000 requests), sent by
 * 20 concurrent senders as fast as the bot answers. The bot is what src/main.ts builds (Redis
 * stores observed for metrics, the outbox relay, BullMQ workers, the one HTTP server with its
 * alert routes), in this process, paging one person through a local workspace that prints
 * nothing; the senders are a child process (bench/alert-storm-load.ts), as Alertmanager is.
 *
 * Figures: alerts/s accepted, p50/p99 response time, incidents created (must be 200), page DMs
 * (must be 200: one round a group), and alert received → page DM call (from the server taking
 * the first request of a group to ChatPort.dm for its page). Baseline in the same run: the same
 * requests answered by Fastify with an empty 202 handler, with the alert routes' body parsing
 * (raw bytes, the same body limit). Exits non-zero when the counts are wrong, never on timing.
 */

const KNOBS = {
  groups: ['BENCH_ALERT_GROUPS', 200],
  alertsPerGroup: ['BENCH_ALERTS_PER_GROUP', 50],
  alertsPerRequest: ['BENCH_ALERTS_PER_REQUEST', 5],
  senders: ['BENCH_ALERT_SENDERS', 20],
} as const;

export type AlertStormOptions = OptionsOf<typeof KNOBS>;

export const alertStormOptionsFromEnv = knobReader(KNOBS);

const SOURCE = 'storm';
const WARM_SOURCE = 'warm';
const TOKEN = 'bench-alert-storm-token';
const PAGED = /You are paged: (INC-\d+)/;
const SETTLE_TIMEOUT_MS = 120_000;

/** The local workspace (printing nothing) with each page DM's call time noted by incident. */
class CountingChat implements ChatPort {
  /** `<workspace> INC-n` → when chat.dm was first called for its page. */
  readonly pagedAt = new Map<string, number>();
  pages = 0;
  private readonly local = new LocalWorkspace(() => undefined, 'incidents');

  async dm(ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    const ref = PAGED.exec(message.text)?.[1];
    if (ref) {
      const at = performance.now();
      if (ws === 'local') this.pages++;
      if (!this.pagedAt.has(`${ws} ${ref}`)) this.pagedAt.set(`${ws} ${ref}`, at);
    }
    return this.local.dm(ws, userId, message);
  }
  createChannel = (ws: string, name: string, o: { topic: string; private: boolean }) => this.local.createChannel(ws, name, o);
  invite = (ws: string, channelId: string, userIds: string[]) => this.local.invite(ws, channelId, userIds);
  setTopic = (ws: string, channelId: string, topic: string) => this.local.setTopic(ws, channelId, topic);
  post = (ws: string, channelId: string, message: OutboundMessage) => this.local.post(ws, channelId, message);
  update = (ws: string, ref: MessageRef, message: OutboundMessage) => this.local.update(ws, ref, message);
  announce = (ws: string, message: OutboundMessage, channel?: string) => this.local.announce(ws, message, channel);
  react = (ws: string, ref: MessageRef, emoji: string) => this.local.react(ws, ref, emoji);
  pin = (ws: string, ref: MessageRef) => this.local.pin(ws, ref);
  dmFile = (ws: string, userId: string, file: UploadFile, message?: OutboundMessage) => this.local.dmFile(ws, userId, file, message);
  userName = (ws: string, userId: string) => this.local.userName(ws, userId);
  isMember = (ws: string, userId: string) => this.local.isMember(ws, userId);
}

/** The senders' process, as request → reply. */
class Senders {
  private seq = 0;
  private readonly waiting = new Map<number, (reply: StormReply) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: StormReply) => {
      if ('id' in reply) this.waiting.get(reply.id)?.(reply);
    });
  }

  static start(): Promise<Senders> {
    const file = fileURLToPath(new URL('./alert-storm-load.ts', import.meta.url));
    const child = fork(file, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_ALERT_LOAD: '1' } });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the senders' process exited with ${code}`)));
      child.once('message', (m: StormReply) => 'op' in m && m.op === 'ready' && resolve(new Senders(child)));
    });
  }

  async storm(plan: StormPlan): Promise<StormResult> {
    const reply = await this.ask({ op: 'storm', plan });
    if (!reply.result) throw new Error('senders: no result');
    return reply.result;
  }

  async stop(): Promise<void> {
    this.child.removeAllListeners('exit');
    await this.ask({ op: 'stop' }).catch(() => undefined);
  }

  private async ask(req: { op: 'storm'; plan: StormPlan } | { op: 'stop' }): Promise<Extract<StormReply, { ok: true }>> {
    const id = ++this.seq;
    const reply = await new Promise<StormReply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...req, id } satisfies StormRequest);
    });
    this.waiting.delete(id);
    if (!('ok' in reply) || !reply.ok) throw new Error(`senders: ${'error' in reply ? reply.error : 'bad reply'}`);
    return reply;
  }
}

/** When the server first took a request of each group (its headers read), by group. */
class FirstReceived {
  readonly at = new Map<number, number>();
  private readonly listener = (message: unknown): void => {
    const req = (message as { request: IncomingMessage }).request;
    const group = Number(req.headers[GROUP_HEADER]);
    if (Number.isInteger(group) && !this.at.has(group)) this.at.set(group, performance.now());
  };
  start(): void {
    this.at.clear();
    subscribe('http.server.request.start', this.listener);
  }
  stop(): void {
    unsubscribe('http.server.request.start', this.listener);
  }
}

interface Bot {
  url: string;
  chat: CountingChat;
  metrics: PromMetrics;
  store: RedisIncidentStore;
  log: CountingLogger;
  /** Resolves once no effect runs in the background, the outbox is empty and no outbound message waits. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** What src/main.ts's openCore and serveHttp build, around the counting chat. */
async function startBot(fx: Fixture): Promise<Bot> {
  const log = new CountingLogger();
  const chat = new CountingChat();
  const metrics = new PromMetrics();
  const config = benchConfig(fx.pmDir, {
    policies: [{ id: 'oncall', tiers: [{ targets: [{ user: 'alice' }], delay: '1h' }] }],
    defaultPolicy: 'oncall',
    alertSources: [
      { id: SOURCE, kind: 'alertmanager', workspace: 'local', auth: { type: 'bearer', tokenEnv: 'BENCH_ALERTS_TOKEN' }, limitPerMinute: 1_000_000 },
      // The warm-up's: incidents in a workspace of their own, not counted.
      { id: WARM_SOURCE, kind: 'alertmanager', workspace: 'slack:TWARMUP', auth: { type: 'bearer', tokenEnv: 'BENCH_ALERTS_TOKEN' }, limitPerMinute: 1_000_000 },
    ],
  });
  const queuePrefix = `${fx.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: fx.url, prefix: queuePrefix, log });
  const raw = new RedisIncidentStore(fx.redis, fx.prefix);
  const store = observedStore(raw, metrics);
  metrics.watch({ store, severities: config.severities.map((s) => s.id), queues: () => scheduler.jobCounts(), log });
  const deps = { ...benchDeps({ redis: fx.redis, prefix: fx.prefix, config, chat, log, scheduler, store }), alerts: new RedisAlertStore(fx.redis, fx.prefix), metrics };
  const workers = benchWorkers(deps, fx.url, queuePrefix);
  const relay = startRelay(deps);
  const secret: AlertSecret = { type: 'bearer', token: TOKEN };
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    log,
    metrics,
    readiness: new Map(),
    alerts: { deps, sources: config.alertSources, secrets: new Map([SOURCE, WARM_SOURCE].map((id) => [id, secret])), metrics, available: () => fx.redis.status === 'ready' },
  });
  return {
    url: http.url,
    chat,
    metrics,
    store: raw,
    log,
    async settled() {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      for (let quiet = 0; quiet < 3; ) {
        if (Date.now() > deadline) throw new Error(`bench: the bot's effects did not settle within ${SETTLE_TIMEOUT_MS / 1000} s`);
        const outbound = (await scheduler.jobCounts())['outbound'] ?? {};
        const waiting = (outbound['wait'] ?? 0) + (outbound['active'] ?? 0) + (outbound['delayed'] ?? 0) + (outbound['prioritized'] ?? 0);
        const busy = backgroundRuns() + (await deps.outbox.pending('local')) + waiting;
        quiet = busy === 0 ? quiet + 1 : 0;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await http.close();
      await relay.stop();
      await workers.close(5_000);
      await scheduler.close();
    },
  };
}

/** Fastify with an empty 202 handler, parsing bodies as the alert routes do. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/alerts/:sourceId', { bodyLimit: MAX_ALERT_BODY_BYTES }, async (_req, reply) => reply.code(202).send());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

export interface AlertStormResult {
  bot: Stats;
  baseline: Stats;
  alertsPerSecond: number;
  baselineAlertsPerSecond: number;
  alertToPage: Stats;
  incidents: number;
  pages: number;
  alertsRecorded: number;
  refused: number;
  outcomes: Record<string, number>;
}

export async function alertStorm(o: AlertStormOptions): Promise<AlertStormResult> {
  const fx = await openFixture(o.redisUrl, 'bench-alerts', o.print);
  const senders = await Senders.start();
  const baseline = await startBaseline();
  const bot = await startBot(fx);
  const received = new FirstReceived();
  try {
    const plan = (url: string, source: string, tag: string, groups = o.groups): StormPlan => ({ url: `${url}/alerts/${source}`, token: TOKEN, groups, alertsPerGroup: o.alertsPerGroup, alertsPerRequest: o.alertsPerRequest, senders: o.senders, tag });
    // Warm-up of both servers (JIT, connections), then the storm on each.
    await senders.storm(plan(baseline.url, SOURCE, 'w', 20));
    await senders.storm(plan(bot.url, WARM_SOURCE, 'w', 20));
    await bot.settled();
    const before = { pages: bot.chat.pages, problems: bot.log.problems };

    const base = await senders.storm(plan(baseline.url, SOURCE, 's'));
    received.start();
    const ours = await senders.storm(plan(bot.url, SOURCE, 's'));
    received.stop();
    await bot.settled();

    const total = o.groups * o.alertsPerGroup;
    const incidents = await bot.store.list('local', { all: true, limit: 100 * o.groups });
    const alertToPage: number[] = [];
    ours.incidentsByGroup.forEach((refs, group) => {
      const paged = bot.chat.pagedAt.get(`local ${refs[0]}`);
      const first = received.at.get(group);
      if (refs.length === 1 && paged !== undefined && first !== undefined) alertToPage.push(paged - first);
    });
    const result: AlertStormResult = {
      bot: stats(ours.latencies),
      baseline: stats(base.latencies),
      alertsPerSecond: total / (ours.wallMs / 1000),
      baselineAlertsPerSecond: total / (base.wallMs / 1000),
      alertToPage: stats(alertToPage),
      incidents: incidents.length,
      pages: bot.chat.pages - before.pages,
      alertsRecorded: incidents.reduce((n, inc) => n + (inc.alerts?.items.length ?? 0), 0),
      refused: ours.latencies.length - (ours.statuses['200'] ?? 0),
      outcomes: await outcomes(bot.metrics),
    };
    const problems = bot.log.problems - before.problems;
    const idle = await pageWhenIdle(bot, senders, received, (tag) => plan(bot.url, WARM_SOURCE, tag, 1));
    report(o, result, { ours, base, idle: stats(idle), problems, first: bot.log.first });
    const wrong = [
      result.incidents !== o.groups && `${result.incidents} incidents, not ${o.groups}`,
      result.pages !== o.groups && `${result.pages} page DMs, not ${o.groups}`,
      result.refused > 0 && `${result.refused} requests not answered 200 (${JSON.stringify(ours.statuses)})`,
      result.alertsRecorded !== total && `${result.alertsRecorded} alerts on the incidents, not ${total}`,
    ].filter((w): w is string => typeof w === 'string');
    if (wrong.length) throw new Error(`bench: alert storm counts are wrong: ${wrong.join('; ')}`);
    return result;
  } finally {
    received.stop();
    await bot.close();
    await baseline.close();
    await senders.stop();
    await fx.close();
  }
}

const IDLE_PROBES = 20;

/**
 * The page path with nothing else going on: one new group at a time (on the warm-up source, not
 * counted), each request's group received → its page DM call, waiting for the DM before the next.
 */
async function pageWhenIdle(bot: Bot, senders: Senders, received: FirstReceived, plan: (tag: string) => StormPlan): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < IDLE_PROBES; i++) {
    received.start();
    const res = await senders.storm({ ...plan(`q${i}`), senders: 1 });
    received.stop();
    const key = `slack:TWARMUP ${res.incidentsByGroup[0]?.[0]}`;
    const deadline = Date.now() + 10_000;
    while (!bot.chat.pagedAt.has(key)) {
      if (Date.now() > deadline) throw new Error(`bench: no page DM for ${key}`);
      await new Promise((r) => setImmediate(r));
    }
    out.push((bot.chat.pagedAt.get(key) ?? NaN) - (received.at.get(0) ?? NaN));
    await bot.settled();
  }
  return out;
}

/** ic_alerts_received_total of the storm source, by outcome. */
async function outcomes(metrics: PromMetrics): Promise<Record<string, number>> {
  const { text } = await metrics.scrape();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^ic_alerts_received_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = m[1] ?? '';
    if (!labels.includes(`source="${SOURCE}"`)) continue;
    const outcome = /outcome="([^"]*)"/.exec(labels)?.[1] ?? '?';
    out[outcome] = Number(m[2]);
  }
  return out;
}

interface Seen {
  ours: StormResult;
  base: StormResult;
  /** Alert → page DM of one group at a time, the bot otherwise idle. */
  idle: Stats;
  problems: number;
  first: string | undefined;
}

function report(o: AlertStormOptions, r: AlertStormResult, seen: Seen): void {
  const { ours, base, idle, problems, first } = seen;
  const requests = ours.latencies.length;
  const opening = stats(ours.latencies.slice(0, o.groups));
  const adding = stats(ours.latencies.slice(o.groups));
  o.print('## Alert storm');
  o.print('');
  o.print(
    `${o.groups * o.alertsPerGroup} Alertmanager alerts in ${o.groups} groups (${o.alertsPerGroup} a group, each its own fingerprint), ${o.alertsPerRequest} a request (${requests} requests, every group opened by its first), ` +
      `${o.senders} concurrent senders in another process over kept-alive connections; the bot in-process as src/main.ts builds it (Redis stores, outbox relay, BullMQ workers, the HTTP server), paging one person through a local workspace that prints nothing. ${nodeAndCpu()}, load ${loadAverages()}.`,
  );
  o.print('');
  printTable(
    o.print,
    ['what', 'requests', 'alerts/s', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['bot: POST /alerts/storm → 200 (recorded in Redis)', requests, fmt(r.alertsPerSecond, 0), fmt(r.bot.p50), fmt(r.bot.p99), fmt(r.bot.max)],
      ['… of which the first request of each group (opens its incident)', opening.n, '', fmt(opening.p50), fmt(opening.p99), fmt(opening.max)],
      ['… of which the others (alerts added to an open incident)', adding.n, '', fmt(adding.p50), fmt(adding.p99), fmt(adding.max)],
      ['baseline: Fastify, same body parsing, empty 202', base.latencies.length, fmt(r.baselineAlertsPerSecond, 0), fmt(r.baseline.p50), fmt(r.baseline.p99), fmt(r.baseline.max)],
    ],
  );
  o.print('');
  printTable(
    o.print,
    ['alert received → page DM call', 'n', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['in the storm: first request of a group taken by the server → ChatPort.dm of its page', r.alertToPage.n, fmt(r.alertToPage.p50), fmt(r.alertToPage.p99), fmt(r.alertToPage.max)],
      ['for comparison: one new group at a time, the bot otherwise idle', idle.n, fmt(idle.p50), fmt(idle.p99), fmt(idle.max)],
    ],
  );
  o.print('');
  const outcomeText = Object.entries(r.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  o.print(`Incidents created: ${r.incidents} (must be ${o.groups}); page DMs: ${r.pages} (must be ${o.groups}); alerts on the incidents: ${r.alertsRecorded}; answers other than 200: ${r.refused}; ic_alerts_received_total: ${outcomeText}.`);
  if (problems > 0) o.print(`Warnings/errors logged by the bot: ${problems} (first: ${first}).`);
  const ratio = r.bot.p99 / r.baseline.p99;
  o.print(
    `Goals: p99 response ≤ 2× the baseline's: ${ratio <= 2 ? 'met' : 'NOT met'} (${fmt(r.bot.p99)} ms vs ${fmt(r.baseline.p99)} ms, ${fmt(ratio, 1)}×); ` +
      `alert → page p99 ≤ 100 ms: ${r.alertToPage.p99 <= 100 ? 'met' : 'NOT met'} (${fmt(r.alertToPage.p99)} ms).`,
  );
}

runAsMain(import.meta.url, async () => void (await alertStorm(alertStormOptionsFromEnv())));
