import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';

const TOKEN = 'xoxb-1234-secret-token';

/** Writes the lines with a real logger to a file and returns the file's text. */
async function written(lines: (log: ReturnType<typeof createLogger>) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'log-'));
  const file = join(dir, 'bot.log');
  lines(createLogger({ level: 'info', file, sync: true }));
  const text = await readFile(file, 'utf8');
  await rm(dir, { recursive: true, force: true });
  return text;
}

describe('logs', () => {
  it('never carry a token, whether in fields or inside an HTTP client error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'log-'));
    const file = join(dir, 'bot.log');
    const log = createLogger({ level: 'info', file, sync: true });
    // The shape HTTP clients give their errors: the request config with the Authorization header.
    const httpError = Object.assign(new Error('Request failed with status code 500'), {
      code: 'ERR_BAD_RESPONSE',
      config: { url: 'https://slack.com/api/chat.postMessage', headers: { Authorization: `Bearer ${TOKEN}` } },
      original: { config: { headers: { Authorization: `Bearer ${TOKEN}` } } },
    });
    log.error({ err: httpError, ref: 'abcd1234' }, 'command failed');
    log.warn({ token: TOKEN, headers: { authorization: TOKEN }, signingSecret: TOKEN }, 'config read');
    log.child({ platform: 'slack' }).info({ request: { Authorization: TOKEN } }, 'child line');
    const text = await readFile(file, 'utf8');
    await rm(dir, { recursive: true, force: true });
    expect(text.trim().split('\n')).toHaveLength(3);
    expect(text).not.toContain(TOKEN);
    // What an operator needs is still there.
    expect(text).toContain('Request failed with status code 500');
    expect(text).toContain('abcd1234');
  });

  it('take secrets out wherever they sit: nested fields, URLs, error messages, stacks, causes and child bindings', async () => {
    const secrets = {
      redisPassword: 'r3dis-Pa55word-0123',
      interactionToken: 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpzZWNyZXQ',
      slackHook: 'T0001/B0002/XXXXsecretXXXXhookXXXX',
      appToken: 'xapp-1-A0001-123456-abcdefsecret',
      discordBot: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123',
    };
    const webhook = `https://discord.com/api/v10/webhooks/300000000000000001/${secrets.interactionToken}/messages/@original`;
    // ioredis's shape: the failed command with its arguments, here AUTH's password, as the cause of another error.
    const auth = Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), { command: { name: 'auth', args: ['default', secrets.redisPassword] } });
    const wrapped = new Error(`reply to ${webhook} failed`, { cause: auth });
    const text = await written((log) => {
      log.error({ err: Object.assign(new Error('Unknown Webhook'), { method: 'PATCH', url: webhook, status: 404 }) }, 'discord event handler failed');
      log.error({ err: wrapped, attempt: 2 }, 'wrapped');
      log.warn({ job: { data: { respond: { response_url: `https://hooks.slack.com/commands/${secrets.slackHook}` } } } }, 'deep field');
      log.warn({ detail: `posting to https://hooks.slack.com/services/${secrets.slackHook} with ${secrets.appToken}` }, 'free text');
      log.info({ request: { headers: { 'X-Auth': `Bot ${secrets.discordBot}` } }, url: `redis://default:${secrets.redisPassword}@10.0.0.5:6379/0` }, 'headers and urls');
      log.child({ redis: `rediss://app:${secrets.redisPassword}@cache.internal:6380` }).error({ cause: auth }, 'child binding and a bare error');
      log.error({ err: `connect to redis://:${secrets.redisPassword}@127.0.0.1:6379 refused` }, 'string err');
    });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    // What an operator needs to find the failing call is left.
    expect(text).toContain('/api/v10/webhooks/300000000000000001/[redacted]/messages/@original');
    expect(text).toContain('WRONGPASS invalid username-password pair');
    expect(text).toContain('"command":{"name":"auth","args":"[redacted]"}');
    expect(text).toContain('redis://default:***@10.0.0.5:6379/0');
    expect(text).toContain('rediss://app:***@cache.internal:6380');
    expect(text).toContain('hooks.slack.com/[redacted]');
    expect(text).toContain('xapp-[redacted]');
    expect(text).toContain('"status":404');
  });
});
