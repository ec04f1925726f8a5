import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Events, MessageFlags } from 'discord.js';
import type { Deps } from '../src/app/context.js';
import { createDiscordClient } from '../src/adapters/discord/client.js';
import { startDiscord } from '../src/adapters/discord/index.js';
import { RoutingChat } from '../src/adapters/routing-chat.js';
import { parseEnv } from '../src/config.js';
import { maskUrl } from '../src/infra/redis-server.js';
import { BullScheduler, QUEUES } from '../src/scheduler/bullmq-scheduler.js';
import { RedisIncidentStore } from '../src/store/redis-store.js';
import { FakeDiscord, IDS, PEOPLE } from '../test/fakes/fake-discord.js';
import { benchConfig, benchDeps, benchWorkers } from './lib/bot.js';
import { knobReader } from './lib/env.js';
import type { OptionsOf } from './lib/env.js';
import { openFixture } from './lib/fixture.js';
import type { Fixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { loadAverages, nodeAndCpu, printTable } from './lib/report.js';
import { fmt, stats } from './lib/stats.js';
import type { Stats } from './lib/stats.js';

/**
 * Discord latency, with the real discord.js client against FakeDiscord on loopback (same
 * process) and the bot wired as src/main.ts wires it (Redis, BullMQ workers, RoutingChat).
 *
 * 1. Interactions: rounds of BENCH_DISCORD_CONCURRENCY `/incident declare` dispatched at once on
 *    the gateway, after one uncounted warm-up round; first to a bare discord.js client that only
 *    defers and edits (the floor, measured before and after the bot), then to the bot. Deferral = INTERACTION_CREATE sent → interaction callback (type 5) received by
 *    the fake; answer = sent → the edited reply received. Every declare pages Alice (tier 1).
 *    The REST requests the rounds made are counted per declare, by route.
 * 2. Reactions: ✅ on BENCH_DISCORD_PAGES of those page DMs, first one at a time, then all the
 *    rest at once. Latency = MESSAGE_REACTION_ADD sent → the `acknowledged` event written to
 *    Redis (the store's append, wrapped).
 *
 * Env: REDIS_URL, BENCH_DISCORD_ROUNDS (5), BENCH_DISCORD_CONCURRENCY (50), BENCH_DISCORD_PAGES (100).
 */

const KNOBS = {
  rounds: ['BENCH_DISCORD_ROUNDS', 5],
  concurrency: ['BENCH_DISCORD_CONCURRENCY', 50],
  pages: ['BENCH_DISCORD_PAGES', 100],
} as const;

export type DiscordLatencyOptions = OptionsOf<typeof KNOBS>;

export const discordOptionsFromEnv = knobReader(KNOBS);

const CONFIG = { policies: [{ id: 'first', tiers: [{ targets: [{ user: PEOPLE.alice.id }], delay: '1h' }] }], defaultPolicy: 'first' };

export async function discordLatency(o: DiscordLatencyOptions): Promise<void> {
  const fx = await openFixture(o.redisUrl, 'bench:discord');
  const fake = await FakeDiscord.start();
  const bot = await startBot(fx, fake);
  try {
    o.print('## Discord: interaction → deferred reply, reaction → acknowledgement\n');
    o.print(`- ${nodeAndCpu()}, Redis at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway)' : ''}`);
    o.print(`- discord.js against FakeDiscord on loopback in the same process; load average at start ${loadAverages()}\n`);
    // The floor is measured before and after the bot's rounds, which take a minute: a machine
    // whose load moves meanwhile weighs on both sides alike.
    const before = await measureBare(o);
    const interactions = await measureInteractions(fake, bot, o);
    const after = await measureBare(o);
    const bare = { deferred: [...before.deferred, ...after.deferred], answered: [...before.answered, ...after.answered] };
    const reactions = await measureReactions(fake, bot, o);
    const row = (name: string, samples: number[]): string[] => {
      const s: Stats = stats(samples);
      return [name, String(s.n), fmt(s.p50, 1), fmt(s.p99, 1), fmt(s.max, 1)];
    };
    printTable(o.print, ['measure', 'count', 'p50 ms', 'p99 ms', 'max ms'], [
      row(`bare discord.js (defer, then edit), ${o.concurrency} at once: sent → deferred`, bare.deferred),
      row(`bare: sent → answer (reply edited)`, bare.answered),
      row(`bot, \`/incident declare\`, ${o.concurrency} at once: sent → deferred`, interactions.deferred),
      row(`same: sent → answer (reply edited)`, interactions.answered),
      row('✅ on a page DM, one at a time: sent → `acknowledged` written', reactions.sequential),
      row(`✅ on ${reactions.burst.length} page DMs at once: sent → \`acknowledged\` written`, reactions.burst),
    ]);
    o.print('');
    const ratio = (q: 'p50' | 'p99') => stats(interactions.deferred)[q] / stats(bare.deferred)[q];
    o.print(`- Deferral, bot / bare discord.js: p50 ${ratio('p50').toFixed(2)}×, p99 ${ratio('p99').toFixed(2)}× (goal: p99 ≤ 1.5×).`);
    o.print(`- REST: ${interactions.requestsPerDeclare.toFixed(1)} requests per declare, sent at ${interactions.requestsPerSecond.toFixed(1)}/s (discord.js paces 50/s, Discord's global limit):`);
    for (const [route, n] of interactions.routes) o.print(`  - ${route}: ${n.toFixed(2)}`);
    bot.log.assertQuiet();
  } finally {
    await bot.close();
    await fake.close();
    await fx.close();
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

/** The store's append, wrapped: performance.now() of each `acknowledged` write, by incident number. */
function ackTimedStore(fx: Fixture, acked: Map<number, number>): RedisIncidentStore {
  const store = new RedisIncidentStore(fx.redis, fx.prefix);
  const append = store.append.bind(store);
  // Every argument passed on: the options carry the outbox entries and the page DM links.
  store.append = async (key, version, events, next, options) => {
    const ok = await append(key, version, events, next, options);
    if (ok && events.some((e) => e.type === 'acknowledged')) acked.set(key.number, performance.now());
    return ok;
  };
  return store;
}

async function startBot(fx: Fixture, fake: FakeDiscord): Promise<Bot> {
  const acked = new Map<number, number>();
  const chat = new RoutingChat();
  const log = new CountingLogger();
  const queuePrefix = `${fx.prefix}{q}`;
  const scheduler = new BullScheduler({ connection: fx.url, prefix: queuePrefix });
  const deps = benchDeps({ redis: fx.redis, prefix: fx.prefix, config: benchConfig(fx.pmDir, CONFIG), chat, log, scheduler, store: ackTimedStore(fx, acked) });
  const workers = benchWorkers(deps, fx.url, queuePrefix);
  const env = parseEnv({ DISCORD_TOKEN: 'bench-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: fake.apiUrl });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const discord = await startDiscord(deps, env.env);
  chat.register('discord', discord.chat);
  const queues = [QUEUES.steps, QUEUES.outbound].map((name) => new Queue(name, { connection: { url: fx.url }, prefix: queuePrefix }));
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
  /** The same by route (`POST /channels/:id/messages`), most first. */
  routes: [string, number][];
  requestsPerSecond: number;
}

async function measureInteractions(fake: FakeDiscord, bot: Bot, o: DiscordLatencyOptions): Promise<InteractionFigures> {
  const firstRequest = fake.rest.requests.length;
  const started = performance.now();
  const { deferred, answered } = await rounds(fake, o);
  await bot.settle();
  const made = fake.rest.requests.slice(firstRequest);
  const seconds = (performance.now() - started) / 1000;
  const declares = (o.rounds + 1) * o.concurrency;
  const byRoute = new Map<string, number>();
  for (const r of made) {
    const route = `${r.method} ${r.path.replace(/\/\d{5,}/g, '/:id').replace(/\/(interactions|webhooks)\/:id\/[^/]+/, '/$1/:id/:token')}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  }
  const routes = [...byRoute].map(([route, n]): [string, number] => [route, n / declares]).sort((a, b) => b[1] - a[1]);
  return { deferred, answered, requestsPerDeclare: made.length / declares, routes, requestsPerSecond: made.length / seconds };
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

runAsMain(import.meta.url, () => discordLatency(discordOptionsFromEnv()));
