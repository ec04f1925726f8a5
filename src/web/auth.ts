import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifySessionObject as Session, SessionStore } from '@fastify/session';
import type { RedisClient } from '../infra/redis-client.js';
import type { Viewer } from './context.js';

/**
 * The dashboard's sign-in without a password: one-time links sent by DM (`/incident web`),
 * sessions kept in Redis (so any replica serves any signed-in browser), and the secret that
 * signs session cookies and feed URLs, shared by the replicas through Redis.
 */

/** How long a sign-in link works. */
export const LINK_TTL_MINUTES = 15;
/** How long a session lasts from sign-in (the cookie and its Redis key expire together). */
export const SESSION_TTL_MS = 12 * 3600_000;

type Person = Extract<Viewer, { kind: 'person' }>;

/**
 * The dashboard's secret: DASHBOARD_SECRET from the environment when set, else one random
 * secret made once and kept in Redis (the first replica to start writes it; the others read it).
 * Rotating it (deleting the key, or changing the variable) signs everyone out and breaks the
 * calendar subscription URLs given out so far.
 */
export async function dashboardSecret(redis: RedisClient, prefix: string, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const key = `${prefix}web:secret`;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error('dashboard: the secret in Redis could not be read back');
  return secret;
}

export function signer(secret: string): { sign(payload: string): string; verify(payload: string, signature: string): boolean } {
  const sign = (payload: string): string => createHmac('sha256', `feed:${secret}`).update(payload).digest('base64url');
  return {
    sign,
    verify(payload, signature) {
      const want = Buffer.from(sign(payload));
      const got = Buffer.from(signature);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * One-time sign-in links. Redis keeps only the token's digest (a leaked key gives no link), with
 * the person it signs in and a TTL; taking it is one GETDEL, so it works once across replicas.
 */
export class SignInLinks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(token: string): string {
    return `${this.prefix}web:link:${digest(token)}`;
  }

  /** A new link's token for `person`, valid LINK_TTL_MINUTES. */
  async create(person: Person): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(person), 'PX', LINK_TTL_MINUTES * 60_000);
    return token;
  }

  /** Who `token` signs in, without using it up (the confirmation page); null when unknown or expired. */
  async peek(token: string): Promise<Person | null> {
    if (!isToken(token)) return null;
    return parsePerson(await this.redis.get(this.key(token)));
  }

  /** Uses `token` up: who it signs in, or null when unknown, expired or already used. */
  async take(token: string): Promise<Person | null> {
    if (!isToken(token)) return null;
    return parsePerson(await this.redis.getdel(this.key(token)));
  }
}

const isToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

function parsePerson(raw: string | null): Person | null {
  if (!raw) return null;
  const p = JSON.parse(raw) as Partial<Person>;
  if (p.kind !== 'person' || typeof p.workspace !== 'string' || typeof p.userId !== 'string' || typeof p.name !== 'string') return null;
  if (p.platform !== 'local' && p.platform !== 'slack' && p.platform !== 'discord') return null;
  return { kind: 'person', platform: p.platform, workspace: p.workspace, userId: p.userId, name: p.name };
}

type Callback<T = void> = (err?: Error | null, value?: T) => void;

/** @fastify/session's store interface on Redis: one key per session, expiring with it. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}web:session:${id}`;
  }

  set(id: string, session: Session, callback: Callback): void {
    const ttl = session.cookie.originalMaxAge ?? SESSION_TTL_MS;
    this.redis.set(this.key(id), JSON.stringify(session), 'PX', Math.max(1000, Math.round(ttl))).then(() => callback(), callback);
  }

  get(id: string, callback: (err: Error | null, session?: Session | null) => void): void {
    this.redis.get(this.key(id)).then((raw) => callback(null, raw ? (JSON.parse(raw) as Session) : null), callback);
  }

  destroy(id: string, callback: Callback): void {
    this.redis.unlink(this.key(id)).then(() => callback(), callback);
  }
}
