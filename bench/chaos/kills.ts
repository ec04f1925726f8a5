import type { Cluster } from './cluster.js';
import type { KillPlan, Plan } from './plan.js';
import type { DmHook, Platforms } from './platforms.js';
import { sec } from './report.js';

/**
 * The kills and the Redis restart of a plan. Restarts run one at a time (a mutex), so there is
 * always a bot to talk to and never a bot starting while Redis is away (it would start a Redis
 * of its own on the loopback URL). A kill at a page DM is a SIGKILL sent from inside the fake
 * Slack while it handles that DM's chat.postMessage: before it is accepted (the page is not
 * delivered and its job dies mid-run) or just after (delivered, `page_sent` not yet recorded).
 * `dm-twice` kills before the DM, then again when the same page's DM is tried next (by whichever
 * process retries it): the job of that page has then stalled twice.
 */

export interface KillRun {
  plan: KillPlan;
  /** The bot killed (a kill at a page DM takes whichever bot sent it, if the planned one sends none). */
  bot: string;
  /** What actually happened: the planned mode, or `plain` when no page DM came in time. */
  how: string;
}

interface Hit {
  bot: string;
  at: number | undefined;
  user: string;
  number: number;
}

const DM_HOOK_TIMEOUT_MS = 5_000;
/** How long `dm-twice` waits for the page's next try: BullMQ finds a stalled job after 30 to 60 s. */
const RETRY_HOOK_TIMEOUT_MS = 100_000;

export class Disruptions {
  readonly kills: KillRun[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private readonly background: Promise<void>[] = [];

  constructor(
    private readonly platforms: Platforms,
    private readonly cluster: Cluster,
    private readonly plan: Plan,
    private readonly note: (line: string) => void,
    /** Incidents nobody will acknowledge: `dm-twice` aims at their pages, which must then be delivered. */
    private readonly unacknowledged: (number: number) => boolean,
  ) {}

  async run(at: (ms: number, fn: () => Promise<void>) => Promise<void>): Promise<void> {
    const items = [...this.plan.kills.map((k) => ({ at: k.at, run: () => this.kill(k) })), { at: this.plan.redis.at, run: () => this.redisRestart() }];
    await Promise.all(items.map((item) => at(item.at, item.run)));
    await Promise.all(this.background);
  }

  /** Runs `fn` after every disruption queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /**
   * Kills the sender of the next page DM that `match` accepts, at `phase`. `only` narrows it to
   * one bot for the first `narrowMs`; after `timeoutMs` it gives up.
   */
  private atPageDm(phase: 'before' | 'after', match: (user: string, number: number) => boolean, only: string | undefined, narrowMs: number, timeoutMs: number): Promise<Hit | undefined> {
    return new Promise((resolve) => {
      let bot = only;
      const widen = setTimeout(() => (bot = undefined), narrowMs);
      let remove: () => void = () => undefined;
      const done = (hit: Hit | undefined) => {
        remove();
        clearTimeout(widen);
        clearTimeout(giveUp);
        resolve(hit);
      };
      const giveUp = setTimeout(() => done(undefined), timeoutMs);
      const hook: DmHook = (sender, at, dm) => {
        if ((bot && sender !== bot) || at !== phase || !match(dm.user, dm.number)) return undefined;
        done({ bot: sender, at: this.cluster.killNow(sender), ...dm });
        return phase === 'before' ? 'refuse' : undefined;
      };
      remove = this.platforms.onPageDm(hook);
    });
  }

  /** A plain kill happens at its planned time; a kill at a page DM waits up to 10 s for one, then kills plainly. */
  private async kill(k: KillPlan): Promise<void> {
    if (k.mode === 'plain') return this.restart(k, k.bot, 'plain', undefined);
    const phase = k.mode === 'dm-after' ? 'after' : 'before';
    const match = k.mode === 'dm-twice' ? (_: string, n: number) => this.unacknowledged(n) : () => true;
    // dm-twice waits longer: only pages of incidents nobody acknowledges will do.
    const waitMs = (k.mode === 'dm-twice' ? 5 : 2) * DM_HOOK_TIMEOUT_MS;
    const hit = await this.serial(() => this.atPageDm(phase, match, k.bot, DM_HOOK_TIMEOUT_MS, waitMs));
    if (!hit) return this.restart(k, k.bot, `${k.mode}: no page DM in ${waitMs / 1000} s, plain`, undefined);
    await this.restart(k, hit.bot, k.mode, hit.at);
    if (k.mode !== 'dm-twice') return;
    // Not waited for here: the page's next try comes when BullMQ finds its job stalled.
    this.background.push(
      this.atPageDm('before', (user, number) => user === hit.user && number === hit.number, undefined, 0, RETRY_HOOK_TIMEOUT_MS).then((again) =>
        again ? this.restart(k, again.bot, 'dm-twice, second kill', again.at) : this.note(`dm-twice: the page ${hit.user} INC-${hit.number} was not tried again`),
      ),
    );
  }

  private async restart(k: KillPlan, bot: string, how: string, killedAt: number | undefined): Promise<void> {
    await this.serial(async () => {
      this.note(`kill -9 bot ${bot} (${how})`);
      const outage = await this.cluster.killAndRestart(bot, k.downMs, how, killedAt === undefined ? undefined : Promise.resolve(killedAt));
      this.kills.push({ plan: k, bot, how });
      this.note(`bot ${bot} back after ${sec((outage.up ?? 0) - outage.down)}`);
    });
  }

  private redisRestart(): Promise<void> {
    return this.serial(async () => {
      this.note('redis stop');
      const outage = await this.cluster.restartRedis(this.plan.redis.downMs);
      this.note(`redis back after ${sec((outage.up ?? 0) - outage.down)}`);
    });
  }
}
