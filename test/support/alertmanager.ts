import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { freePort } from '../../src/infra/redis-server.js';

/**
 * The real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) for end-to-end tests:
 * found on this machine, or installed once with apt-get when the tests run as root (as
 * `.ci/run` installs redis-server), or else a reason the suite prints when it skips.
 */

export type AlertmanagerBinary = { ok: true; path: string } | { ok: false; reason: string };

const KNOWN_PATH = '/usr/bin/prometheus-alertmanager';
const NAMES = ['prometheus-alertmanager', 'alertmanager'];
const INSTALL_TIMEOUT_MS = 300_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) {
    for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function installed(): string | undefined {
  return executable(KNOWN_PATH) ? KNOWN_PATH : onPath();
}

let found: AlertmanagerBinary | undefined;

/**
 * Where Alertmanager is. Without it: as root, one `apt-get install` (after an `apt-get update`
 * when the package lists are missing); otherwise the reason it cannot be had. Remembered for the
 * process, so a failed install is not tried again.
 */
export function findAlertmanager(): AlertmanagerBinary {
  if (found) return found;
  const path = installed();
  if (path) return (found = { ok: true, path });
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return (found = { ok: false, reason: `no ${NAMES.join(' or ')} on PATH, and not root to apt-get install prometheus-alertmanager` });
  }
  const install = 'apt-get install -y -qq prometheus-alertmanager || (apt-get update -qq && apt-get install -y -qq prometheus-alertmanager)';
  const run = spawnSync('sh', ['-c', install], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const after = installed();
  if (after) return (found = { ok: true, path: after });
  const why = run.error?.message ?? (run.stderr.trim().split('\n').pop() || `exit ${run.status}`);
  return (found = { ok: false, reason: `apt-get install prometheus-alertmanager failed: ${why}` });
}

export interface AlertmanagerOptions {
  /** The webhook receiver's URL, e.g. `<bot>/alerts/am`. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (http_config.authorization.credentials). */
  token: string;
  /** A directory of the test's own: config and storage go there. */
  dir: string;
  groupBy?: string[];
}

/** The fields of an alert posted to `/api/v2/alerts` (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface RunningAlertmanager {
  url: string;
  /** POSTs alerts to its API (as Prometheus does); throws unless it answers 200. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** What it printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

/**
 * Alertmanager on a free port with one route to one webhook receiver: groups wait 1 s and flush
 * every 2 s, so a posted alert reaches the receiver within a few seconds; no gossip port.
 */
export async function startAlertmanager(bin: string, o: AlertmanagerOptions): Promise<RunningAlertmanager> {
  await mkdir(join(o.dir, 'storage'), { recursive: true });
  const config = join(o.dir, 'alertmanager.yml');
  await writeFile(config, alertmanagerConfig(o), { mode: 0o600 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, [`--config.file=${config}`, `--storage.path=${join(o.dir, 'storage')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      gone = true;
      resolve();
    };
    child.once('close', done);
    child.once('error', (err) => {
      out += `\n[spawn error] ${err.message}`;
      done();
    });
  });
  const running: RunningAlertmanager = {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (res.status !== 200) throw new Error(`alertmanager answered ${res.status}: ${await res.text()}`);
    },
    output: () => out,
    stop: () => (gone ? Promise.resolve() : stop(child, exited)),
  };
  try {
    await waitReady(url, () => gone, () => out);
  } catch (err) {
    await running.stop();
    throw err;
  }
  return running;
}

export function alertmanagerConfig(o: Pick<AlertmanagerOptions, 'webhookUrl' | 'token' | 'groupBy'>): string {
  return [
    'route:',
    '  receiver: bot',
    `  group_by: ${JSON.stringify(o.groupBy ?? ['alertname', 'service'])}`,
    '  group_wait: 1s',
    '  group_interval: 2s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: bot',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(o.webhookUrl)}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    `            credentials: ${JSON.stringify(o.token)}`,
    '',
  ].join('\n');
}

/** Polls `/-/ready` until it answers 200, the process exits, or the time is up. */
async function waitReady(url: string, gone: () => boolean, out: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone()) throw new Error(`alertmanager exited before it was ready:\n${out()}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`alertmanager not ready within ${READY_TIMEOUT_MS} ms:\n${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
