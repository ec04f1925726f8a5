import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { startBot, countMatches, type BotProcess } from '../support/bot-process.js';
import { testRedis, type TestRedis } from '../support/redis.js';

/**
 * Issue 11, item 9 (handoffs), through the real bot process as src/main.ts wires it: a bot that
 * is killed (-9) before a shift boundary, and a new one started after, still DMs the person who
 * comes on call with the open incident and tells the person going off call who took over, once.
 */

let dir: string;
let redis: TestRedis;
let env: NodeJS.ProcessEnv;
const bots: BotProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-handoff-'));
  redis = await testRedis();
  env = {
    ...process.env,
    REDIS_URL: inject('redisUrl'),
    KEY_PREFIX: redis.prefix,
    DATA_DIR: join(dir, 'data'),
    LOCAL_USER: 'erin',
    LOG_LEVEL: 'info',
    PORT: '0',
    INCIDENT_CONFIG: join(dir, 'incident.yaml'),
  };
  delete env.LOG_FILE;
  delete env.SLACK_BOT_TOKEN;
  delete env.DISCORD_TOKEN;
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill('SIGKILL')));
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function started(name: string): Promise<BotProcess> {
  const b = startBot(name, env);
  bots.push(b);
  await b.waitFor(/Local workspace\. You are @erin/, 15_000);
  return b;
}

describe('handoffs across a restart', () => {
  it('kill -9 before the boundary: the restarted bot sends the handoff DMs, once each', async () => {
    // Alice round the clock; bob covers from a few seconds from now (a config override, so the
    // boundary is real time: a bot process has no test clock).
    const boundary = new Date(Math.ceil((Date.now() + 10_000) / 1000) * 1000);
    const until = new Date(boundary.getTime() + 3_600_000);
    await writeFile(
      env.INCIDENT_CONFIG as string,
      [
        'rotations:',
        '  - id: backend',
        '    timeZone: UTC',
        '    layers:',
        '      - { members: [alice], shift: 1d, handoff: "00:00", start: 2025-01-01 }',
        '    overrides:',
        `      - { user: bob, from: "${boundary.toISOString()}", to: "${until.toISOString()}" }`,
        'policies:',
        '  - id: default',
        '    tiers: [{ targets: [{ rotation: backend }] }]',
        'defaultPolicy: default',
        '',
      ].join('\n'),
    );
    const a = await started('bot A');
    a.type('/incident declare Checkout down --sev P1');
    await a.waitFor(/channel #inc-1-checkout-down created/, 10_000);
    await a.kill('SIGKILL');
    expect(a.out()).not.toContain('You are on call for backend');

    const b = await started('bot B');
    const incoming = await b.waitFor(/\[DM @bob · m\d+\] bot:\n\s+:arrows_counterclockwise: You are on call for backend from [^\n]*taking over from @alice\.\n(?:\s+[^\n]*\n)*?\s+• INC-1 · P1 · Checkout down · #inc-1-checkout-down/, 30_000);
    expect(incoming[0]).toContain('Open incidents (1):');
    await b.waitFor(/\[DM @alice · m\d+\] bot:\n\s+Your shift on backend ended at [^\n]*: @bob took over/, 10_000);
    // Ends its input: every queued job it holds is done before it exits.
    b.end();
    expect((await b.waitForExit(15_000)).code).toBe(0);
    const out = a.out() + b.out();
    expect(countMatches(out, /You are on call for backend/g)).toBe(1);
    expect(countMatches(out, /@bob took over/g)).toBe(1);
  }, 90_000);
});
