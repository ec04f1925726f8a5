import type { Rng } from './rng.js';

/**
 * What a chaos run does and when, drawn once from the seed before anything starts: the
 * incidents (platform, which bot receives the declare, whether and how someone acknowledges),
 * the kills (which bot, at a plain random moment or at the moment a page DM of that bot reaches
 * the platform, just before or just after it is accepted) and the Redis restart. Times are ms
 * from the start of the chaos phase.
 */

export type KillMode = 'plain' | 'dm-before' | 'dm-after' | 'dm-twice';

export interface IncidentPlan {
  index: number;
  title: string;
  platform: 'slack' | 'discord';
  /** The bot whose HTTP port gets the declare (Discord: always A, the one with the gateway). */
  bot: string;
  at: number;
  ack?: { afterMs: number; how: 'reaction' | 'command'; deliveries: number };
  /** A message in the incident channel (Slack), as an event delivered `deliveries` times. */
  message?: { afterMs: number; deliveries: number };
}

export interface KillPlan {
  bot: string;
  at: number;
  mode: KillMode;
  downMs: number;
}

export interface Plan {
  incidents: IncidentPlan[];
  kills: KillPlan[];
  redis: { at: number; downMs: number };
  /** When the last planned action starts. */
  lastAt: number;
}

export interface PlanOptions {
  incidents: number;
  discordIncidents: number;
  kills: number;
  spanMs: number;
  /** Kill modes to use, in turn after a seeded shuffle: every run meets each of them once when kills ≥ modes. */
  modes: readonly KillMode[];
}

const BOTS = ['A', 'B'];
/** The default mix; `dm-twice` (the same page's job killed twice) is opt-in: it needs a minute more. */
export const KILL_MODES: readonly KillMode[] = ['plain', 'dm-before', 'dm-after'];
export const ALL_KILL_MODES: readonly KillMode[] = [...KILL_MODES, 'dm-twice'];

export function makePlan(rng: Rng, o: PlanOptions): Plan {
  const discord = new Set<number>();
  while (discord.size < Math.min(o.discordIncidents, o.incidents)) discord.add(rng.int(0, o.incidents - 1));
  const gap = o.spanMs / o.incidents;
  const incidents: IncidentPlan[] = [];
  let slackSeq = 0;
  for (let i = 0; i < o.incidents; i++) {
    const platform = discord.has(i) ? 'discord' : 'slack';
    const at = Math.round(2_000 + i * gap + rng.between(0, gap * 0.6));
    const ack = rng.chance(0.5)
      ? { afterMs: Math.round(rng.between(1_000, 8_000)), how: platform === 'slack' && rng.chance(0.3) ? ('command' as const) : ('reaction' as const), deliveries: rng.int(1, 4) }
      : undefined;
    const message = platform === 'slack' ? { afterMs: Math.round(rng.between(500, 4_000)), deliveries: rng.int(1, 4) } : undefined;
    incidents.push({
      index: i,
      title: `Chaos k${String(i + 1).padStart(2, '0')} down`,
      platform,
      bot: platform === 'discord' ? 'A' : (BOTS[slackSeq++ % 2] ?? 'A'),
      at,
      ...(ack ? { ack } : {}),
      ...(message ? { message } : {}),
    });
  }
  const modes = shuffle(rng, o.modes);
  const kills = killTimes(rng, o.kills, 6_000, o.spanMs - 2_000, 12_000).map((at, i) => ({
    bot: rng.pick(BOTS),
    at,
    mode: modes[i % modes.length] ?? 'plain',
    downMs: Math.round(rng.between(1_000, 3_000)),
  }));
  const redis = { at: redisTime(rng, kills, o.spanMs), downMs: Math.round(rng.between(1_000, 2_000)) };
  const ends = [...incidents.map((i) => i.at + Math.max(i.ack?.afterMs ?? 0, i.message?.afterMs ?? 0)), ...kills.map((k) => k.at), redis.at];
  return { incidents, kills, redis, lastAt: Math.max(...ends) };
}

function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** `n` times in [from, to], at least `minGap` apart (fewer if they cannot fit). */
function killTimes(rng: Rng, n: number, from: number, to: number, minGap: number): number[] {
  const slack = Math.max(0, to - from - (n - 1) * minGap);
  const offsets = Array.from({ length: n }, () => rng.between(0, slack)).sort((a, b) => a - b);
  return offsets.map((off, i) => Math.round(from + off + i * minGap));
}

/**
 * The Redis restart, at least 8 s away from every kill: a bot starting while Redis is down would
 * find no Redis on a loopback URL and start one of its own on the same port (ensureRedis), which
 * is not the outage under test.
 */
function redisTime(rng: Rng, kills: KillPlan[], spanMs: number): number {
  for (let tries = 0; tries < 200; tries++) {
    const at = Math.round(rng.between(10_000, spanMs - 4_000));
    if (kills.every((k) => Math.abs(k.at - at) > 8_000)) return at;
  }
  return spanMs + 2_000;
}
