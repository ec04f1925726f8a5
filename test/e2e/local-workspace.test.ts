import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisEnv, testRedis, type TestRedis } from '../support/redis.js';

/**
 * The bot as a new user runs it: `npm start`'s entry point in a child process, lines typed on
 * its stdin, the terminal's output read back, a real Redis behind it. Run twice to show that
 * incidents outlive the process.
 */

let dir: string;
let redis: TestRedis;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-local-'));
  redis = await testRedis();
  await writeFile(
    join(dir, 'incident.yaml'),
    ['timeZone: Asia/Seoul', 'services:', '  - id: checkout', 'postmortems:', `  dir: ${join(dir, 'postmortems')}`].join('\n'),
  );
  env = {
    ...process.env,
    ...redisEnv(),
    KEY_PREFIX: redis.prefix,
    DATA_DIR: join(dir, 'data'),
    INCIDENT_CONFIG: join(dir, 'incident.yaml'),
    LOCAL_USER: 'bob',
    // A free port for the HTTP server: parallel test files' bots must not clash on 3000.
    PORT: '0',
  };
});

afterAll(async () => {
  await redis.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function runBot(lines: string[]): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, err, code }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('local workspace, end to end', () => {
  it('walks an incident from declaration to a postmortem draft, across a restart', async () => {
    const first = await runBot([
      '/incident declare Checkout API returns 500 --sev P2 --service checkout',
      'p95 latency 3.2 s, error rate 40%',
      '/as @alice',
      'connection pool exhausted on api-2',
      '/incident role scribe @alice',
      '/incident note rolled back release 2.3.0',
      '/incident status identified pool too small for the sale traffic',
      '/incident action Alert on pool usage --owner @alice --due 1w',
      '/incident action Load test before sales --due 1m',
    ]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('Local workspace. You are @bob in #general.');
    expect(first.out).toContain('[workspace] channel #inc-1-checkout-api-returns-500 created');
    expect(first.out).toContain('[#incidents · announcement');
    expect(first.out).toMatch(/\[#inc-1-checkout-api-returns-500 · m\d+\] @alice: connection pool exhausted on api-2/);

    // A new process: the incident, its timeline and its channel mapping come back from Redis.
    const second = await runBot([
      '/join #inc-1-checkout-api-returns-500',
      '/incident status monitoring error rate back to 0.2%',
      'looks stable now',
      '/incident close',
      '/incident resolve pool raised to 50',
      '/incident action done A1',
      '/incident close',
      '/incident note too late',
    ]);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('INC-1 is still monitoring. Resolve it first');
    expect(second.out).toMatch(/resolved INC-1 after/);
    expect(second.out).toContain('INC-1 is closed; it takes no more changes.');
    const path = /Postmortem draft: (\S+\.md)/.exec(second.out)?.[1];
    expect(path).toBeDefined();
    expect(path).toContain(join(dir, 'postmortems'));

    const pm = await readFile(path!, 'utf8');
    expect(pm).toMatch(/^# Postmortem: INC-1 Checkout API returns 500/);
    const sections = ['## 1. Overview', '## 2. Timeline', '## 3. Root cause', '## 4. Impact', '## 5. Immediate actions', '## 6. Prevention', '## 7. Lessons'];
    const at = sections.map((s) => pm.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(pm).toMatch(/\| Severity \| P2 \(High\) \|/);
    expect(pm).toMatch(/\| Service \| checkout \|/);
    expect(pm).toMatch(/\| Commander \| bob \|/);
    expect(pm).toMatch(/\| Participants \| bob, alice \|/);
    expect(pm).toMatch(/\| Duration \(declared → resolved\) \| (\d+ s|\d+ min( \d+ s)?) \|/);
    // Messages from both runs, in order, with their authors.
    const a = pm.indexOf('bob  p95 latency 3.2 s, error rate 40%');
    const b = pm.indexOf('alice  connection pool exhausted on api-2');
    const c = pm.indexOf('bob  looks stable now');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(pm).toContain('rolled back release 2.3.0');
    expect(pm).toMatch(/### Short term \(1 week\)\s+- \[x\] A1 Alert on pool usage · alice/);
    expect(pm).toMatch(/### Mid term \(1 month\)\s+- \[ \] A2 Load test before sales · unassigned/);
    expect(pm.match(/Why /g)?.length).toBe(5);
    // The draft is posted in the channel as well.
    expect(second.out).toContain('Postmortem draft for INC-1');
  }, 60_000);
});
