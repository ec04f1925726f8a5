import type { Logger } from '../core/ports.js';
import type { RedisClient } from './redis-client.js';

/**
 * A named lease in Redis with a fencing token, for work that one process of many must do alone
 * (Discord's gateway connection, src/adapters/discord/gateway.ts). Each acquire gets a token
 * larger than every earlier holder's, so a holder that was paused past its lease can be told
 * apart from the one that took over; values kept with the lease are written only by its holder.
 *
 *   <prefix>{lease:<name>}          string  `<token>|<owner>`, PX ttl: who holds it
 *   <prefix>{lease:<name>}:fence    string  INCR counter of tokens (no TTL: a token must never repeat)
 *   <prefix>{lease:<name>}:<field>  string  values kept with the lease (their own PX), fenced
 *
 * The keys share the `{lease:<name>}` hash tag, so each script touches one Redis Cluster slot.
 */

const ACQUIRE = 'leaseAcquire';
const ACQUIRE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. '|' .. ARGV[1], 'PX', ARGV[2])
return token`;
const RENEW = 'leaseRenew';
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;
const RELEASE = 'leaseRelease';
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;
const WRITE = 'leaseWrite';
const WRITE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1`;

type Scripted = Record<string, (...args: string[]) => Promise<unknown>>;

export interface LeaseHolder {
  owner: string;
  token: number;
  /** What is left of its TTL. */
  ttlMs: number;
}

export class RedisLease {
  readonly key: string;
  private readonly fenceKey: string;

  constructor(
    private readonly redis: RedisClient,
    readonly name: string,
    private readonly o: { prefix: string; ttlMs: number },
  ) {
    this.key = `${o.prefix}{lease:${name}}`;
    this.fenceKey = `${this.key}:fence`;
    redis.defineCommand(ACQUIRE, { numberOfKeys: 2, lua: ACQUIRE_LUA });
    redis.defineCommand(RENEW, { numberOfKeys: 1, lua: RENEW_LUA });
    redis.defineCommand(RELEASE, { numberOfKeys: 1, lua: RELEASE_LUA });
    redis.defineCommand(WRITE, { numberOfKeys: 2, lua: WRITE_LUA });
  }

  get ttlMs(): number {
    return this.o.ttlMs;
  }

  /** The fencing token when the lease was free and is now `owner`'s; null when someone holds it. */
  async acquire(owner: string): Promise<number | null> {
    const token = await this.scripts[ACQUIRE]!(this.key, this.fenceKey, owner, String(this.o.ttlMs));
    return token === null ? null : Number(token);
  }

  /** A full TTL again, only if the lease is still this holder's (same owner, same token). */
  async renew(owner: string, token: number): Promise<boolean> {
    return Number(await this.scripts[RENEW]!(this.key, valueOf(owner, token), String(this.o.ttlMs))) === 1;
  }

  /** Gives the lease up (compare-and-delete): another process may take it at once. */
  async release(owner: string, token: number): Promise<boolean> {
    return Number(await this.scripts[RELEASE]!(this.key, valueOf(owner, token))) === 1;
  }

  async holder(): Promise<LeaseHolder | null> {
    const [value, ttl] = await Promise.all([this.redis.get(this.key), this.redis.pttl(this.key)]);
    if (!value) return null;
    const bar = value.indexOf('|');
    return { token: Number(value.slice(0, bar)), owner: value.slice(bar + 1), ttlMs: Math.max(0, ttl) };
  }

  /** Sets (or with null deletes) a value kept with the lease, only while `owner` holds it with `token`. */
  async write(owner: string, token: number, field: string, value: string | null, ttlMs: number): Promise<boolean> {
    if (value === '') throw new RangeError('a lease value cannot be empty');
    return Number(await this.scripts[WRITE]!(this.key, this.fieldKey(field), valueOf(owner, token), value ?? '', String(Math.max(1, Math.round(ttlMs))))) === 1;
  }

