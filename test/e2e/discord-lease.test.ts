import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import type { IncidentStore } from '../../src/core/ports.js';
import { RoutingChat } from '../../src/adapters/routing-chat.js';
import { GATEWAY_SHARDS, startDiscord, type DiscordAdapter } from '../../src/adapters/discord/index.js';
import { gatewayLeaseName, gatewayReadiness } from '../../src/adapters/discord/gateway.js';
import { ManualClock } from '../../src/infra/clock.js';
import { LeaseKeeper, RedisLease } from '../../src/infra/lease.js';
import { FakeDiscord, IDS, PEOPLE } from '../fakes/fake-discord.js';
import { envFor, type DiscordTestApp } from '../support/discord-app.js';
import { openTestCore, type TestCore } from '../support/core.js';
import { PAGING, discordSteps } from '../support/discord-steps.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * The Discord adapter under the gateway lease, in one process with two adapters (replicas A and
 * B) on one Redis and one FakeDiscord: a replica without the lease never connects the gateway
 * and still does Discord's REST work; the lease's holder is the only one connected; a holder
 * whose lease is taken closes its gateway and the new holder resumes its session; and what
 * Discord replays on that resume, already handled by the old holder, is not handled again.
 */

const TTL = 1_500;
const POLL = 100;
const { alice, bob, carol } = PEOPLE;
const WS = `discord:${IDS.guild}`;

let fake: FakeDiscord;
let redis: TestRedis;
let core: TestCore;
const adapters: DiscordAdapter[] = [];

afterEach(async () => {
  for (const a of adapters.splice(0)) await a.stop().catch(() => undefined);
  await core?.close();
  await fake?.close();
  await redis?.cleanup();
});

async function setUp(chat = new RoutingChat(), messageContent = true) {
  redis = await testRedis();
  const clock = new ManualClock(new Date('2025-12-26T00:00:00Z'));
  fake = await FakeDiscord.start({ now: () => clock.now(), messageContent });
  core = await openTestCore({ redis, configDoc: PAGING, clock, chat, postmortemPrefix: 'pm-lease-' });
  return { chat, clock };
}

const leaseName = () => gatewayLeaseName(IDS.application, GATEWAY_SHARDS.ids, GATEWAY_SHARDS.count);

function keeper(owner: string, ttlMs = TTL): LeaseKeeper {
  return new LeaseKeeper(new RedisLease(redis.redis, leaseName(), { prefix: redis.prefix, ttlMs }), { owner, pollMs: POLL, log: core.log });
}

async function replica(owner: string, chat?: RoutingChat, deps: Deps = core.deps, lease = keeper(owner)): Promise<DiscordAdapter> {
  const adapter = await startDiscord(deps, envFor(fake), { lease });
  adapters.push(adapter);
  chat?.register('discord', adapter.chat);
  return adapter;
}

/**
 * Deps whose store does not come back from recording a message with this text, until `finish`:
 * its handler hangs, as in a replica that is killed before it gets there.
 */
function hangingOn(text: string) {
  let reached: () => void = () => undefined;
  let finish: () => void = () => undefined;
  const hung = new Promise<void>((r) => (reached = r));
  const finished = new Promise<void>((r) => (finish = r));
  const real = core.deps.store;
  const append: IncidentStore['append'] = async (...args) => {
    if (args[2].some((e) => e.type === 'message_posted' && e.text === text)) {
      reached();
      await finished;
    }
    return real.append(...args);
  };
  const store = new Proxy(real, { get: (t, prop) => (prop === 'append' ? append : (Reflect.get(t, prop, t) as unknown)) });
  return { deps: { ...core.deps, store: store as IncidentStore }, hung, finish: () => finish() };
}

const logged = (msg: string) => core.log.lines.filter((l) => l.msg === msg);

