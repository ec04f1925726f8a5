import { join } from 'node:path';
import { IDS, type FakeDiscord } from '../fakes/fake-discord.js';
import { startBot, type BotProcess } from './bot-process.js';

/**
 * Bot replicas as `npm start` runs them (child processes), all with the Discord credentials,
 * one Redis and one key prefix, pointed at one FakeDiscord: only the gateway lease's holder
 * connects. For test/e2e/discord-replicas.test.ts and bench/lease-failover.ts.
 */

export interface ReplicaSetup {
  fake: FakeDiscord;
  /** REDIS_URL (or REDIS_CLUSTER_NODES) of the run's Redis. */
  redisEnv: NodeJS.ProcessEnv;
  prefix: string;
  dir: string;
  /** Path of an incident config file, if any. */
  config?: string;
  /** DISCORD_LEASE_TTL_MS / DISCORD_LEASE_POLL_MS; the defaults (10 s, 1 s) when unset. */
  leaseTtlMs?: number;
  leasePollMs?: number;
}

export function replicaEnv(name: string, s: ReplicaSetup): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...s.redisEnv,
    KEY_PREFIX: s.prefix,
    DATA_DIR: join(s.dir, name),
    REPLICA_ID: name,
    DISCORD_TOKEN: 'test-token',
    DISCORD_APPLICATION_ID: IDS.application,
    DISCORD_GUILD_ID: IDS.guild,
    DISCORD_API_URL: s.fake.apiUrl,
    PORT: '0',
    ...(s.config ? { INCIDENT_CONFIG: s.config } : {}),
    ...(s.leaseTtlMs ? { DISCORD_LEASE_TTL_MS: String(s.leaseTtlMs) } : {}),
    ...(s.leasePollMs ? { DISCORD_LEASE_POLL_MS: String(s.leasePollMs) } : {}),
  };
  for (const key of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'LOG_FILE', ...(s.config ? [] : ['INCIDENT_CONFIG'])]) delete env[key];
  return env;
}

export const HOLDER_LINE = /"msg":"discord connected"/;
export const STANDBY_LINE = /"msg":"discord standby: another replica holds the gateway"/;
/** A replica that took the gateway over (or first opened it): `how` is identified or resumed. */
export const OPENED_LINE = /"how":"(identified|resumed)"[^\n]*"msg":"discord gateway opened"/;

/** Starts a replica and waits until it holds the gateway or stands by, as `role` says. */
export async function startReplica(name: string, s: ReplicaSetup, role: 'holder' | 'standby', timeoutMs = 30_000): Promise<BotProcess> {
  const bot = startBot(name, replicaEnv(name, s));
  try {
    await bot.waitFor(role === 'holder' ? HOLDER_LINE : STANDBY_LINE, timeoutMs);
  } catch (err) {
    await bot.kill();
    throw err;
  }
  return bot;
}

/** The port a replica's HTTP server listens on (PORT=0 picks one), from its log. */
export async function httpPort(bot: BotProcess): Promise<number> {
  const m = await bot.waitFor(/"port":(\d+)[^\n]*"msg":"http server listening"/, 10_000);
  return Number(m[1]);
}

/** GET /readyz of a replica: its status code and body. */
export async function readyz(bot: BotProcess): Promise<{ status: number; body: { ok: boolean; replica?: string; checks: Record<string, string>; details?: Record<string, Record<string, unknown>> } }> {
  const res = await fetch(`http://127.0.0.1:${await httpPort(bot)}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}
