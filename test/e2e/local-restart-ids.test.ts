import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * Issue 8, item 8: in the local workspace, messages written after a restart were silently
 * dropped. Message ids (m1, m2, ...) came from an in-memory counter, so a restarted bot handed
 * out the same ids again, while the core remembers `msg:<channel>:<messageId>` for 7 days and
 * took the repeated ids for redeliveries. The real bot, twice, on the same data directory and
 * the shared Redis under a key prefix of its own.
 */

const CHANNEL = 'inc-1-checkout-down';

let dir: string;
let redis: TestRedis;
let env: NodeJS.ProcessEnv;
const bots: BotProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-local-ids-'));
  redis = await testRedis();
  env = {
    ...process.env,
    REDIS_URL: inject('redisUrl'),
    KEY_PREFIX: redis.prefix,
    DATA_DIR: join(dir, 'data'),
    LOCAL_USER: 'bob',
    LOG_LEVEL: 'info',
    PORT: '0',
  };
  delete env.LOG_FILE;
  delete env.INCIDENT_CONFIG;
  delete env.SLACK_BOT_TOKEN;
  delete env.DISCORD_TOKEN;
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill('SIGKILL')));
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function bot(name: string): BotProcess {
  const b = startBot(name, env);
  bots.push(b);
  return b;
}

/** `[#inc-1-checkout-down · m7] @bob: <text>`: the id the workspace gave a message we typed. */
async function typeMessage(b: BotProcess, text: string): Promise<string> {
  const from = b.out().length;
  b.type(text);
  const m = await b.waitFor(new RegExp(`\\[#${CHANNEL} · (m\\d+)\\] @bob: ${text}\\n`), 10_000, from);
  return m[1]!;
}

/** Ends stdin (every typed line is handled, in order, before the bot exits) and expects exit 0. */
async function stop(b: BotProcess): Promise<void> {
  b.end();
  const exit = await b.waitForExit(15_000);
  if (exit.code !== 0) {
    const log = await readFile(join(dir, 'data', 'bot.log'), 'utf8').catch(() => '(no bot.log)');
    expect.fail(`${b.name} exited with ${JSON.stringify(exit)}\nstderr:\n${b.err()}\nbot.log (tail):\n${log.slice(-3000)}`);
  }
}

/** Starts the bot and waits for its banner. */
async function started(name: string): Promise<BotProcess> {
  const b = bot(name);
  await b.waitFor(/Local workspace\. You are @bob/, 15_000);
  return b;
}

/** Declares INC-1; the commander (bob) is invited to its channel and the terminal follows him there. */
async function declare(b: BotProcess): Promise<void> {
  const from = b.out().length;
  b.type('/incident declare Checkout down --sev P1');
  await b.waitFor(new RegExp(`channel #${CHANNEL} created`), 10_000, from);
  await b.waitFor(new RegExp(`You are now in #${CHANNEL}\\.`), 10_000, from);
}

/** Every message id the bot printed: `[#chan · m4]`, `[DM @x · m9]`, `[#incidents · announcement · m3]`. */
function idsIn(out: string): string[] {
  return [...out.matchAll(/^\[[^\]\n]* · (m\d+)\]/gm)].map((m) => m[1]!);
}

/** Prints the timeline, ends the bot, and returns what the timeline showed and what Redis holds. */
async function timelineAndStop(b: BotProcess): Promise<{ printed: string; posted: string[] }> {
  const from = b.out().length;
  b.type('/incident timeline');
  await b.waitFor(/Timeline of INC-1: Checkout down/, 10_000, from);
  // The timeline is printed in one go, and the bot exits only after the last line is handled.
  await stop(b);
  const events = await new RedisIncidentStore(redis.redis, redis.prefix).events({ workspace: 'local', number: 1 });
  return { printed: b.out().slice(from), posted: events.flatMap((e) => (e.type === 'message_posted' ? [e.text] : [])) };
}

function expectOnTimeline(t: { printed: string; posted: string[] }, texts: string[]): void {
  for (const text of texts) expect(t.printed, `"${text}" on the printed timeline:\n${t.printed}`).toContain(text);
  // The record itself: one message_posted per message, in the order they were typed.
  expect(t.posted).toEqual(texts);
}

describe('local workspace message ids across restarts (issue 8, item 8)', () => {
  it('declare, two messages, restart on the same data dir, three messages: all five on the timeline, no id handed out twice', async () => {
    const a = await started('bot A');
    await declare(a);
    const before = [await typeMessage(a, 'first before restart'), await typeMessage(a, 'second before restart')];
    await stop(a);

    const b = await started('bot B');
    b.type(`/join #${CHANNEL}`);
    const after = [
      await typeMessage(b, 'first after restart'),
      await typeMessage(b, 'second after restart'),
      await typeMessage(b, 'third after restart'),
    ];
    const t = await timelineAndStop(b);
    expectOnTimeline(t, ['first before restart', 'second before restart', 'first after restart', 'second after restart', 'third after restart']);

    // Ids stay short, and none that bot A handed out (its two messages, the welcome, the summary,
    // the announcement) comes back in bot B: `/react m3` or `/edit m3` means one message only.
    for (const id of [...before, ...after]) expect(id).toMatch(/^m\d{1,3}$/);
    const repeated = idsIn(b.out()).filter((id) => idsIn(a.out()).includes(id));
    expect(repeated, `ids A handed out: ${idsIn(a.out()).join(' ')}; B: ${idsIn(b.out()).join(' ')}`).toEqual([]);
  }, 60_000);

  it('two messages, restart (kill -9), three messages: the first two after the restart are not taken for redeliveries', async () => {
    // The incident is declared by an earlier run, so the two messages get the first ids of a run.
    const a = await started('bot A');
    await declare(a);
    await stop(a);

    const b = await started('bot B');
    b.type(`/join #${CHANNEL}`);
    await typeMessage(b, 'first before restart');
    await typeMessage(b, 'second before restart');
    // Both recorded (the timeline shows them), then a crash: no clean shutdown writes anything.
    const from = b.out().length;
    b.type('/incident timeline');
    await b.waitFor(/Timeline of INC-1: Checkout down[^]*second before restart/, 10_000, from);
    await b.kill('SIGKILL');

    const c = await started('bot C');
    c.type(`/join #${CHANNEL}`);
    await typeMessage(c, 'first after restart');
    await typeMessage(c, 'second after restart');
    await typeMessage(c, 'third after restart');
    const t = await timelineAndStop(c);
    expectOnTimeline(t, ['first before restart', 'second before restart', 'first after restart', 'second after restart', 'third after restart']);
    expect(idsIn(c.out()).filter((id) => idsIn(b.out()).includes(id))).toEqual([]);
  }, 60_000);
});
