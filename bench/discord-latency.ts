import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Events, MessageFlags } from 'discord.js';
import { Redis } from 'ioredis';
import type { Deps } from '../src/app/context.js';
import { deliver, runStep } from '../src/app/escalation.js';
import { createDiscordClient } from '../src/adapters/discord/client.js';
import { startDiscord } from '../src/adapters/discord/index.js';
import { RoutingChat } from '../src/adapters/routing-chat.js';
import { parseConfig, parseEnv } from '../src/config.js';
import { translator } from '../src/core/i18n/index.js';
import type { Logger } from '../src/core/ports.js';
import { systemClock } from '../src/infra/clock.js';
import { PostmortemFiles } from '../src/infra/postmortem-files.js';
import { ensureRedis, maskUrl } from '../src/infra/redis-server.js';
import { BullScheduler, QUEUES } from '../src/scheduler/bullmq-scheduler.js';
import { startWorkers } from '../src/scheduler/workers.js';
import { RedisOnCallStore } from '../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';
import { FakeDiscord, IDS, PEOPLE } from '../test/fakes/fake-discord.js';

/**
 * Discord latency, with the real discord.js client against FakeDiscord on loopback (same
 * process) and the bot wired as src/main.ts wires it (Redis, BullMQ workers, RoutingChat).
 *
 * 1. Interactions: rounds of BENCH_DISCORD_CONCURRENCY `/incident declare` dispatched at once on
 *    the gateway, after one uncounted warm-up round; first to a bare discord.js client that only
 *    defers and edits (the floor), then to the bot. Deferral = INTERACTION_CREATE sent → interaction callback (type 5) received by
 *    the fake; answer = sent → the edited reply received. Every declare pages Alice (tier 1).
 * 2. Reactions: ✅ on BENCH_DISCORD_PAGES of those page DMs, first one at a time, then all the
 *    rest at once. Latency = MESSAGE_REACTION_ADD sent → the `acknowledged` event written to
 *    Redis (the store's append, wrapped).
 *
 * Env: REDIS_URL, BENCH_DISCORD_ROUNDS (5), BENCH_DISCORD_CONCURRENCY (50), BENCH_DISCORD_PAGES (100).
 */

export interface DiscordLatencyOptions {
  redisUrl: string;
  rounds: number;
  concurrency: number;
  pages: number;
  print: (line: string) => void;
}

export function discordOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): DiscordLatencyOptions {
  const int = (raw: string | undefined, fallback: number, name: string) => {
    const n = raw ? Number(raw) : fallback;
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  return {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    rounds: int(env.BENCH_DISCORD_ROUNDS, 5, 'BENCH_DISCORD_ROUNDS'),
    concurrency: int(env.BENCH_DISCORD_CONCURRENCY, 50, 'BENCH_DISCORD_CONCURRENCY'),
    pages: int(env.BENCH_DISCORD_PAGES, 100, 'BENCH_DISCORD_PAGES'),
    print,
  };
}

const CONFIG = { policies: [{ id: 'first', tiers: [{ targets: [{ user: PEOPLE.alice.id }], delay: '1h' }] }], defaultPolicy: 'first' };

export async function discordLatency(o: DiscordLatencyOptions): Promise<void> {
  const ensured = await ensureRedis(o.redisUrl, { dataDir: join(tmpdir(), 'incident-bench'), ephemeral: true });
  const redis = new Redis(ensured.url, { maxRetriesPerRequest: 3 });
  const prefix = `bench:discord:${Date.now()}:${process.pid}:`;
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-pm-'));
  const fake = await FakeDiscord.start();
  const bot = await startBot(redis, ensured.url, prefix, pmDir, fake);
  try {
    o.print('## Discord: interaction → deferred reply, reaction → acknowledgement\n');
    o.print(`- Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model.trim() ?? '?'}), Redis at ${maskUrl(ensured.url)}${ensured.spawned ? ' (throwaway)' : ''}`);
    o.print(`- discord.js against FakeDiscord on loopback in the same process; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
    const bare = await measureBare(o);
    const interactions = await measureInteractions(fake, bot, o);
    const reactions = await measureReactions(fake, bot, o);
    o.print('| measure | count | p50 ms | p99 ms | max ms |');
    o.print('|---|--:|--:|--:|--:|');
    const row = (name: string, s: Stats) => o.print(`| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.max)} |`);
    row(`bare discord.js (defer, then edit), ${o.concurrency} at once: sent → deferred`, stats(bare.deferred));
    row(`bare: sent → answer (reply edited)`, stats(bare.answered));
    row(`bot, \`/incident declare\`, ${o.concurrency} at once: sent → deferred`, stats(interactions.deferred));
    row(`same: sent → answer (reply edited)`, stats(interactions.answered));
    row('✅ on a page DM, one at a time: sent → `acknowledged` written', stats(reactions.sequential));
    row(`✅ on ${reactions.burst.length} page DMs at once: sent → \`acknowledged\` written`, stats(reactions.burst));
    o.print('');
    o.print(`- REST: ${interactions.requestsPerDeclare.toFixed(1)} requests per declare, sent at ${interactions.requestsPerSecond.toFixed(1)}/s (discord.js paces 50/s, Discord's global limit).`);
    if (bot.log.problems > 0) throw new Error(`bench: ${bot.log.problems} warnings/errors were logged: ${bot.log.first}`);
  } finally {
    await bot.close();
    await fake.close();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
    await redis.quit().catch(() => undefined);
    await ensured.stop();
    await rm(pmDir, { recursive: true, force: true });
  }
}

