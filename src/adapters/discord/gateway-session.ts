import { CloseCodes, SimpleShardingStrategy, type IShardingStrategy, type SessionInfo, type WebSocketOptions } from 'discord.js';
import type { Logger } from '../../core/ports.js';
import { HandledSequences } from './handled-sequences.js';

/**
 * The gateway session (id, sequence, resume URL, per shard) kept with the gateway lease, so the
 * replica that takes the gateway over RESUMEs where the previous holder stopped and Discord
 * replays what it sent meanwhile, instead of starting a new session that misses it.
 *
 * discord.js hands @discordjs/ws two functions that keep the session in memory
 * (`retrieveSessionInfo`, `updateSessionInfo`); `ws.buildStrategy` in ClientOptions receives the
 * @discordjs/ws manager before any shard exists, and is where they are wrapped: a shard that
 * has no session of its own starts from the stored one, and every update is also written to
 * Redis, a little later and only while this replica holds the lease (fenced in the lease's Lua).
 * The stored sequence is that of the events handled, not merely received (handled-sequences.ts),
 * and may lag what this process handled: what Discord replays twice is caught by the dedupe of
 * each event (docs/discord.md, "Replicas").
 *
 * What is read back is checked before it is used: @discordjs/ws connects to the session's resume
 * URL and sends the bot token there, so a stored session resumes only towards Discord's gateway
 * (`wss://…discord.gg`) or the host /gateway/bot named (the URL the client connects to anyway).
 */

/** @discordjs/ws's manager, as `ws.buildStrategy` receives it. */
type WsManager = Parameters<NonNullable<WebSocketOptions['buildStrategy']>>[0];

/** Values kept with the gateway lease (src/infra/lease.ts LeaseKeeper): written only by the holder. */
export interface LeaseValues {
  write(field: string, value: string | null, ttlMs: number): Promise<boolean>;
  read(field: string): Promise<string | null>;
}

/** Discord keeps a session resumable for minutes after its connection closed; longer is no use. */
const SESSION_TTL_MS = 10 * 60_000;
/** Sequence updates within this window go to Redis in one write. */
const WRITE_DELAY_MS = 100;

export class GatewaySessions {
  private manager: WsManager | null = null;
  /** Sessions read from Redis, handed to the shards that connect next. */
  private readonly seeds = new Map<number, SessionInfo>();
  /** The session id last seen per shard. */
  private readonly known = new Map<number, string | null>();
  /** The session as @discordjs/ws has it now, by shard. */
  private readonly latest = new Map<number, SessionInfo>();
  /** Updates not yet written, by shard. */
  private readonly pending = new Map<number, SessionInfo | null>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Closes under way (they may overlap): while any runs, the session stays stored for the next holder. */
  private closing = 0;
  /** The events still being handled: the stored sequence stays below the oldest. */
  readonly sequences = new HandledSequences();
  /** Whether a shard may connect now (the lease is this replica's); set by gateway.ts. */
  admit: (shardId: number) => Promise<boolean> = async () => true;

  constructor(
    private readonly values: LeaseValues,
    private readonly log: Logger,
  ) {
    this.sequences.onSettled = (shardId) => this.settled(shardId);
  }

  /** For ClientOptions `ws.buildStrategy`: the session functions wrapped, the default strategy. */
  readonly buildStrategy = (manager: WsManager): IShardingStrategy => {
    this.manager = manager;
    const options = manager.options;
    const retrieve = options.retrieveSessionInfo.bind(options);
    const update = options.updateSessionInfo.bind(options);
    options.retrieveSessionInfo = async (shardId: number) => {
      if (!(await this.admit(shardId))) {
        // A connection this replica may no longer open: @discordjs/ws waits here for good, so it never opens it.
        this.log.warn({ shard: shardId }, 'discord gateway connection held back: another replica holds the lease');
        return new Promise<never>(() => undefined);
      }
      const own = await retrieve(shardId);
      if (own) return own;
      const seed = this.seeds.get(shardId);
      if (!seed) return null;
      this.seeds.delete(shardId);
      if (!(await this.trusted(seed.resumeURL))) {
        this.log.warn({ shard: shardId, fix: 'Check who can write to Redis; the bot identifies as a new session.' }, 'discord gateway session in Redis resumes towards a host that is not Discord\'s gateway; not used');
        return null;
      }
      // discord.js's own copy too: its RESUMED handler counts the replayed events from it.
      await update(shardId, seed);
      return seed;
    };
    options.updateSessionInfo = async (shardId: number, info: SessionInfo | null) => {
      await update(shardId, info);
      // Only READY and each dispatch move it on, just before the event is dispatched.
      if (info && info.sessionId !== this.known.get(shardId)) this.sequences.reset(shardId);
      if (info) this.sequences.arrived(shardId, info.sequence);
      this.changed(shardId, info);
    };
    return new SimpleShardingStrategy(manager);
  };

