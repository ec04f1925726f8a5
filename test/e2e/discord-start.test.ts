import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FakeDiscord, IDS, PEOPLE } from '../fakes/fake-discord.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * `npm start` as an operator runs it (`node --import tsx src/main.ts`, a child process) with the
 * Discord credentials set, pointed at FakeDiscord: it must connect, answer `/incident`, and send
 * what goes through the outbound queue back to Discord (workspace `discord:<guild>`).
 */

let fake: FakeDiscord | undefined;
let redis: TestRedis | undefined;
let bot: BotProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  await bot?.kill();
  await fake?.close();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm start with Discord credentials', () => {
  it('connects, answers /incident declare, announces it, and stops cleanly on SIGTERM', async () => {
    fake = await FakeDiscord.start();
    redis = await testRedis();
    dir = await mkdtemp(join(tmpdir(), 'e2e-discord-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      KEY_PREFIX: redis.prefix,
      DATA_DIR: join(dir, 'data'),
      DISCORD_TOKEN: 'test-token',
      DISCORD_APPLICATION_ID: IDS.application,
      DISCORD_GUILD_ID: IDS.guild,
      DISCORD_API_URL: fake.apiUrl,
      PORT: '0',
    };
    for (const key of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'INCIDENT_CONFIG', 'LOG_FILE']) delete env[key];
    bot = startBot('discord-bot', env);
    await bot.waitFor(/"msg":"discord connected"/, 20_000);

    const ix = fake.slash(PEOPLE.carol, IDS.general, 'declare', { title: 'DB down', sev: 'P1' });
    expect((await fake.answered(ix, 10_000)).text).toMatch(/^Declared INC-1: \*\*DB down\*\* \(P1\)\. Channel: <#\d+>/);
    await fake.until(() => fake?.textsIn(IDS.announce).find((t) => t.includes('INC-1 declared')), 10_000, 'the announcement');

    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