interface Bot {
  deps: Deps;
  log: CountingLogger;
  /** performance.now() of the `acknowledged` write, by incident number. */
  acked: Map<number, number>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function startBot(redis: Redis, url: string, prefix: string, pmDir: string, fake: FakeDiscord): Promise<Bot> {
  const parsed = parseConfig({ ...CONFIG, postmortems: { dir: pmDir } });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const acked = new Map<number, number>();
  const store = new RedisIncidentStore(redis, prefix);
  const append = store.append.bind(store);
  store.append = async (key, version, events, next) => {
    const ok = await append(key, version, events, next);
    if (ok && events.some((e) => e.type === 'acknowledged')) acked.set(key.number, performance.now());
    return ok;
  };
  const chat = new RoutingChat();
  const log = new CountingLogger();
  const queuePrefix = `${prefix}{q}`;
  const scheduler = new BullScheduler({ connection: url, prefix: queuePrefix });
  const deps: Deps = { store, chat, clock: systemClock, config: parsed.config, t: translator('en'), log, postmortems: new PostmortemFiles(pmDir), scheduler, oncall: new RedisOnCallStore(redis, prefix) };
  const workers = startWorkers({ connection: url, prefix: queuePrefix, log, onStep: (ref) => runStep(deps, ref), deliver: (job) => deliver(deps, job) });
  const env = parseEnv({ DISCORD_TOKEN: 'bench-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: fake.apiUrl });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const discord = await startDiscord(deps, env.env);
  chat.register('discord', discord.chat);
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection: { url }, prefix: queuePrefix }));
  return {
    deps,
    log,
    acked,
    async settle() {
      for (let quiet = 0; quiet < 3; ) {
        await new Promise((r) => setTimeout(r, 20));
        const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized')));
        quiet = counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0) ? 0 : quiet + 1;
      }
    },
    async close() {
      await discord.stop();
      await workers.close(5_000);
      await Promise.all(queues.map((q) => q.close()));
      await scheduler.close();
    },
  };
}

interface InteractionFigures {
  deferred: number[];
  answered: number[];
  /** REST requests per declare (answer, channel, posts, page DM…) and the rate they went out at. */
  requestsPerDeclare: number;
  requestsPerSecond: number;
}