/** Polls an async check (Redis, the timeline) until it holds. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Discord gateway under a lease', () => {
  it('a standby replica never connects the gateway and still creates channels, posts, DMs and announces over REST', async () => {
    await setUp();
    // Another replica holds the gateway for as long as this test runs.
    await new RedisLease(redis.redis, leaseName(), { prefix: redis.prefix, ttlMs: 60_000 }).acquire('replica-x');
    const b = await replica('replica-b');
    expect(await b.gateway?.()).toMatchObject({ state: 'standby', connected: false, lease: { holder: 'replica-x', replica: 'replica-b', holding: false } });
    expect(gatewayReadiness((await b.gateway?.())!)).toMatchObject({ ready: true, state: 'standby', details: { replica: 'replica-b', holder: 'replica-x', lease: leaseName() } });

    const channel = await b.chat.createChannel(WS, 'inc-9-standby', { topic: 'INC-9 · P2 · standby', private: true });
    expect(fake.state.channel(channel.id).permission_overwrites).toEqual(expect.arrayContaining([expect.objectContaining({ id: IDS.bot, type: 1 })]));
    await b.chat.invite(WS, channel.id, [alice.id]);
    await b.chat.post(WS, channel.id, { text: 'posted by the standby' });
    await b.chat.dm(WS, alice.id, { text: 'a page from the standby' });
    await b.chat.announce(WS, { text: 'announced by the standby' });
    expect(fake.textsIn(channel.id)).toEqual(['posted by the standby']);
    expect(fake.dmsTo(alice).map((m) => m.content)).toEqual(['a page from the standby']);
    expect(fake.textsIn(IDS.announce)).toEqual(['announced by the standby']);
    expect(fake.gateway.counts).toMatchObject({ identify: 0, resume: 0 });
    expect(logged('discord standby: another replica holds the gateway')).toHaveLength(1);
  });

  it('a replica that cannot open the gateway stops with what to fix and leaves the lease free', async () => {
    await setUp(new RoutingChat(), false);
    await expect(replica('replica-a')).rejects.toThrow(/^Discord login failed: .*switch on "Message Content Intent" for the bot in the Discord developer portal/);
    expect(await new RedisLease(redis.redis, leaseName(), { prefix: redis.prefix, ttlMs: TTL }).holder()).toBeNull();
  });

  it('a holder whose lease is taken closes its gateway at once; the new holder resumes its session', async () => {
    const { chat } = await setUp();
    const a = await replica('replica-a', chat);
    expect(await a.gateway?.()).toMatchObject({ state: 'holder', connected: true, lease: { holder: 'replica-a' } });
    const b = await replica('replica-b');
    expect((await b.gateway?.())?.state).toBe('standby');
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resume: 0 });

    // A pause past its TTL, say: the lease runs out, B takes it; A hears so at its next renewal.
    const sessionKey = `${redis.prefix}{lease:${leaseName()}}:session:0`;
    await eventually(async () => (await redis.redis.exists(sessionKey)) === 1, 2_000, 'the session stored');
    await redis.redis.del(`${redis.prefix}{lease:${leaseName()}}`);
    await fake.until(() => fake.gateway.counts.resumed === 1 && fake.gateway.connected, 5_000, 'B to resume the gateway session');
    chat.register('discord', b.chat);
    await fake.until(() => logged('discord gateway lease lost; closing the gateway connection').length === 1, 5_000, 'A to be told');
    expect(await a.gateway?.()).toMatchObject({ state: 'standby', connected: false, lease: { holder: 'replica-b' } });
    const taken = await b.gateway?.();
    expect(taken).toMatchObject({ state: 'holder', connected: true, lease: { holder: 'replica-b', holding: true } });
    expect(taken?.lease.token).toBeGreaterThan(1);
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resumed: 1, invalidSession: 0 });
    expect(logged('discord gateway opened').map((l) => (l.data as { how: string }).how)).toEqual(['identified', 'resumed']);

    // The resumed client handles what people do.
    const declared = await fake.answered(fake.slash(carol, IDS.general, 'declare', { title: 'Queue stuck', sev: 'P2' }), 10_000);
    expect(declared.text).toMatch(/^Declared INC-1/);

    // B stops cleanly: A, still polling, takes the lease back within a poll and resumes again in the same client.
    await b.stop();
    adapters.splice(adapters.indexOf(b), 1);
    chat.register('discord', a.chat);
    await fake.until(() => fake.gateway.counts.resumed === 2 && fake.gateway.connected, 3_000, 'A to take the gateway back');
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resumed: 2 });
    const again = await fake.answered(fake.slash(carol, IDS.general, 'declare', { title: 'Queue stuck again', sev: 'P2' }), 10_000);
    expect(again.text).toMatch(/^Declared INC-2/);
    expect(await a.gateway?.()).toMatchObject({ state: 'holder', connected: true, lease: { holder: 'replica-a' } });
  });

  it('an event whose handler had not finished when its holder died is replayed to the next holder', async () => {
    const { chat } = await setUp();
    const app = { fake, settle: core.settle, events: (n = 1) => core.deps.store.events({ workspace: WS, number: n }) };
    const { declare } = discordSteps(app as unknown as DiscordTestApp);
    const slow = hangingOn('checking the replica lag');
    // What A stores with its lease, and when.
    const lease = keeper('replica-a');
    const writes: { at: number; value: string | null }[] = [];
    const write = lease.write.bind(lease);
    lease.write = async (field, value, ttlMs) => {
      const ok = await write(field, value, ttlMs);
      if (ok && field === 'session:0') writes.push({ at: performance.now(), value });
      return ok;
    };
    await replica('replica-a', chat, slow.deps, lease);
    const channelId = await declare(carol, 'DB down');
    const messages = () => core.deps.store.events({ workspace: WS, number: 1 }).then((es) => es.flatMap((e) => (e.type === 'message_posted' ? [e.messageId] : [])));

    // A receives the message and is still recording it; the next message is recorded at once.
    const stuck = fake.userSays(bob, channelId, 'checking the replica lag');
    await slow.hung;
    const sentAt = performance.now();
    const quick = fake.userSays(bob, channelId, 'replica lag is 40 s');
    await eventually(async () => (await messages()).includes(quick.id), 5_000, 'the quick message recorded');
    await eventually(async () => writes.some((w) => w.at > sentAt), 5_000, 'A to store its session after the quick message');

    // A dies there (its lease runs out; it never finishes): B takes the gateway and resumes A's session.
    await redis.redis.del(`${redis.prefix}{lease:${leaseName()}}`);
    await replica('replica-b', chat);
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resumed: 1 });
    await eventually(async () => (await messages()).includes(stuck.id), 5_000, 'the message A was handling, recorded by B');
    await core.settle();
    expect((await messages()).sort()).toEqual([stuck.id, quick.id].sort());
    slow.finish();
  });

  it('a stored session that would resume towards another host is not used: the new holder identifies and connects nowhere else', async () => {
    const { chat } = await setUp();
    // Where someone who can write to Redis would like the bot to send its token.
    const sockets: Socket[] = [];
    let reached: () => void = () => undefined;
    const contacted = new Promise<never>((_, reject) => (reached = () => reject(new Error('the bot connected to the resume URL someone wrote into Redis'))));
    contacted.catch(() => undefined);
    const trap = createServer((socket) => (sockets.push(socket), reached()));
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    try {
      const a = await replica('replica-a', chat);
      await a.stop();
      adapters.splice(adapters.indexOf(a), 1);
      const sessionKey = `${redis.prefix}{lease:${leaseName()}}:session:0`;
      const stored = JSON.parse((await redis.redis.get(sessionKey)) ?? '{}') as { resumeURL: string };
      expect(stored.resumeURL).toBe(`ws://127.0.0.1:${new URL(fake.apiUrl).port}`);
      const port = (trap.address() as { port: number }).port;
      await redis.redis.set(sessionKey, JSON.stringify({ ...stored, resumeURL: `ws://127.0.0.1:${port}` }), 'PX', 60_000);

      await Promise.race([replica('replica-b', chat), contacted]);
      expect(sockets).toHaveLength(0);
      expect(fake.gateway.counts).toMatchObject({ identify: 2, resume: 0 });
      expect(logged("discord gateway session in Redis resumes towards a host that is not Discord's gateway; not used")).toHaveLength(1);
      expect(JSON.stringify(core.log.lines)).not.toContain(String(port));
      const declared = await fake.answered(fake.slash(carol, IDS.general, 'declare', { title: 'Queue stuck', sev: 'P2' }), 10_000);
      expect(declared.text).toMatch(/^Declared INC-1/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => trap.close(r));
    }
  });

  it('what Discord replays after the handover, and the old holder handled, is handled once', async () => {
    const { chat, clock } = await setUp();
    // The steps read only the fake, settle and the timeline of a test app.
    const app = { fake, settle: core.settle, events: (n = 1) => core.deps.store.events({ workspace: WS, number: n }) };
    const { declare, pages, channelSays, dmSays, slash } = discordSteps(app as unknown as DiscordTestApp);
    const a = await replica('replica-a', chat);
    const channelId = await declare(carol, 'DB down');
    const [page] = await pages(alice);
    fake.userReacts(alice, page!.id, '✅');
    await channelSays(channelId, `<@${alice.id}> acknowledged INC-1`);
    await dmSays(alice, 'Acknowledged INC-1. Escalation stopped.');
    const before = fake.userSays(bob, channelId, 'replica lag is 40 s');
    await eventually(async () => (await core.deps.store.events({ workspace: WS, number: 1 })).some((e) => e.type === 'message_posted'), 5_000, 'the message recorded');

    // A stops (its session stays resumable); its last stored sequence lags far behind what it handled.
    await a.stop();
    const sessionKey = `${redis.prefix}{lease:${leaseName()}}:session:0`;
    const stored = JSON.parse((await redis.redis.get(sessionKey)) ?? '{}') as { sequence: number };
    expect(stored.sequence).toBeGreaterThan(10);
    await redis.redis.set(sessionKey, JSON.stringify({ ...stored, sequence: 2 }), 'PX', 60_000);
    clock.advance(5_000);
    const meanwhile = fake.userSays(bob, channelId, 'failing over now');

    await replica('replica-b', chat);
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resumed: 1 });
    clock.advance(1_000);
    const after = fake.userSays(bob, channelId, 'back on the replica');
    await eventually(async () => (await core.deps.store.events({ workspace: WS, number: 1 })).filter((e) => e.type === 'message_posted').length >= 3, 5_000, 'the messages after the handover');
    await core.settle();

    const events = await core.deps.store.events({ workspace: WS, number: 1 });
    expect(events.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    // Each once, at the time it was written (replayed events may be recorded after newer ones).
    const posted = events.flatMap((e) => (e.type === 'message_posted' ? [[e.messageId, e.at]] : [])).sort((x, y) => String(x[1]).localeCompare(String(y[1])));
    expect(posted).toEqual([before, meanwhile, after].map((m) => [m.id, m.timestamp]));
    expect(fake.dmsTo(alice).filter((m) => m.content.includes('Acknowledged INC-1'))).toHaveLength(1);
    // The declare was replayed too: Discord refuses a second answer to it, so nothing ran again.
    expect([...fake.state.channels.values()].filter((c) => c.name?.startsWith('inc-'))).toHaveLength(1);
    expect(fake.textsIn(IDS.announce).filter((t) => t.includes('declared'))).toHaveLength(1);
    expect(logged('discord interaction could not be deferred; not run')).toHaveLength(1);
    expect(await slash(carol, channelId, 'resolve', { summary: 'replica promoted' })).toEqual({ text: 'Done.', ephemeral: true });
  });
});
