import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRedis, freePort, type EnsuredRedis } from '../../src/infra/redis-server.js';
import { startBot, type BotProcess } from '../../test/support/bot-process.js';
import { IDS } from '../../test/fakes/fake-discord.js';
import type { Platforms } from './platforms.js';

/**
 * The processes of a chaos run: one redis-server with AOF in the run's temp dir (stopped and
 * started again on the same port and dir), and two real bot processes as `npm start` runs them,
 * both on Slack over HTTP, bot A also on Discord (the gateway allows one connection). Every
 * outage (a kill -9 until the new process is ready, a Redis stop until it answers again) is
 * recorded with wall-clock times, for the delay figures.
 */

export interface Outage {
  what: string;
  down: number;
  /** When it was back: the new process printed that its adapters are up, or Redis answered. */
  up?: number;
}

export interface Bot {
  name: string;
  port: number;
  discord: boolean;
  proc?: BotProcess;
  /** Every process this bot ran as, oldest first (their output is scanned at the end). */
  history: BotProcess[];
}

const READY_TIMEOUT_MS = 30_000;

export class Cluster {
  readonly outages: Outage[] = [];
  readonly bots = new Map<string, Bot>();
  /** Bots that exited without being killed by the run (a crash). */
  readonly crashes: { bot: string; at: number; exit: string }[] = [];
  private redis: EnsuredRedis | undefined;
  private env: NodeJS.ProcessEnv = {};
  private stopping = false;

  private constructor(
    readonly dir: string,
    readonly redisUrl: string,
    readonly prefix: string,
    private readonly platforms: Platforms,
  ) {}

  static async start(dir: string, platforms: Platforms, configYaml: string): Promise<Cluster> {
    const cluster = new Cluster(dir, `redis://127.0.0.1:${await freePort()}`, 'chaos:', platforms);
    await cluster.startRedis();
    await writeFile(join(dir, 'incident.yaml'), configYaml);
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: cluster.redisUrl, KEY_PREFIX: cluster.prefix, INCIDENT_CONFIG: join(dir, 'incident.yaml'), LOG_LEVEL: 'info' };
    for (const key of ['SLACK_APP_TOKEN', 'DISCORD_CATEGORY_ID', 'LOG_FILE', 'DISCORD_TOKEN', 'SLACK_BOT_TOKEN']) delete env[key];
    cluster.env = env;
    return cluster;
  }

  get redisDir(): string {
    return join(this.dir, 'redis');
  }

  private async startRedis(): Promise<void> {
    this.redis = await ensureRedis(this.redisUrl, { dataDir: this.redisDir, ephemeral: false });
    if (!this.redis.spawned) throw new Error(`something already answers at ${this.redisUrl}`);
  }

  async addBot(name: string, discord: boolean): Promise<Bot> {
    const bot: Bot = { name, port: await freePort(), discord, history: [] };
    this.bots.set(name, bot);
    await this.launch(bot);
    return bot;
  }

  bot(name: string): Bot {
    const bot = this.bots.get(name);
    if (!bot) throw new Error(`no bot ${name}`);
    return bot;
  }

  isUp(name: string): boolean {
    return Boolean(this.bot(name).proc?.running());
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.bot(name).port}/slack/events`;
  }

  /** Starts the bot's process and waits until its adapters are up (Slack listening, Discord connected). */
  private async launch(bot: Bot): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      DATA_DIR: join(this.dir, `data-${bot.name}`),
      PORT: String(bot.port),
      SLACK_BOT_TOKEN: this.platforms.tokenFor(bot.name),
      SLACK_SIGNING_SECRET: this.platforms.signingSecret,
      SLACK_API_URL: this.platforms.slack.apiUrl,
      ...(bot.discord ? { DISCORD_TOKEN: 'chaos-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: this.platforms.discord.apiUrl } : {}),
    };
    // CHAOS_BOT_DIR runs the bots from another checkout (a fix under trial, an older commit).
    const proc = startBot(`bot ${bot.name}#${bot.history.length + 1}`, env, process.env.CHAOS_BOT_DIR ?? process.cwd());
    bot.proc = proc;
    bot.history.push(proc);
    void proc.exited().then((exit) => {
      if (!this.stopping && !killed.has(proc)) this.crashes.push({ bot: bot.name, at: Date.now(), exit: JSON.stringify(exit) });
    });
    await proc.waitFor(bot.discord ? /"msg":"discord connected"/ : /"msg":"slack adapter started"/, READY_TIMEOUT_MS);
  }

  /**
   * kill -9 (now, or by whoever resolves `killedAt`: a hook that killed at an exact moment),
   * then a new process after `downMs`; resolves once it is ready.
   */
  async killAndRestart(name: string, downMs: number, why: string, killedAt?: Promise<number | undefined>): Promise<Outage> {
    const bot = this.bot(name);
    const proc = bot.proc;
    const at = killedAt ? await killedAt : undefined;
    const outage: Outage = { what: `bot ${name} (${why})`, down: at ?? Date.now() };
    this.outages.push(outage);
    if (proc) {
      killed.add(proc);
      await proc.kill('SIGKILL');
    }
    await sleep(downMs - (Date.now() - outage.down));
    await this.launch(bot);
    outage.up = Date.now();
    return outage;
  }

  /** SIGKILL now, synchronously: for a kill at the exact moment a fake sees a request. */
  killNow(name: string): number | undefined {
    const proc = this.bot(name).proc;
    if (!proc?.pid || !proc.running()) return undefined;
    killed.add(proc);
    process.kill(proc.pid, 'SIGKILL');
    return Date.now();
  }

  /** Redis stopped with SIGTERM (the AOF is flushed), started again on the same port and dir. */
  async restartRedis(downMs: number): Promise<Outage> {
    const outage: Outage = { what: 'redis', down: Date.now() };
    this.outages.push(outage);
    await this.redis?.stop();
    await sleep(downMs);
    await this.startRedis();
    outage.up = Date.now();
    return outage;
  }

  /** Kills every bot process and stops Redis; safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.bots.values()].map((b) => b.proc?.kill('SIGKILL')));
    await this.redis?.stop().catch(() => undefined);
    this.redis = undefined;
  }

  /** Synchronous last resort for process exit: no child outlives the run. */
  killAllNow(): void {
    for (const b of this.bots.values()) for (const p of b.history) if (p.pid && p.running()) process.kill(p.pid, 'SIGKILL');
  }
}

const killed = new WeakSet<BotProcess>();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