async function measureInteractions(fake: FakeDiscord, bot: Bot, o: DiscordLatencyOptions): Promise<InteractionFigures> {
  const firstRequest = fake.rest.requests.length;
  const started = performance.now();
  const { deferred, answered } = await rounds(fake, o);
  await bot.settle();
  const requests = fake.rest.requests.length - firstRequest;
  const seconds = (performance.now() - started) / 1000;
  return { deferred, answered, requestsPerDeclare: requests / ((o.rounds + 1) * o.concurrency), requestsPerSecond: requests / seconds };
}

/** The floor: the same client and fake, a handler that only defers and edits, no bot behind it. */
async function measureBare(o: DiscordLatencyOptions): Promise<{ deferred: number[]; answered: number[] }> {
  const fake = await FakeDiscord.start();
  const client = createDiscordClient({ api: fake.apiUrl });
  client.on(Events.InteractionCreate, (i) => {
    if (!i.isChatInputCommand()) return;
    void i.deferReply({ flags: MessageFlags.Ephemeral }).then(() => i.editReply('Declared INC-0'));
  });
  try {
    const ready = once(client, Events.ClientReady);
    await client.login('bench-token');
    await ready;
    return await rounds(fake, o);
  } finally {
    await client.destroy();
    await fake.close();
  }
}

/** Rounds of `concurrency` declares at once; round 0 warms up (JIT, connections, caches) and is not counted. */
async function rounds(fake: FakeDiscord, o: DiscordLatencyOptions): Promise<{ deferred: number[]; answered: number[] }> {
  const deferred: number[] = [];
  const answered: number[] = [];
  for (let round = 0; round <= o.rounds; round++) {
    const batch = Array.from({ length: o.concurrency }, (_, i) => fake.slash(PEOPLE.carol, IDS.general, 'declare', { title: `Checkout slow ${round}-${i}`, sev: 'P2' }));
    const answers = await Promise.all(batch.map((ix) => fake.answered(ix, 60_000)));
    for (const [i, ix] of batch.entries()) {
      if (!answers[i]?.text.startsWith('Declared INC-')) throw new Error(`bench: declare answered "${answers[i]?.text}"`);
      if (round === 0) continue;
      deferred.push((ix.callbackAt ?? NaN) - ix.dispatchedAt);
      answered.push((ix.webhookCalls[0]?.at ?? NaN) - ix.dispatchedAt);
    }
  }
  return { deferred, answered };
}

async function measureReactions(fake: FakeDiscord, bot: Bot, o: DiscordLatencyOptions): Promise<{ sequential: number[]; burst: number[] }> {
  const pages = fake.dmsTo(PEOPLE.alice).filter((m) => m.content.includes('You are paged')).slice(0, o.pages);
  const number = (content: string) => Number(/INC-(\d+)/.exec(content)?.[1]);
  const react = (m: (typeof pages)[number]) => {
    const sent = performance.now();
    fake.userReacts(PEOPLE.alice, m.id, '✅');
    return sent;
  };
  const waitAck = (n: number) => fake.until(() => bot.acked.get(n), 30_000, `the ack of INC-${n}`);
  const half = Math.floor(pages.length / 2);
  const sequential: number[] = [];
  for (const m of pages.slice(0, half)) {
    const sent = react(m);
    sequential.push((await waitAck(number(m.content))) - sent);
  }
  const rest = pages.slice(half);
  const sentAt = rest.map(react);
  const ackedAt = await Promise.all(rest.map((m) => waitAck(number(m.content))));
  await bot.settle();
  return { sequential, burst: ackedAt.map((t, i) => t - (sentAt[i] ?? NaN)) };
}

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

class CountingLogger implements Logger {
  problems = 0;
  first: string | undefined;
  info(): void {}
  warn(data: object, msg: string): void {
    this.note(data, msg);
  }
  error(data: object, msg: string): void {
    this.note(data, msg);
  }
  child(): Logger {
    return this;
  }
  private note(data: object, msg: string): void {
    this.problems++;
    this.first ??= `${msg} ${JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  discordLatency(discordOptionsFromEnv()).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
