import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, inject } from 'vitest';
import { countMatches, type BotProcess } from '../support/bot-process.js';
import { heldRequest, localBotEnv, startHttpBot } from '../support/http.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * SIGTERM, as an orchestrator sends it before a redeploy: the bot stops taking requests at once,
 * finishes the request under way, closes its workers without losing a job, and exits 0; the
 * next bot carries on with the escalation the first one had scheduled.
 *
 * Policy: alice at once, bob 10 s later. The bot is stopped between the two, so bob's page is a
 * timer job left in Redis, and it must come from the restarted bot, once.
 */

const aliceDm = /\[DM @alice · m\d+\] bot:\n[^\n]*You are paged: INC-1 \(P1\) DB down/;
const bobDm = /\[DM @bob · m\d+\] bot:\n[^\n]*You are paged: INC-1 \(P1\) DB down/;

let dir: string | undefined;
let redis: TestRedis | undefined;
const bots: BotProcess[] = [];

afterEach(async () => {
  for (const b of bots.splice(0)) await b.kill();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function setUp(): Promise<NodeJS.ProcessEnv> {
  dir = await mkdtemp(join(tmpdir(), 'e2e-shutdown-'));
  redis = await testRedis();
  await writeFile(
    join(dir, 'incident.yaml'),
    [
      'policies:',
      '  - id: default',
      '    tiers:',
      '      - targets: [{ user: alice }]',
      '        delay: 10s',
      '      - targets: [{ user: bob }]',
      '        delay: 60s',
      'defaultPolicy: default',
      `postmortems: { dir: ${join(dir, 'postmortems')} }`,
    ].join('\n'),
  );
  return localBotEnv({ redisUrl: inject('redisUrl'), prefix: redis.prefix, dir });
}

describe('SIGTERM', () => {
  it('finishes the request under way, exits 0, and the restarted bot sends the page that was still to come', async () => {
    const env = await setUp();
    const first = await startHttpBot('first', env);
    bots.push(first.bot);
    first.bot.type('/incident declare DB down --sev P1');
    await first.bot.waitFor(aliceDm, 10_000);

    // An alert request the server has started on (headers read, 100 Continue sent), its body still to come.
    const payload = await readFile('test/fixtures/alerts/alertmanager-latency-firing.json', 'utf8');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${first.localToken ?? ''}` };
    const held = heldRequest(`${first.url}/alerts/local`, headers, Buffer.byteLength(payload));
    await held.continued;

    process.kill(first.bot.pid ?? 0, 'SIGTERM');
    await first.bot.waitFor(/Shutting down \(SIGTERM\)/, 5_000);
    // It takes no new request: the connection is refused (or answered 503 while the listener closes).
    await until(async () => {
      const status = await fetch(`${first.url}/livez`).then((r) => r.status, () => 'refused' as const);
      return status === 'refused' || status === 503;
    }, 5_000, 'new requests refused');

    const answer = await held.finish(payload);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
    expect(await first.bot.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    expect(first.bot.out()).not.toMatch(bobDm);

    // Bob's step was a delayed job when the first bot left; the second bot runs it.
    const second = await startHttpBot('second', env);
    bots.push(second.bot);
    await second.bot.waitFor(bobDm, 20_000);
    expect(countMatches(first.bot.out() + second.bot.out(), aliceDm)).toBe(1);
    expect(countMatches(second.bot.out(), bobDm)).toBe(1);
  }, 60_000);
});

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
