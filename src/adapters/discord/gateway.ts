import { ClientUser, Events, GatewayCloseCodes, Routes, Status, type APIUser, type Client } from 'discord.js';
import type { Logger } from '../../core/ports.js';
import type { GatewaySessions, LeaseValues } from './gateway-session.js';

/**
 * Discord's gateway held by one replica of many, under a Redis lease with a fencing token
 * (src/infra/lease.ts). Every replica serves Discord's REST side (pages, posts, channels: the
 * client's REST works without a gateway); only the lease holder logs in to the gateway. When it
 * loses the lease it closes the connection at once; the replica that takes over resumes the
 * stored session, so Discord replays what the old holder did not get to (gateway-session.ts).
 */

/** What /readyz says about the lease; src/infra/lease.ts LeaseReport. */
export interface GatewayLeaseReport {
  lease: string;
  replica: string;
  holding: boolean;
  holder: string | null;
  token: number | null;
}

/** The gateway lease as this adapter uses it; src/infra/lease.ts LeaseKeeper is one. */
export interface GatewayLease extends LeaseValues {
  readonly name: string;
  readonly owner: string;
  /** The lease's TTL: how long a dead holder keeps it. */
  readonly ttlMs: number;
  /** Resolves after the first try to take it: true when this replica holds it. */
  start(events: { acquired(token: number): void; lost(reason: string): void }): Promise<boolean>;
  /** Stops and gives the lease up if held. */
  stop(): Promise<void>;
  /** Gives it up now and lets another replica try first. */
  release(cooldownMs?: number): Promise<void>;
  /** Renews now: false when another replica holds it (reported lost too). */
  confirm(): Promise<boolean>;
  report(): Promise<GatewayLeaseReport>;
}

/** One lease per bot application and shard set, so each set of shards could have its own holder. */
export function gatewayLeaseName(applicationId: string, shardIds: readonly number[], shardCount: number): string {
  return `discord:${applicationId}:shards-${shardIds.join('.')}-of-${shardCount}`;
}

export type GatewayState = 'standby' | 'connecting' | 'holder';

export interface LeasedGatewayOptions {
  client: Client;
  token: string;
  lease: GatewayLease;
  sessions: GatewaySessions;
  shardIds: readonly number[];
  shardCount: number;
  /** DISCORD_GUILD_ID: whose guilds and channels a resumed client must fetch (none: every guild the bot is in). */
  guildIds: readonly string[];
  readyTimeoutMs: number;
  log: Logger;
  /** Once per process, after the gateway first opened (the guild and category checks). */
  onFirstOpen(): void;
}

export class LeasedGateway {
  private state: GatewayState = 'standby';
  /** Changes whenever the lease is taken or lost: work of an earlier term stops where it is. */
  private term = 0;
  private abort = new AbortController();
  private work: Promise<void> = Promise.resolve();
  private opened = false;
  private startError: Error | null = null;
  private starting = true;

  constructor(private readonly o: LeasedGatewayOptions) {
    // Every connection attempt of a shard, reconnects included, first asks Redis whether the lease is still ours.
    o.sessions.admit = (shardId) => this.admit(shardId);
    readyAfterResume(o.client, o.log);
    o.client.on(Events.ShardDisconnect, (event) => {
      if (this.state !== 'standby') this.failed(this.term, new Error(`the gateway closed with ${event.code} (${GatewayCloseCodes[event.code] ?? 'unknown'}) and will not reconnect`));
    });
  }

  /** Takes the lease if it is free and opens the gateway (waiting for it); otherwise stands by. */
  async start(): Promise<void> {
    await this.o.lease.start({ acquired: () => this.acquired(), lost: (reason) => this.lost(reason) });
    // Until the first term settled, its clean-up (a failed open gives the lease back) included.
    for (let current = this.work; ; current = this.work) {
      await current;
      if (current === this.work) break;
    }
    this.starting = false;
    if (this.startError) throw this.startError;
  }

  /** Closes the gateway (the session stays resumable for the next holder); the lease is kept until `release`. */
  async stop(): Promise<void> {
    this.endTerm();
    await this.o.sessions.close('shutting down');
  }