  read(field: string): Promise<string | null> {
    return this.redis.get(this.fieldKey(field));
  }

  private fieldKey(field: string): string {
    if (field === 'fence') throw new RangeError('"fence" is the lease\'s token counter');
    return `${this.key}:${field}`;
  }

  private get scripts(): Scripted {
    return this.redis as unknown as Scripted;
  }
}

function valueOf(owner: string, token: number): string {
  return `${token}|${owner}`;
}

// ---- timing (pure) ----

export interface LeaseTiming {
  ttlMs: number;
  /** Renew this often while holding: a third of the TTL, so two renewals may fail before it runs out. */
  renewMs: number;
  /** After a renewal that could not reach Redis, try again this soon. */
  retryMs: number;
  /** The holder stops trusting its lease this long before the TTL would run out in Redis. */
  marginMs: number;
  /** A replica without the lease tries to take it this often. */
  pollMs: number;
}

export function leaseTiming(ttlMs: number, pollMs: number): LeaseTiming {
  const renewMs = Math.floor(ttlMs / 3);
  const clamp = (ms: number) => Math.max(50, Math.min(1_000, Math.floor(ms)));
  return { ttlMs, renewMs, retryMs: clamp(renewMs / 3), marginMs: clamp(ttlMs / 10), pollMs };
}

/**
 * Until when the holder may act on a TTL set by a request it sent at `sentAt` (its own clock).
 * Counted from the sending, not the answer: Redis started the TTL somewhere in between.
 */
export function heldUntil(sentAt: number, t: LeaseTiming): number {
  return sentAt + t.ttlMs - t.marginMs;
}

/** The longest a replica waits for the gateway after its holder died: the TTL, then one poll. */
export function worstTakeoverMs(t: LeaseTiming): number {
  return t.ttlMs + t.pollMs;
}

export type RenewOutcome = 'renewed' | 'taken' | 'unreachable';

/**
 * What the holder does after a renewal: keep going (next try in `delayMs`, held until `until`)
 * or stop at once. A renewal that could not reach Redis is retried while the lease is still
 * trusted; once it is not, the holder must assume another replica took over.
 */
export function afterRenewal(outcome: RenewOutcome, sentAt: number, now: number, until: number, t: LeaseTiming): { keep: true; delayMs: number; until: number } | { keep: false; reason: LostReason } {
  if (outcome === 'taken') return { keep: false, reason: 'taken' };
  if (outcome === 'renewed') {
    const next = heldUntil(sentAt, t);
    return { keep: true, delayMs: Math.max(0, sentAt + t.renewMs - now), until: next };
  }
  if (now >= until) return { keep: false, reason: 'expired' };
  return { keep: true, delayMs: Math.min(t.retryMs, until - now), until };
}

// ---- the keeper ----

/** taken: Redis says another replica holds it; expired: Redis could not confirm it in time; lost-redis is the same to the caller. */
export type LostReason = 'taken' | 'expired';

export interface LeaseEvents {
  /** The lease is this replica's now, with this fencing token. */
  acquired(token: number): void;
  /** It is not any more: stop the guarded work at once. */
  lost(reason: LostReason): void;
}

export interface LeaseKeeperOptions {
  /** This replica's id, stored as the holder (REPLICA_ID). */
  owner: string;
  pollMs: number;
  log: Logger;
}

/** What /readyz says about a lease. */
export interface LeaseReport {
  lease: string;
  replica: string;
  holding: boolean;
  holder: string | null;
  token: number | null;
}

/**
 * Holds a lease for as long as this process is healthy: renews it every ttl/3 while held and
 * reports it lost the moment a renewal is refused or Redis has not confirmed it before it would
 * run out; polls to take it while another replica holds it.
 */
