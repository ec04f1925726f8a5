import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IncidentExport } from '../../src/core/incident-export.js';
import { declareEvents } from '../../src/core/lifecycle.js';
import { project } from '../../src/core/projection.js';
import { incidentTimes } from '../../src/core/metrics.js';
import { participantsOf } from '../../src/core/participants.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN } from '../support/paging.js';

/**
 * `npm run export -- INC-n` as an operator runs it: src/export-cli.ts in a child process, on the
 * bot's Redis (REDIS_URL, KEY_PREFIX), reading an incident the real bot recorded.
 */

let app: TestApp;
let dir: string;

beforeAll(async () => {
  app = await testApp({ timeZone: 'UTC' }, new Date('2025-12-26T09:00:00Z'));
  await app.type('/as @carol');
  await app.type('/incident declare DB down --sev P2');
  await app.type('/join #inc-1-db-down');
  app.clock.advance(4 * MIN + 12_000);
  await app.type('/incident status monitoring failover done');
  app.clock.advance(20 * MIN);
  await app.type('/incident resolve failed over to the replica');
  app.clock.advance(MIN);
  await app.type('/incident postmortem done @dave');
  dir = await mkdtemp(join(tmpdir(), 'export-'));
});

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExport(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/export-cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL: inject('redisUrl'), KEY_PREFIX: app.redis.prefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run export', () => {
  it('prints the incident, its events and the figures of its postmortem as JSON', async () => {
    const run = await runExport(['INC-1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as IncidentExport;
    const events = await app.deps.store.events({ workspace: 'local', number: 1 });
    expect(out.format).toBe('incident-export/1');
    expect(out.ref).toBe('INC-1');
    expect(out.incident.title).toBe('DB down');
    expect(out.incident.status).toBe('resolved');
    expect(out.events).toEqual(JSON.parse(JSON.stringify(events)));
    expect(out.figures.times).toEqual(JSON.parse(JSON.stringify(incidentTimes(events))));
    expect(out.figures.participants).toEqual(JSON.parse(JSON.stringify(participantsOf(events))));
    // To the second, from the injected clock.
    expect(out.figures.times.timeToResolveMs).toBe(24 * MIN + 12_000);
    expect(out.figures.times.statusDurations.investigating).toBe(4 * MIN + 12_000);
    expect(out.figures.review).toMatchObject({ reviewedAt: '2025-12-26T09:25:12.000Z', reviewers: [{ id: 'dave' }], withinDeadline: true });
  });

  it('writes the JSON to a file with --out, for another workspace with --workspace', async () => {
    const file = join(dir, 'inc-1.json');
    const run = await runExport(['INC-1', '--out', file, '--workspace', 'local']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Wrote INC-1 \(\d+ events\) to .*inc-1\.json\.\n$/);
    expect(JSON.parse(await readFile(file, 'utf8')).ref).toBe('INC-1');
    const elsewhere = await runExport(['INC-1', '--workspace', 'T999']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe('There is no INC-1 in this workspace.\n');
  });

  it('takes a Slack team id or a Discord guild id as the platform shows it, or as the bot stores it', async () => {
    for (const [workspace, title] of [['slack:T0TEAM', 'Slack side'], ['discord:1234567890', 'Discord side']] as const) {
      const key = { workspace, number: 1 };
      const events = declareEvents({ title, summary: '', severity: 'P3', private: false }, { id: 'U1', name: 'carol' }, new Date('2025-12-26T09:00:00Z'));
      expect(await app.deps.store.append(key, 0, events, project(null, events, key))).toBe(true);
    }
    const titleOf = async (ws: string) => {
      const run = await runExport(['INC-1', '--workspace', ws]);
      expect({ ws, code: run.code, stderr: run.stderr }).toEqual({ ws, code: 0, stderr: '' });
      return (JSON.parse(run.stdout) as IncidentExport).incident.title;
    };
    expect(await titleOf('T0TEAM')).toBe('Slack side');
    expect(await titleOf('slack:T0TEAM')).toBe('Slack side');
    expect(await titleOf('1234567890')).toBe('Discord side');
    expect(await titleOf('discord:1234567890')).toBe('Discord side');
    expect((await runExport(['INC-1', '--workspace', 'T0OTHER'])).stderr).toBe('There is no INC-1 in this workspace.\n');
  }, 60_000);

  it('has a compiled form for images without tsx: `npm run export:prod` runs what `npm run build` compiles', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts['export:prod']).toBe('node dist/src/export-cli.js');
    expect(pkg.devDependencies['tsx']).toBeDefined();
    // tsconfig.build.json (JSON with comments) compiles src/, so src/export-cli.ts -> dist/src/export-cli.js.
    const build = JSON.parse((await readFile('tsconfig.build.json', 'utf8')).replace(/^\s*\/\/.*$/gm, '')) as { include: string[]; compilerOptions: { outDir: string; rootDir: string } };
    expect(build.include).toContain('src');
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
  });

  it('refuses an unknown incident, a bad reference, a missing one and an unknown option, with exit code 1', async () => {
    const cases: [string[], RegExp][] = [
      [['INC-9'], /^There is no INC-9 in this workspace\.\n$/],
      [['frob'], /^`frob` is not an incident reference: give one such as `INC-7`\. Usage: `npm run export -- <INC-n>/],
      [[], /^Name the incident to export\. Usage: `npm run export -- <INC-n> \[--workspace id\] \[--out file\]`\n$/],
      [['INC-1', '--format', 'xml'], /^Unknown option '--format'.*Usage: `npm run export/],
    ];
    for (const [args, message] of cases) {
      const run = await runExport(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(run.stderr).toMatch(message);
    }
  }, 60_000);

  it('says so when Redis does not answer', async () => {
    const run = await runExport(['INC-1'], { REDIS_URL: 'redis://:secret@127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('Redis at redis://127.0.0.1:1 is not answering: set REDIS_URL (and KEY_PREFIX) as the bot has them.\n');
  });
});
