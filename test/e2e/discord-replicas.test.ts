import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { FakeDiscord, IDS, PEOPLE } from '../fakes/fake-discord.js';
import type { BotProcess } from '../support/bot-process.js';
import { OPENED_LINE, readyz, startReplica, type ReplicaSetup } from '../support/discord-replicas.js';
import { redisEnv, testRedis, type TestRedis } from '../support/redis.js';

/**
 * Two replicas of the bot (`npm start`, child processes) with the Discord credentials on one
 * Redis and one FakeDiscord: only the gateway lease's holder connects. Mid-incident (the page DM
 * sent, not yet acknowledged) the holder is killed with -9: the other replica takes the gateway
 * within 15 s with the default lease (10 s TTL, 1 s poll), resuming the session, so a message
 * written meanwhile is recorded; the ✅ on the page DM is then taken once, nothing is doubled,
 * and the incident goes on to its resolution.
 */

const { alice, bob, carol } = PEOPLE;
const WS = `discord:${IDS.guild}`;

let fake: FakeDiscord | undefined;
let redis: TestRedis | undefined;
let dir: string | undefined;
const bots: BotProcess[] = [];

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill('SIGKILL')));
  await fake?.close();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Discord with two replicas', () => {
  it('kill -9 of the gateway holder mid-incident: the standby takes the gateway within 15 s, the ack by ✅ is taken once', { timeout: 90_000 }, async () => {
    fake = await FakeDiscord.start();
    redis = await testRedis();
    dir = await mkdtemp(join(tmpdir(), 'e2e-discord-replicas-'));
    const config = join(dir, 'incident.yaml');
    await writeFile(config, ['policies:', '  - id: default', '    tiers:', `      - { targets: [{ user: "${alice.id}" }], delay: 10m }`, 'defaultPolicy: default', 'postmortems:', `  dir: ${join(dir, 'postmortems')}`, ''].join('\n'));
    const setup: ReplicaSetup = { fake, redisEnv: redisEnv(), prefix: redis.prefix, dir, config };
    const a = await startReplica('replica-a', setup, 'holder');
    bots.push(a);
    const b = await startReplica('replica-b', setup, 'standby');
    bots.push(b);
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resume: 0 });

    // /readyz on each: both ready; A holds the lease, B stands by and says who holds it.
    const [readyA, readyB] = await Promise.all([readyz(a), readyz(b)]);
    expect(readyA).toMatchObject({ status: 200, body: { replica: 'replica-a', checks: { discord: 'holder' }, details: { discord: { replica: 'replica-a', holder: 'replica-a' } } } });
    expect(readyB).toMatchObject({ status: 200, body: { replica: 'replica-b', checks: { discord: 'standby' }, details: { discord: { replica: 'replica-b', holder: 'replica-a' } } } });
    const firstToken = Number(readyA.body.details?.discord?.token);

    const declared = await fake.answered(fake.slash(carol, IDS.general, 'declare', { title: 'Checkout down', sev: 'P1' }), 10_000);
    const channelId = /<#(\d+)>/.exec(declared.text)?.[1] ?? '';
    const pagesTo = () => fake!.dmsTo(alice).filter((m) => m.content.includes('You are paged'));
    const [page] = await fake.until(() => (pagesTo().length ? pagesTo() : null), 10_000, 'the page DM to alice');
    await fake.until(() => fake?.textsIn(IDS.announce).find((t) => t.includes('INC-1 declared')), 10_000, 'the announcement');

    const killedAt = performance.now();
    await a.kill('SIGKILL');
    const meanwhile = fake.userSays(bob, channelId, 'payments are failing over to the replica');
    await fake.until(() => fake?.gateway.connected, 20_000, 'the standby to take the gateway');
    const tookMs = performance.now() - killedAt;
    const how = (await b.waitFor(OPENED_LINE, 5_000))[1];
    console.log(`discord lease failover: kill -9 of the holder → replica-b's gateway ${how} in ${Math.round(tookMs)} ms (lease TTL 10000 ms, poll 1000 ms)`);
    expect(tookMs).toBeLessThan(15_000);
    expect(how).toBe('resumed');
    expect(fake.gateway.counts).toMatchObject({ identify: 1, resumed: 1 });

    fake.userReacts(alice, page!.id, '✅');
    await fake.until(() => fake?.textsIn(channelId).find((t) => t.includes(`<@${alice.id}> acknowledged INC-1`)), 10_000, 'the ack in the channel');
    await fake.until(() => fake?.dmsTo(alice).find((m) => m.content.includes('Acknowledged INC-1. Escalation stopped.')), 10_000, 'the ack DM');
    const resolved = await fake.answered(fake.slash(carol, channelId, 'resolve', { summary: 'rolled back the deploy' }), 10_000);
    expect(resolved.text).toBe('Done.');
    await fake.until(() => fake?.textsIn(IDS.announce).find((t) => t.includes('INC-1 resolved')), 10_000, 'the resolution announced');

    const events = await new RedisIncidentStore(redis.redis, redis.prefix).events({ workspace: WS, number: 1 });
    expect(events.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'message_posted' && e.messageId === meanwhile.id)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'resolved')).toHaveLength(1);
    expect(pagesTo()).toHaveLength(1);
    expect(fake.dmsTo(alice).filter((m) => m.content.includes('Acknowledged INC-1'))).toHaveLength(1);
    expect(fake.textsIn(channelId).filter((t) => t.includes('acknowledged INC-1'))).toHaveLength(1);
    expect(fake.textsIn(IDS.announce).filter((t) => t.includes('INC-1 declared'))).toHaveLength(1);
    expect(fake.textsIn(IDS.announce).filter((t) => t.includes('INC-1 resolved'))).toHaveLength(1);
    expect([...fake.state.channels.values()].filter((c) => c.name?.startsWith('inc-'))).toHaveLength(1);

    const after = await readyz(b);
    expect(after).toMatchObject({ status: 200, body: { checks: { discord: 'holder' }, details: { discord: { holder: 'replica-b' } } } });
    expect(Number(after.body.details?.discord?.token)).toBeGreaterThan(firstToken);
  });
});