export class LeaseKeeper {
  readonly timing: LeaseTiming;
  private events: LeaseEvents | null = null;
  private running = false;
  private token: number | null = null;
  private until = 0;
  private pauseUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    readonly lease: RedisLease,
    private readonly o: LeaseKeeperOptions,
  ) {
    this.timing = leaseTiming(lease.ttlMs, o.pollMs);
  }

  get name(): string {
    return this.lease.name;
  }

  get owner(): string {
    return this.o.owner;
  }

  /** Starts taking and keeping the lease; resolves after the first try, true when it is held. */
  async start(events: LeaseEvents): Promise<boolean> {
    this.events = events;
    this.running = true;
    await this.poll();
    return this.token !== null;
  }

  holding(): boolean {
    return this.token !== null;
  }

  /** Stops, giving the lease up if held (no `lost`: the caller stopped the work first). */
  async stop(): Promise<void> {
    this.running = false;
    await this.giveUp();
  }

  /** Gives the lease up now (the work failed) and lets others take it before this replica tries again. */
  async release(cooldownMs = this.timing.ttlMs): Promise<void> {
    this.pauseUntil = performance.now() + cooldownMs;
    await this.giveUp();
    if (this.running) this.schedule(() => this.poll(), this.o.pollMs);
  }

  /** Writes a value kept with the lease; false (nothing written) unless this replica holds it. */
  async write(field: string, value: string | null, ttlMs: number): Promise<boolean> {
    const token = this.token;
    if (token === null) return false;
    return this.lease.write(this.o.owner, token, field, value, ttlMs);
  }

  read(field: string): Promise<string | null> {
    return this.lease.read(field);
  }

  async report(): Promise<LeaseReport> {
    const holder = await this.lease.holder();
    return { lease: this.name, replica: this.o.owner, holding: this.token !== null, holder: holder?.owner ?? null, token: holder?.token ?? null };
  }

  private async giveUp(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    const token = this.token;
    this.token = null;
    if (token !== null) await this.lease.release(this.o.owner, token).catch((err: Error) => this.o.log.warn({ lease: this.name, err: err.message }, 'lease release failed; it runs out by itself'));
  }

  private schedule(run: () => Promise<void>, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void run(), ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (!this.running || this.token !== null) return;
    if (performance.now() < this.pauseUntil) return this.schedule(() => this.poll(), Math.min(this.o.pollMs, this.pauseUntil - performance.now()));
    const sentAt = performance.now();
    const token = await this.lease.acquire(this.o.owner).catch(() => null);
    if (!this.running) {
      if (token !== null) await this.lease.release(this.o.owner, token).catch(() => undefined);
      return;
    }
    if (token === null) return this.schedule(() => this.poll(), this.o.pollMs);
    this.token = token;
    this.hold(heldUntil(sentAt, this.timing));
    this.schedule(() => this.renew(token), this.timing.renewMs);
    this.o.log.info({ lease: this.name, token }, 'lease acquired');
    this.events?.acquired(token);
  }

  private async renew(token: number): Promise<void> {
    const sentAt = performance.now();
    const outcome: RenewOutcome = await this.lease.renew(this.o.owner, token).then(
      (ok) => (ok ? 'renewed' : 'taken'),
      () => 'unreachable',
    );
    if (this.token !== token) return;
    const next = afterRenewal(outcome, sentAt, performance.now(), this.until, this.timing);
    if (!next.keep) return this.lose(next.reason);
    this.hold(next.until);
    this.schedule(() => this.renew(token), next.delayMs);
  }

  /** Trusted until `until`: then lost, whatever a renewal under way may still answer. */
  private hold(until: number): void {
    this.until = until;
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => this.lose('expired'), Math.max(0, until - performance.now()));
    this.deadline.unref();
  }

  private lose(reason: LostReason): void {
    if (this.token === null) return;
    const token = this.token;
    this.token = null;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.o.log.warn({ lease: this.name, token, reason }, 'lease lost');
    this.events?.lost(reason);
    if (this.running) this.schedule(() => this.poll(), this.o.pollMs);
  }
}