  /** After `stop` and the handlers under way: the last session state written, the lease given up. */
  async release(): Promise<void> {
    await this.o.sessions.flush();
    await this.o.lease.stop();
  }

  /** True when this replica holds the lease and its gateway connection is up. */
  connected(): boolean {
    return this.state === 'holder' && this.o.client.ws.shards.size > 0 && this.o.client.ws.shards.every((s) => s.status === Status.Ready);
  }

  /** The holder's gateway is meant to be up; a standby's is meant to be down. */
  holding(): boolean {
    return this.state !== 'standby';
  }

  async status(): Promise<GatewayStatus> {
    return { state: this.state, connected: this.connected(), lease: await this.o.lease.report() };
  }

  /**
   * Before a shard opens a connection: only while this replica holds the lease. A holder whose
   * connection was taken over by the new holder's RESUME learns here that it lost the lease,
   * before @discordjs/ws reconnects (500 ms after the close) and takes the session back.
   */
  private async admit(shardId: number): Promise<boolean> {
    // Connecting: between a close and the next HELLO, the only time @discordjs/ws asks for the session without a socket.
    if (this.o.client.ws.shards.get(shardId)?.status !== Status.Connecting) return true;
    if (this.state === 'standby') return false;
    return this.o.lease.confirm();
  }

  private acquired(): void {
    const term = this.endTerm();
    this.state = 'connecting';
    this.work = this.work.then(() => this.open(term)).catch((err: Error) => this.failed(term, err));
  }

  private lost(reason: string): void {
    this.endTerm();
    this.o.log.error({ lease: this.o.lease.name, reason }, 'discord gateway lease lost; closing the gateway connection');
    // At once, not after an open under way: another replica may be connecting already.
    const closing = this.o.sessions.close('gateway lease lost').catch((err: Error) => this.o.log.warn({ err: err.message }, 'discord gateway close failed'));
    this.work = Promise.all([this.work, closing]).then(() => undefined);
  }

  private endTerm(): number {
    this.abort.abort(new Error('the gateway lease changed hands'));
    this.abort = new AbortController();
    this.state = 'standby';
    return ++this.term;
  }

  private async open(term: number): Promise<void> {
    const { client, log } = this.o;
    const resuming = await this.o.sessions.load(this.o.shardIds, this.o.shardCount);
    if (resuming) await knowGuilds(client, this.o.guildIds, log);
    if (term !== this.term) return;
    const started = performance.now();
    const how = await openShards(client, this.o.token, this.o.shardIds.length, this.o.readyTimeoutMs, this.abort.signal);
    if (term !== this.term) return;
    if (!client.isReady()) throw new Error(`discord.js did not become ready after the gateway ${how}`);
    this.state = 'holder';
    const { holder, token } = await this.o.lease.report().catch(() => ({ holder: null, token: null }));
    log.info({ how, lease: this.o.lease.name, replica: this.o.lease.owner, holder, token, tookMs: Math.round(performance.now() - started) }, 'discord gateway opened');
    if (!this.opened) this.o.onFirstOpen();
    this.opened = true;
  }

  /** The gateway could not be opened (or closed for good): give the lease to another replica. */
  private failed(term: number, err: Error): void {
    if (term !== this.term) return;
    this.endTerm();
    this.o.log.error({ lease: this.o.lease.name, err: err.message }, 'discord gateway could not be opened; giving the lease up');
    if (this.starting) this.startError = err;
    // discord.js drops the REST token when a login fails: the REST side keeps working with it.
    this.o.client.rest.setToken(this.o.token);
    const fields = this.o.shardIds.map((id) => `session:${id}`);
    this.work = this.work.then(async () => {
      await this.o.sessions.close('could not open').catch(() => undefined);
      // A stored session that did not resume is not tried again: the next holder identifies.
      for (const field of fields) await this.o.lease.write(field, null, 1).catch(() => false);
      await this.o.lease.release().catch(() => undefined);
    });
  }
}

export interface GatewayStatus {
  state: GatewayState;
  connected: boolean;
  lease: GatewayLeaseReport;
}

/**
 * /readyz for the gateway: a standby is ready (it serves Discord's REST side, Slack and the
 * queues); the holder is while its connection is up. Either way: who holds the lease, with
 * which fencing token, and who this replica is.
 */
