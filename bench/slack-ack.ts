import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { knobReader } from './lib/env.js';
import type { OptionsOf } from './lib/env.js';
import { runAsMain } from './lib/main.js';
import { printTable } from './lib/report.js';
import { fmt, stats } from './lib/stats.js';
import type { Stats } from './lib/stats.js';
import type { LoadReply, LoadRequest } from './slack-load.js';
import { startSlackBench, type SlackBench } from './slack-setup.js';

/**
 * Slack: how fast the bot acks, and how fast it records what people write, next to a bare Bolt
 * app (HTTPReceiver, listeners that only ack) in the same process and the same run, both behind
 * signature checks (bench/slack-setup.ts). FakeSlack and the load generator run in a child
 * process (bench/slack-load.ts), as Slack is elsewhere in production.
 *
 * 1. Ack latency: BENCH_SLACK_BURSTS bursts of BENCH_SLACK_CONCURRENCY signed `/incident
 *    declare` commands sent at once; latency = HTTP response received − request sent. Bursts
 *    alternate bare / bot; the bot's burst includes the work its declares start right after
 *    their acks (channels, invites, summary, Redis), which is what competes with later acks.
 *    The next pair starts once the bot is idle.
 * 2. Timeline ingest: BENCH_SLACK_MESSAGES message events (signed, unique event ids) spread over
 *    BENCH_SLACK_INCIDENTS incident channels, BENCH_SLACK_IN_FLIGHT at a time. Bare: events/s
 *    until every event is acked. Bot: events/s until every message is on its timeline (event id
 *    claimed, message claimed, event appended by the Lua script); the count is checked. After a
 *    500-event warm-up of each, two rounds alternate bare / bot; the mean rate is reported.
 *
 * Env: REDIS_URL, BENCH_SLACK_CONCURRENCY (50), BENCH_SLACK_BURSTS (20), BENCH_SLACK_MESSAGES
 * (5000), BENCH_SLACK_INCIDENTS (10), BENCH_SLACK_IN_FLIGHT (20).
 */

const KNOBS = {
  concurrency: ['BENCH_SLACK_CONCURRENCY', 50],
  bursts: ['BENCH_SLACK_BURSTS', 20],
  messages: ['BENCH_SLACK_MESSAGES', 5000],
  incidents: ['BENCH_SLACK_INCIDENTS', 10],
  inFlight: ['BENCH_SLACK_IN_FLIGHT', 20],
} as const;

export type SlackAckOptions = OptionsOf<typeof KNOBS>;

export const slackAckOptionsFromEnv = knobReader(KNOBS);

/** The child process with FakeSlack and the load generator, as request → reply. */
class Load {
  private seq = 0;
  private readonly waiting = new Map<number, (reply: LoadReply) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: LoadReply) => {
      if ('id' in reply) this.waiting.get(reply.id)?.(reply);
    });
  }

  static start(): Promise<{ load: Load; apiUrl: string }> {
    const child = fork(fileURLToPath(new URL('./slack-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the load process exited with ${code}`)));
      child.once('message', (m: LoadReply) => 'apiUrl' in m && resolve({ load: new Load(child), apiUrl: m.apiUrl }));
    });
  }

  async ask(req: DistributiveOmit<LoadRequest, 'id'>): Promise<Extract<LoadReply, { ok: true }>> {
    const id = ++this.seq;
    const reply = await new Promise<LoadReply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...req, id });
    });
    this.waiting.delete(id);
    if (!('ok' in reply) || !reply.ok) throw new Error(`load process: ${'error' in reply ? reply.error : 'bad reply'}`);
    return reply;
  }

  async stop(): Promise<void> {
    this.child.removeAllListeners('exit');
    await this.ask({ op: 'stop' }).catch(() => undefined);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export async function slackAck(o: SlackAckOptions): Promise<void> {
  const { load, apiUrl } = await Load.start();
  const b = await startSlackBench(o.redisUrl, apiUrl);
  try {
    const startLoad = loadavg()[0] ?? 0;
    const bot = b.bot.port!;
    const burst = async (port: number, tag: string) => (await load.ask({ op: 'burst', port, n: o.concurrency, tag })).latencies ?? [];
    await burst(b.barePort, 'warm');
    await burst(bot, 'warm');
    await b.bot.idle(60_000);
    const bare: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < o.bursts; i++) {
      bare.push(...(await burst(b.barePort, `b${i}`)));
      ours.push(...(await burst(bot, `r${i}`)));
      if (!(await b.bot.idle(60_000))) throw new Error('the bot did not finish its declares within 60 s');
    }
    const channels = await incidentChannels(load, bot, o.incidents);
    await b.bot.idle(30_000);
    // Warm-up, then two rounds in alternation; the rate reported is the mean of the two.
    const warm = { ...o, messages: Math.min(500, o.messages) };
    await ingest(b, load, b.barePort, channels, warm, false);
    await ingest(b, load, bot, channels, warm, true);
    const bareRate: Rate = { perSecond: 0, cpu: 0 };
    const botRate: Rate = { perSecond: 0, cpu: 0 };
    const add = (to: Rate, r: Rate) => Object.assign(to, { perSecond: to.perSecond + r.perSecond / 2, cpu: to.cpu + r.cpu / 2 });
    for (let round = 0; round < 2; round++) {
      add(bareRate, await ingest(b, load, b.barePort, channels, o, false));
      add(botRate, await ingest(b, load, bot, channels, o, true));
    }
    // Percentiles as the Slack figures have always been taken: the first sample past the fraction.
    report(o, stats(bare, 'above'), stats(ours, 'above'), bareRate, botRate, startLoad, b);
  } finally {
    await b.close();
    await load.stop();
  }
}

