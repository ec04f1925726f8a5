import { Queue, Worker } from 'bullmq';
import { commands } from '../commands/index.js';
import { dispatch } from '../src/app/dispatch.js';
import type { ChatPort, MessageRef } from '../src/core/ports.js';
import { BullScheduler, connectionOptions } from '../src/scheduler/bullmq-scheduler.js';
import { benchConfig, benchDeps, benchWorkers } from './lib/bot.js';
import { envInt, type Print } from './lib/env.js';
import { openFixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { fmt, stats, type Stats } from './lib/stats.js';

/**
 * Declare → tier-1 page DM call. Issue 8 moved tier 1's page into the declaration's own append
 * and put the queue writes first, so the DM must no longer wait for the channel set-up (several
 * platform calls, each allowed seconds). Measured: `/incident declare` through dispatch() on the
 * real store, outbox and BullMQ workers, with a chat port whose channel set-up takes
 * `BENCH_SETUP_MS` per call (create, invite, welcome, summary, announcement: a slow platform);
 * latency = declare sent → chat.dm called for the tier-1 person. Baselines in the same run: a bare
 * BullMQ add → worker start (the floor for any queued DM), and the channel set-up itself (what
 * the DM used to wait behind).
 */

export interface DeclarePageOptions {
  redisUrl: string;
  incidents: number;
  setupMs: number;
  print: Print;
}

export function declarePageOptionsFromEnv(): DeclarePageOptions {
  return {
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    incidents: envInt(process.env, 'BENCH_DECLARES', 200),
    setupMs: envInt(process.env, 'BENCH_SETUP_MS', 20),
    print: (line) => console.log(line),
  };
}

const POLICY = { policies: [{ id: 'p', tiers: [{ targets: [{ user: 'alice' }], delay: '1h' }] }], defaultPolicy: 'p' };

class SlowChat implements ChatPort {
  readonly dmAt = new Map<string, number>();
  readonly setup: number[] = [];
  private n = 0;
  constructor(private readonly delayMs: number) {}
  private async slow<T>(value: T): Promise<T> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    return value;
  }
  private ref(channelId: string): MessageRef {
    return { channelId, messageId: `m${++this.n}` };
  }
  async createChannel(_ws: string, name: string) {
    const t0 = performance.now();
    const channel = await this.slow({ id: name, name });
    this.setup.push(performance.now() - t0);
    return channel;
  }
  invite = () => this.slow(undefined);
  post = (_ws: string, channelId: string) => this.slow(this.ref(channelId));
  update = () => this.slow(undefined);
  setTopic = () => this.slow(undefined);
  announce = (_ws: string, _message: unknown, channel?: string) => this.slow(this.ref(channel ?? 'announce'));
  react = () => this.slow(undefined);
  pin = () => this.slow(undefined);
  dmFile = () => this.slow(undefined);
  userName = async (_ws: string, id: string) => id;
  isMember = async () => true;
  async dm(_ws: string, userId: string, message: { text: string }) {
    const ref = /INC-(\d+)/.exec(message.text)?.[1];
    if (ref && !this.dmAt.has(ref)) this.dmAt.set(ref, performance.now());
    return this.ref(`dm-${userId}`);
  }
}

export interface DeclarePageResult {
  bot: Stats;
  bare: Stats;
  setupPerCall: number;
}

export async function declarePage(o: DeclarePageOptions): Promise<DeclarePageResult> {
  const fx = await openFixture(o.redisUrl, 'bench-declare');
  const log = new CountingLogger();
  const chat = new SlowChat(o.setupMs);
  const queuePrefix = `${fx.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: fx.url, prefix: queuePrefix });
  const deps = benchDeps({ redis: fx.redis, prefix: fx.prefix, config: benchConfig(fx.pmDir, POLICY), chat, log, scheduler });
  const workers = benchWorkers(deps, fx.url, queuePrefix);
  try {
    const bare = await bareAddToRun(fx.url, queuePrefix, o.incidents);
    const latency: number[] = [];
    for (let i = 1; i <= o.incidents; i++) {
      const t0 = performance.now();
      await dispatch(deps, commands, { platform: 'local', workspace: 'bench', channelId: 'general', user: { id: 'carol', name: 'carol' }, text: `declare Outage ${i} --sev P1` });
      const deadline = Date.now() + 10_000;
      while (!chat.dmAt.has(String(i))) {
        if (Date.now() > deadline) throw new Error(`bench: no page DM for INC-${i}`);
        await new Promise((r) => setImmediate(r));
      }
      latency.push((chat.dmAt.get(String(i)) ?? NaN) - t0);
    }
    log.assertQuiet('declare-page bench');
    const result = { bot: stats(latency), bare: stats(bare), setupPerCall: o.setupMs };
    report(o, result);
    return result;
  } finally {
    await workers.close(2_000);
    await scheduler.close();
    await fx.close();
  }
}

/** The floor: a bare BullMQ job added, then its worker starts it (no delay, same Redis). */
async function bareAddToRun(url: string, prefix: string, n: number): Promise<number[]> {
  const queue = new Queue('bare-now', { connection: connectionOptions(url), prefix });
  const started = new Map<string, number>();
  const worker = new Worker('bare-now', async (job) => void started.set(String(job.id), performance.now()), { connection: connectionOptions(url, true), prefix });
  await worker.waitUntilReady();
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await queue.add('x', {}, { jobId: `b${i}`, removeOnComplete: true });
      while (!started.has(`b${i}`)) await new Promise((r) => setImmediate(r));
      out.push((started.get(`b${i}`) ?? NaN) - t0);
    }
    return out;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

function report(o: DeclarePageOptions, r: DeclarePageResult): void {
  const row = (name: string, s: Stats) => `| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.max)} |`;
  o.print('## Declare → tier-1 page DM');
  o.print('');
  o.print(`${o.incidents} declares one after another through dispatch(); each of the 5 channel set-up calls takes ${r.setupPerCall} ms (a slow platform: ${5 * r.setupPerCall} ms in all).`);
  o.print('');
  o.print('| what | n | p50 ms | p99 ms | max ms |');
  o.print('|---|---|---|---|---|');
  o.print(row('bot: declare sent → tier-1 chat.dm called', r.bot));
  o.print(row('baseline: bare BullMQ add → worker starts', r.bare));
  o.print(`| baseline: the channel set-up the DM used to wait behind | | ${fmt(5 * r.setupPerCall)} | | |`);
  o.print('');
  o.print(`Goal: p99 ≤ 50 ms: ${r.bot.p99 <= 50 ? 'met' : 'NOT met'} (${fmt(r.bot.p99)} ms).`);
}

runAsMain(import.meta.url, async () => void (await declarePage(declarePageOptionsFromEnv())));
