import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/ports.js';
import { afterRenewal, heldUntil, leaseTiming, type LeaseTiming, type LostReason, type RenewOutcome } from './lease-timing.js';
import type { RedisClient } from './redis-client.js';

export type { LostReason } from './lease-timing.js';

/**
 * A named lease in Redis with a fencing token, for work that one process of many must do alone
 * (Discord's gateway connection, src/adapters/discord/gateway.ts). Each acquire gets a token
 * larger than every earlier holder's, so a holder that was paused past its lease can be told
 * apart from the one that took over; values kept with the lease are written only by its holder.
 *
 *   <prefix>{lease:<name>}          string  `<token>|<owner>`, PX ttl: who holds it (a keeper's owner
 *                                           is `<replica id>|<instance>`, one per process)
 *   <prefix>{lease:<name>}:fence    string  INCR counter of tokens (no TTL: a token must never repeat)
 *   <prefix>{lease:<name>}:<field>  string  values kept with the lease (their own PX), fenced
 *
 * The keys share the `{lease:<name>}` hash tag, so each script touches one Redis Cluster slot.
 */

const ACQUIRE = 'leaseAcquire';
// Held already by this owner (an earlier acquire whose reply was lost): its token, with a fresh TTL.
const ACQUIRE_LUA = `
local held = redis.call('GET', KEYS[1])
if held then
  local bar = string.find(held, '|', 1, true)
  if bar and string.sub(held, bar + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(held, 1, bar - 1))
  end
  return false
end
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

  /**
   * The fencing token when the lease was free and is now `owner`'s, or was `owner`'s already (a
   * retry after a lost reply: the same token, a fresh TTL); null when someone else holds it.
   */
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
    // `<token>|<owner>`, where a keeper's owner is `<replica id>|<instance>`: the replica id is what is shown.
    const [token = '', owner = ''] = value.split('|');
    return { token: Number(token), owner, ttlMs: Math.max(0, ttl) };
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

// ---- the keeper ----

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
  /**
   * Who holds the lease in Redis: the replica id and this process's own random part, so an
   * acquire retried after a lost reply takes back only this process's lease, never that of
   * another process given the same REPLICA_ID (or of this replica before a restart).
   */
  private readonly holderId: string;

  constructor(
    readonly lease: RedisLease,
    private readonly o: LeaseKeeperOptions,
  ) {
    this.timing = leaseTiming(lease.ttlMs, o.pollMs);
    this.holderId = `${o.owner}|${randomBytes(6).toString('hex')}`;
  }

  get ttlMs(): number {
    return this.timing.ttlMs;
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

  /**
   * Renews now, before the guarded work starts again (a gateway reconnecting): false when the
   * lease is not this replica's any more, which also reports it lost.
   */
  async confirm(): Promise<boolean> {
    const token = this.token;
    if (token === null) return false;
    await this.renew(token);
    return this.token === token;
  }

  /** Writes a value kept with the lease; false (nothing written) unless this replica holds it. */
  async write(field: string, value: string | null, ttlMs: number): Promise<boolean> {
    const token = this.token;
    if (token === null) return false;
    return this.lease.write(this.holderId, token, field, value, ttlMs);
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
    if (token !== null) await this.lease.release(this.holderId, token).catch((err: Error) => this.o.log.warn({ lease: this.name, err: err.message }, 'lease release failed; it runs out by itself'));
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
    // A lost reply (the acquire ran, its answer did not arrive) is taken back at the next poll: ACQUIRE gives this holder its token again.
    const token = await this.lease.acquire(this.holderId).catch(() => null);
    if (!this.running) {
      if (token !== null) await this.lease.release(this.holderId, token).catch(() => undefined);
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
    const outcome: RenewOutcome = await this.lease.renew(this.holderId, token).then(
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
    // A renewal that reached Redis late may have kept it for us: free it, if it is still ours, for the others.
    if (reason === 'expired') void this.lease.release(this.holderId, token).catch(() => undefined);
    if (this.running) this.schedule(() => this.poll(), this.o.pollMs);
  }
}
