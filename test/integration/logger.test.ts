import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';

const TOKEN = 'xoxb-1234-secret-token';

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
});
