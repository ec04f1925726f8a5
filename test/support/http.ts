import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startBot, type BotProcess } from './bot-process.js';

/**
 * The bot as `npm start` runs it (a child process, test/support/bot-process.ts) with its HTTP
 * server on a free port (PORT=0), and what a test needs to talk to it: the base URL it printed,
 * the built-in local alert source's token, and a parser of the Prometheus text /metrics serves.
 */

export interface HttpBot {
  bot: BotProcess;
  /** `http://127.0.0.1:<port>`, as the bot printed it. */
  url: string;
  /** The bearer token of the built-in `local` alert source (from `${DATA_DIR}/alert-token`), when it was added. */
  localToken?: string;
}

/** The line the local workspace prints (src/http/local-source.ts httpBanner), or the log line of a platform run. */
const LISTENING = /(?:Alerts are accepted on|HTTP on) (http:\/\/[^\s/:]+:\d+)|"port":(\d+)[^\n]*"msg":"http server listening"|"msg":"http server listening"[^\n]*"port":(\d+)/;

/**
 * Starts the bot with `env` (PORT forced to 0 unless given) and resolves once its HTTP server
 * listens. `env.DATA_DIR` must be set: the local source's token is read from there.
 */
export async function startHttpBot(name: string, env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<HttpBot> {
  const bot = startBot(name, { ...env, PORT: env.PORT ?? '0' });
  const m = await bot.waitFor(LISTENING, timeoutMs);
  const url = m[1] ?? `http://127.0.0.1:${m[2] ?? m[3]}`;
  const localToken = m[0].startsWith('Alerts are accepted') && env.DATA_DIR ? (await readFile(join(env.DATA_DIR, 'alert-token'), 'utf8')).trim() : undefined;
  return { bot, url, ...(localToken ? { localToken } : {}) };
}

/**
 * The environment of a local-workspace bot for these tests: this Redis and key prefix, its data
 * and config under `dir` (`dir/data`, `dir/incident.yaml`), a free port, `extra` on top (alert
 * secrets), and none of the caller's log file or platform credentials.
 */
export function localBotEnv(o: { redisUrl: string; prefix: string; dir: string; extra?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: o.redisUrl,
    KEY_PREFIX: o.prefix,
    DATA_DIR: join(o.dir, 'data'),
    INCIDENT_CONFIG: join(o.dir, 'incident.yaml'),
    LOCAL_USER: 'dave',
    PORT: '0',
    ...o.extra,
  };
  for (const key of ['LOG_FILE', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN']) delete env[key];
  return env;
}

/** One sample of a scrape: `name{a="1",b="2"}` (labels sorted) → value. */
export type Samples = Map<string, number>;

/**
 * Parses the Prometheus text exposition format (version 0.0.4): comment lines skipped, each
 * other line `name{labels} value [timestamp]`. Label values may contain escaped quotes.
 */
export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a metrics line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k ?? '', (v ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))] as const);
    samples.set(sampleKey(m[1] ?? '', Object.fromEntries(labels)), Number(m[3]));
  }
  return samples;
}

export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return inner ? `${name}{${inner}}` : name;
}

/** A sample's value; 0 when the series does not exist (a counter never incremented). */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  return samples.get(sampleKey(name, labels)) ?? 0;
}

/** GETs /metrics and parses it. */
export async function scrape(url: string): Promise<Samples> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

export interface HeldRequest {
  /** Resolves once the server has read the headers and answered 100 Continue: the request is under way. */
  continued: Promise<void>;
  /** Sends the body and resolves with the answer. */
  finish(body: string): Promise<{ status: number; body: string }>;
}

/**
 * A POST the server has started on but cannot finish until the test says so (`Expect:
 * 100-continue`: the server answers 100 once it has the headers, then waits for the body).
 * For what happens to requests under way during a shutdown or an overload.
 */
export function heldRequest(url: string, headers: Record<string, string>, bodyLength: number): HeldRequest {
  let answer: ((r: { status: number; body: string }) => void) | undefined;
  let fail: ((err: Error) => void) | undefined;
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  answered.catch(() => undefined);
  const req = httpRequest(url, { method: 'POST', headers: { ...headers, expect: '100-continue', 'content-length': String(bodyLength) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => answer?.({ status: res.statusCode ?? 0, body: text }));
  });
  req.on('error', (err) => fail?.(err));
  const continued = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    req.once('error', reject);
    answered.then(
      (r) => reject(new Error(`answered ${r.status} before 100 Continue: ${r.body}`)),
      () => undefined,
    );
  });
  req.flushHeaders();
  return {
    continued,
    finish(body) {
      req.end(body);
      return answered;
    },
  };
}
