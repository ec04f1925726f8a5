import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FakeDiscord, IDS, PEOPLE } from '../fakes/fake-discord.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { testRedis, type TestRedis } from '../support/redis.js';
import { freePort } from '../../src/infra/redis-server.js';

/**
 * Issue 9 item 5: secrets never reach the log file, stdout or stderr. The real bot runs as
 * `npm start` runs it (a child process) against a redis-server of the test's own with
 * `requirepass`, and against FakeDiscord failing the edit of a deferred reply, whose URL carries
 * the interaction token (valid 15 minutes: whoever reads the log could answer as the bot).
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const secret = (): string => randomBytes(12).toString('hex');

/**
 * How many lines of each output carry any 8-character piece of `secret` (`{}` when none do):
 * a log must hold no part of a secret, not only no whole one.
 */
function leaks(outputs: Record<string, string>, secret: string): Record<string, number> {
  const pieces = Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));
  const found: Record<string, number> = {};
  for (const [name, text] of Object.entries(outputs)) {
    const n = text.split('\n').filter((line) => pieces.some((p) => line.includes(p))).length;
    if (n > 0) found[name] = n;
  }
  return found;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'security-logs-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A redis-server of this test's own that wants `password` (ensureRedis starts none with one). */
async function passwordRedis(password: string, dir: string): Promise<number> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--requirepass', password];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  });
  let printed = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      printed += d.toString();
      if (printed.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${printed}`)));
  });
  return port;
}

function botEnv(dir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data'), LOG_FILE: join(dir, 'bot.log'), LOG_LEVEL: 'info', KEY_PREFIX: `sec${randomBytes(3).toString('hex')}:`, PORT: '0', ...extra };
  for (const key of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN', 'INCIDENT_CONFIG']) if (!(key in extra)) delete env[key];
  return env;
}

function bot(name: string, env: NodeJS.ProcessEnv): BotProcess {
  const b = startBot(name, env);
  cleanups.push(() => b.kill('SIGKILL'));
  return b;
}

const logOf = (dir: string): Promise<string> => readFile(join(dir, 'bot.log'), 'utf8').catch(() => '');

/** Everything the bot wrote: its log file, stdout and stderr. */
async function outputsOf(dir: string, b: BotProcess): Promise<Record<string, string>> {
  return { 'bot.log': await logOf(dir), stdout: b.out(), stderr: b.err() };
}

/**
 * Resolves once `check` holds for the log file's text. The file is re-read every 50 ms: the bot
 * is another process, and fs.watch misses appends on some file systems.
 */
async function logUntil(dir: string, b: BotProcess, check: (log: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await logOf(dir);
    if (check(log)) return log;
    if (Date.now() > deadline || !b.running()) {
      throw new Error(`bot.log never showed ${what} (bot ${b.running() ? 'running' : 'exited'})\n--- bot.log ---\n${log.slice(-3000)}\n--- stderr ---\n${b.err().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (log: string, pattern: RegExp): string[] => log.split('\n').filter((l) => pattern.test(l));

describe('secrets never reach the logs', () => {
  it('a bot given the wrong Redis password says which Redis refused it and exits, without either password anywhere', async () => {
    const dir = await tempDir();
    const right = secret();
    const wrong = secret();
    const port = await passwordRedis(right, dir);
    const b = bot('wrong-password', botEnv(dir, { REDIS_URL: `redis://default:${wrong}@127.0.0.1:${port}` }));

    const exit = await b.waitForExit(20_000);
    const outputs = await outputsOf(dir, b);
    expect(leaks(outputs, wrong)).toEqual({});
    expect(leaks(outputs, right)).toEqual({});
    expect(exit.code, JSON.stringify(outputs, null, 1)).toBe(1);
    // One clear line, with the URL masked, and no second Redis started on the taken port.
    expect(b.err()).toContain(`Redis at redis://default:***@127.0.0.1:${port} refused the login: WRONGPASS`);
    expect(b.err()).not.toMatch(/sonic boom|at .*node_modules/);
    expect(b.out()).not.toContain('redis-server:');
  }, 40_000);

  it('when Redis stops accepting the password of a running bot, every log line about it leaves the password out', async () => {
    const dir = await tempDir();
    const old = secret();
    const rotated = secret();
    const port = await passwordRedis(old, dir);
    const url = `redis://default:${old}@127.0.0.1:${port}`;
    const b = bot('rotated-password', botEnv(dir, { REDIS_URL: url }));
    await b.waitFor(/Local workspace\. You are @/, 20_000);
    await logUntil(dir, b, (log) => log.includes('"core started"'), 10_000, 'core started');

    // The password is rotated and every connection dropped: the bot's reconnects now log in with a wrong one.
    const admin = new Redis(url, { maxRetriesPerRequest: 1 });
    await admin.config('SET', 'requirepass', rotated);
    await admin.client('KILL', 'TYPE', 'normal');
    await admin.quit();
    // Its own connection, both queues' and both workers' each retry and fail: wait for many such lines.
    const log = await logUntil(dir, b, (text) => lines(text, /WRONGPASS/).length >= 12, 20_000, 'a dozen WRONGPASS lines');

    await b.kill('SIGTERM');
    const outputs = await outputsOf(dir, b);
    expect(leaks(outputs, old)).toEqual({});
    expect(leaks(outputs, rotated)).toEqual({});
    // BullMQ prints an error nobody listens to on stderr: with listeners everywhere, nothing is printed.
    expect(b.err()).not.toContain('WRONGPASS');
    // The operator still learns what is wrong and where.
    const said = (msg: string): string[] => lines(log, new RegExp(`"msg":"${msg}"`));
    expect(said('redis connection error').length).toBeGreaterThan(0);
    expect(said('redis connection error').every((l) => l.includes(`"redis":"redis://default:***@127.0.0.1:${port}"`) && l.includes('WRONGPASS'))).toBe(true);
    expect(said('queue error').some((l) => l.includes('WRONGPASS'))).toBe(true);
    expect(said('queue worker error').some((l) => l.includes('WRONGPASS'))).toBe(true);
  }, 40_000);

  it('a Discord reply edit that fails is logged without the interaction token of its URL', async () => {
    const dir = await tempDir();
    const fake = await FakeDiscord.start();
    cleanups.push(() => fake.close());
    const redis: TestRedis = await testRedis();
    cleanups.push(() => redis.cleanup());
    const b = bot(
      'discord-reply',
      botEnv(dir, { REDIS_URL: inject('redisUrl'), KEY_PREFIX: redis.prefix, DISCORD_TOKEN: 'test-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: fake.apiUrl }),
    );
    await logUntil(dir, b, (log) => log.includes('"discord connected"'), 20_000, 'discord connected');

    // Discord answers 404 Unknown Webhook, as it does once the 15 minutes of the token are up.
    fake.fail({ method: 'PATCH', path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/, status: 404, code: 10015, times: 1 });
    const ix = fake.slash(PEOPLE.carol, IDS.general, 'help');
    const log = await logUntil(dir, b, (text) => text.includes('"discord event handler failed"'), 10_000, 'the failed reply');

    await b.kill('SIGTERM');
    const outputs = await outputsOf(dir, b);
    expect(leaks(outputs, ix.token)).toEqual({});
    // What failed stays readable: the method, the route with its application id, the status.
    const failure = lines(log, /discord event handler failed/).join('\n');
    expect(failure).toContain(`/webhooks/${IDS.application}/[redacted]/messages/`);
    expect(failure).toMatch(/"status":404.*"method":"PATCH"/);
  }, 40_000);
});
