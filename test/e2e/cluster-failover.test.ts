import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/core/events.js';
import { openRedis, redisTarget } from '../../src/infra/redis-connect.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { countMatches, startBot, type BotProcess } from '../support/bot-process.js';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster.js';

/**
 * The bot (`npm start`, a child process) on a Redis Cluster of three masters with a replica each,
 * and a master lost mid-incident: kill -9 of the master holding the workspace's keys while a page
 * timer is pending, then a `CLUSTER FAILOVER` of the master holding the queues. The replicas take
 * over; no incident, page or timer is lost, and nothing happens twice.
 *
 * Policy: alice at once, bob 3 s later, carol 60 s after that (never reached here).
 */

const PREFIX = 'clf:';
const pageDm = (user: string): RegExp => new RegExp(`\\[DM @${user} · (m\\d+)\\] bot:\\n[^\\n]*You are paged: INC-1 \\(P1\\) DB down`);

let cluster: RedisClusterHandle | undefined;
let dir: string | undefined;
let bot: BotProcess | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicas: 1 });
}, 60_000);

afterAll(async () => {
  await bot?.kill('SIGKILL');
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function events(nodes: string): Promise<IncidentEvent[]> {
  const redis = openRedis(redisTarget({ REDIS_URL: 'redis://unused', REDIS_CLUSTER_NODES: nodes }), { maxRetriesPerRequest: 5 });
  // A startup node may be the master this test killed: the client goes on with the others.
  redis.on('error', () => undefined);
  try {
    return await new RedisIncidentStore(redis, PREFIX).events({ workspace: 'local', number: 1 });
  } finally {
    await redis.quit();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`cluster failover: timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the bot on a Redis Cluster through a master failover', () => {
  it('loses no incident, page or timer when the workspace master is killed and the queue master fails over', async () => {
    const c = cluster!;
    dir = await mkdtemp(join(tmpdir(), 'e2e-cluster-'));
    await writeFile(
      join(dir, 'incident.yaml'),
      [
        'policies:',
        '  - id: default',
        '    tiers:',
        '      - targets: [{ user: alice }]',
        '        delay: 3s',
        '      - targets: [{ user: bob }]',
        '        delay: 60s',
        '      - targets: [{ user: carol }]',
        'defaultPolicy: default',
        'postmortems:',
        `  dir: ${join(dir, 'postmortems')}`,
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_CLUSTER_NODES: c.nodes, KEY_PREFIX: PREFIX, DATA_DIR: join(dir, 'data'), INCIDENT_CONFIG: join(dir, 'incident.yaml'), LOCAL_USER: 'dave', PORT: '0' };
    for (const key of ['REDIS_URL', 'LOG_FILE', 'SLACK_BOT_TOKEN', 'DISCORD_TOKEN']) delete env[key];
    bot = startBot('cluster bot', env);
    await bot.waitFor(/Local workspace\. You are @dave/, 20_000);
    bot.type('/incident declare DB down --sev P1');
    await bot.waitFor(pageDm('alice'), 10_000);
    await until(async () => (await events(c.nodes)).some((e) => e.type === 'page_sent'), 5_000, "alice's page recorded");

    // Bob's step is a delayed job due 3 s after alice's page; the master of the workspace's keys dies now.
    const killed = await c.killMasterOf(`${PREFIX}inc:{local}:seq`);
    const bobDm = await bot.waitFor(pageDm('bob'), 20_000);
    // The queues' master hands over to its replica (the operator's planned failover).
    const moved = await c.failoverOf(`${PREFIX}{q}:escalation:meta`);

    bot.type('/as bob');
    bot.type(`/react ${bobDm[1]} ✅`);
    await bot.waitFor(/@bob acknowledged INC-1/, 10_000);
    await until(async () => (await events(c.nodes)).some((e) => e.type === 'acknowledged'), 10_000, "bob's ack recorded");
    bot.type('/as dave');
    bot.type('/join #inc-1-db-down');
    bot.type('/incident resolve');
    await until(async () => (await events(c.nodes)).some((e) => e.type === 'resolved'), 10_000, 'the resolve recorded').catch((err: Error) => {
      throw new Error(`${err.message}\n${bot?.out().slice(-1500)}`);
    });

    const all = await events(c.nodes);
    const out = bot.out();
    expect(all.filter((e) => e.type === 'declared'), 'one incident').toHaveLength(1);
    expect(countMatches(out, pageDm('alice')), 'DMs to alice').toBe(1);
    expect(countMatches(out, pageDm('bob')), 'DMs to bob (the timer that fell due during the failover)').toBe(1);
    expect(countMatches(out, pageDm('carol')), 'carol: bob acknowledged').toBe(0);
    expect(all.filter((e) => e.type === 'paged').map((e) => (e as { users: { id: string }[] }).users.map((u) => u.id).join())).toEqual(['alice', 'bob']);
    expect(all.filter((e) => e.type === 'acknowledged'), 'one ack').toHaveLength(1);
    process.stdout.write(`[cluster-failover] kill -9 of ${killed.killed}: replica ${killed.promoted} serving after ${killed.ms} ms; CLUSTER FAILOVER ${moved.from} → ${moved.to} in ${moved.ms} ms\n`);
    bot.end();
    expect((await bot.waitForExit(20_000)).code).toBe(0);
  }, 120_000);
});