/** Declares the incidents the messages go to; their channel ids come from the declare answers. */
async function incidentChannels(load: Load, port: number, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const { text } = await load.ask({ op: 'declare', port, text: `declare Ingest ${i} --sev P4` });
    const channel = /<#(\w+)>/.exec(text ?? '')?.[1];
    if (!channel) throw new Error(`no channel for the ingest incident ${i}: ${text}`);
    out.push(channel);
  }
  return out;
}

interface Rate {
  perSecond: number;
  /** CPU time of this (the bots') process over wall time: 1 = one core busy. */
  cpu: number;
}

/** Events per second: until every event is acked (bare), or until every message is recorded (bot). */
async function ingest(b: SlackBench, load: Load, port: number, channels: string[], o: SlackAckOptions, isBot: boolean): Promise<Rate> {
  const before = isBot ? await timelineMessages(b, channels) : 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await load.ask({ op: 'ingest', port, channels, messages: o.messages, inFlight: o.inFlight });
  if (isBot && !(await b.bot.idle(120_000))) throw new Error('the bot did not finish recording within 120 s');
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (isBot) {
    const recorded = (await timelineMessages(b, channels)) - before;
    if (recorded !== o.messages) throw new Error(`${o.messages} messages sent, ${recorded} on the timelines; errors: ${b.log.errors.join(' | ')}`);
  }
  return { perSecond: o.messages / seconds, cpu: (cpu.user + cpu.system) / 1e6 / seconds };
}

async function timelineMessages(b: SlackBench, channels: string[]): Promise<number> {
  let total = 0;
  for (const channel of channels) {
    const incident = await b.deps.store.findByChannel(b.workspace, channel);
    if (incident) total += (await b.deps.store.events(incident)).filter((e) => e.type === 'message_posted').length;
  }
  return total;
}

function report(o: SlackAckOptions, bare: Stats, bot: Stats, bareRate: Rate, botRate: Rate, load: number, b: SlackBench): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  o.print('## Slack: ack latency and timeline ingest');
  o.print('');
  o.print(`${availableParallelism()} vCPUs (${cpu}), Node ${process.version}, load average ${fmt(load)} at start. Bot and bare Bolt share one process; FakeSlack and the load generator run in another.`);
  o.print('');
  const latency = (label: string, s: Stats): string[] => [label, String(s.n), fmt(s.p50), fmt(s.p99), fmt(s.max)];
  printTable(o.print, [`ack latency, ${o.concurrency} signed commands at once × ${o.bursts}`, 'requests', 'p50 ms', 'p99 ms', 'max ms'], [
    latency('bare Bolt, ack only', bare),
    latency('bot, `/incident declare`', bot),
  ]);
  o.print('');
  o.print(`- p99 bot / bare: **${fmt(bot.p99 / bare.p99)}×** (goal ≤ 1.5×); p50: ${fmt(bot.p50 / bare.p50)}×.`);
  o.print('');
  const rate = (label: string, r: Rate): string[] => [label, fmt(r.perSecond, 0), `${fmt(r.cpu * 100, 0)}%`];
  printTable(o.print, [`timeline ingest, ${o.messages} message events, ${o.inFlight} in flight, ${o.incidents} incidents`, 'events/s', "CPU of the app's process"], [
    rate('bare Bolt, ack only', bareRate),
    rate('bot: signature, event-id claim, message recorded on the timeline', botRate),
  ]);
  o.print('');
  o.print(`- bot / bare: **${fmt(botRate.perSecond / bareRate.perSecond)}** (goal ≥ 0.5). Warnings logged: ${b.log.warnings}, errors: ${b.log.errorCount}.`);
  for (const line of b.log.errors) o.print(`  - error: ${line}`);
}

runAsMain(import.meta.url, () => slackAck(slackAckOptionsFromEnv()));