  /**
   * Reads the stored sessions of these shards, just after the lease was taken (the previous
   * holder can no longer write them). True when every shard has one to resume with.
   */
  async load(shardIds: readonly number[], shardCount: number): Promise<boolean> {
    this.seeds.clear();
    // This term resumes from what Redis has; events of an earlier term here are not this term's to hold back.
    this.sequences.reset();
    for (const id of shardIds) {
      const raw = await this.values.read(fieldOf(id));
      const info = parseSession(raw);
      if (raw && !info) this.log.warn({ shard: id }, 'discord gateway session in Redis is not one the bot wrote; identifying as a new session');
      if (info && info.shardId === id && info.shardCount === shardCount) this.seeds.set(id, info);
    }
    return this.seeds.size === shardIds.length;
  }

  /**
   * Closes the gateway connection at once with a code that keeps the session resumable (Discord
   * ends a session closed with 1000 or 1001), leaving it stored for the replica that takes over.
   */
  async close(reason: string): Promise<void> {
    this.closing += 1;
    try {
      await this.manager?.destroy({ code: CloseCodes.Resuming, reason });
    } finally {
      this.closing -= 1;
    }
  }

  /** Writes what is pending now (before the lease is given up). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await (this.writing = this.writing.then(() => this.write()));
  }

  /** Whether @discordjs/ws may connect to this resume URL with the bot's token. */
  private async trusted(url: string): Promise<boolean> {
    const gateway = await this.manager?.fetchGatewayInformation().then(
      (g) => g.url,
      () => null,
    );
    return resumeUrlAllowed(url, gateway ?? null);
  }

  private changed(shardId: number, info: SessionInfo | null): void {
    // @discordjs/ws forgets the session whenever it closes without resuming; a close of ours keeps it.
    if (info === null && this.closing > 0) return;
    const known = this.known.get(shardId);
    this.known.set(shardId, info?.sessionId ?? null);
    if (info) this.latest.set(shardId, info);
    else this.latest.delete(shardId);
    this.pending.set(shardId, info);
    // A new session (or none) is written at once, once its READY is dispatched (it is handled then); a sequence that moved on may wait a moment.
    if (known !== (info?.sessionId ?? null)) {
      setImmediate(() => void this.flush());
      return;
    }
    this.later();
  }

  /** An event was handled: the stored sequence may move on. */
  private settled(shardId: number): void {
    const latest = this.latest.get(shardId);
    if (!latest) return;
    if (!this.pending.has(shardId)) this.pending.set(shardId, latest);
    this.later();
  }

  private later(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, WRITE_DELAY_MS);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [shardId, info] of batch) {
      // Up to the events handled: one below the oldest still being handled.
      const oldest = this.sequences.oldest(shardId);
      const stored = info && oldest !== null && oldest - 1 < info.sequence ? { ...info, sequence: oldest - 1 } : info;
      await this.values.write(fieldOf(shardId), stored ? JSON.stringify(stored) : null, SESSION_TTL_MS).catch((err: Error) => {
        // A failover then resumes from an older sequence (or starts a new session): more is replayed, nothing lost.
        this.log.warn({ shard: shardId, err: err.message }, 'discord gateway session not saved');
      });
    }
  }
}

function fieldOf(shardId: number): string {
  return `session:${shardId}`;
}

/** Discord's session ids are 32 hex digits (the tests' fake: `session-1`); nothing like a URL or markup. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A session as the bot stored it, or null for anything else (not JSON, another shape, a session id unlike Discord's). */
export function parseSession(raw: string | null): SessionInfo | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<SessionInfo>;
    const count = (n: unknown, min: number) => Number.isSafeInteger(n) && (n as number) >= min;
    const ok = typeof s.sessionId === 'string' && SESSION_ID.test(s.sessionId) && count(s.sequence, 0) && typeof s.resumeURL === 'string' && count(s.shardId, 0) && count(s.shardCount, 1);
    return ok ? { sessionId: s.sessionId!, sequence: s.sequence!, resumeURL: s.resumeURL!, shardId: s.shardId!, shardCount: s.shardCount! } : null;
  } catch {
    return null;
  }
}

/**
 * A resume URL the bot may connect to with its token: Discord's gateway (`wss://` on a host
 * under discord.gg), or the host /gateway/bot gave (`gatewayUrl`, a test's fake: the client
 * connects there anyway). No credentials, query or fragment (@discordjs/ws appends its own query).
 */
export function resumeUrlAllowed(url: string, gatewayUrl: string | null): boolean {
  const u = parseUrl(url);
  if (!u || u.username || u.password || u.search || u.hash) return false;
  if (u.protocol === 'wss:' && u.hostname.endsWith('.discord.gg')) return true;
  const g = gatewayUrl ? parseUrl(gatewayUrl) : null;
  return g !== null && (g.protocol === 'wss:' || g.protocol === 'ws:') && u.protocol === g.protocol && u.host === g.host;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