export function gatewayReadiness(s: GatewayStatus): { ready: true | string; state: string; details: Record<string, unknown> } {
  const details = { replica: s.lease.replica, lease: s.lease.lease, holder: s.lease.holder, token: s.lease.token };
  if (s.state === 'standby') return { ready: true, state: 'standby', details };
  if (s.connected) return { ready: true, state: 'holder', details };
  return { ready: s.state === 'connecting' ? 'holds the gateway lease; connecting' : 'holds the gateway lease; gateway connection is down', state: s.state, details };
}

/**
 * Logs in and waits until every shard has identified (READY and its guilds) or resumed; the
 * term's signal or the timeout cut the wait short.
 */
async function openShards(client: Client, token: string, shards: number, timeoutMs: number, term: AbortSignal): Promise<'identified' | 'resumed'> {
  const signal = AbortSignal.any([term, AbortSignal.timeout(timeoutMs)]);
  let resumed = 0;
  let identified = 0;
  const open = new Promise<'identified' | 'resumed'>((resolve, reject) => {
    const check = () => {
      if (resumed + identified < shards) return;
      cleanup();
      resolve(resumed > 0 ? 'resumed' : 'identified');
    };
    const onResume = () => ((resumed += 1), check());
    const onReady = () => ((identified += 1), check());
    const onAbort = () => {
      cleanup();
      reject(signal.reason instanceof Error && signal.reason.name !== 'TimeoutError' ? signal.reason : new Error(`no READY or RESUMED from the gateway within ${timeoutMs} ms`));
    };
    const cleanup = () => {
      client.off(Events.ShardResume, onResume);
      client.off(Events.ShardReady, onReady);
      signal.removeEventListener('abort', onAbort);
    };
    client.on(Events.ShardResume, onResume);
    client.on(Events.ShardReady, onReady);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const login = client.login(token);
  // Either may settle first; neither may go unhandled.
  open.catch(() => undefined);
  login.catch(() => undefined);
  await Promise.race([login, open]);
  return open;
}

/**
 * The bot's own user, from REST, as READY would give it (discord.js handlers/READY.js): a
 * replica that never logged in needs it to create private channels (its own overwrite) and to
 * tell its reactions from people's, and a client that resumes another process's session never
 * gets READY. Fails on a bad token, so a misconfigured replica stops at start.
 */
export async function knowSelf(client: Client): Promise<void> {
  const data = (await client.rest.get(Routes.user())) as APIUser;
  if (client.user) return;
  const Self = ClientUser as unknown as new (c: Client, d: APIUser) => ClientUser;
  client.user = new Self(client, data);
  client.users.cache.set(data.id, client.user);
}

/**
 * The guilds and their channels from REST, before resuming: no GUILD_CREATE comes on a
 * resumed session, and discord.js drops a message whose channel and guild it has not cached.
 */
async function knowGuilds(client: Client, configured: readonly string[], log: Logger): Promise<void> {
  const ids = configured.length > 0 ? configured : [...(await client.guilds.fetch()).keys()];
  await Promise.all(
    ids.map(async (id) => {
      try {
        const guild = await client.guilds.fetch(id);
        await guild.channels.fetch();
      } catch (err) {
        log.warn({ guild: id, err: (err as Error).message }, 'discord guild not fetched before resuming');
      }
    }),
  );
}

/**
 * A client that resumes a session another process identified never sees READY, and discord.js
 * marks itself ready (handing out the events it held back) only after READY and the guilds.
 * Its user and guilds come from REST (knowSelf, knowGuilds); once the shards have resumed, the
 * manager's own check (`checkShardsReady`, private in discord.js 14) is run again.
 */
function readyAfterResume(client: Client, log: Logger): void {
  client.on(Events.ShardResume, () => {
    if (client.isReady()) return;
    const ws = client.ws as unknown as { checkShardsReady?: () => void };
    if (typeof ws.checkShardsReady === 'function') ws.checkShardsReady();
    else log.error({ fix: 'Pin discord.js 14 (WebSocketManager#checkShardsReady) or clear the stored session.' }, 'discord.js cannot be made ready after a resume');
  });
}
