import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Command, Reply } from '../../src/app/context.js';
import { dispatch } from '../../src/app/dispatch.js';
import { neutralMentions } from '../../src/adapters/local/render.js';
import { canSee } from '../../src/core/authz.js';
import { isActive, type Incident } from '../../src/core/model.js';
import { QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { testApp, type TestApp } from '../support/app.js';
import type { Where, Who } from './fuzz-inputs.js';
import { redisSnapshot, snapshotChanges } from './redis-snapshot.js';

/**
 * The state the fuzz test (fuzz.test.ts) types into: the local workspace on real Redis and
 * BullMQ, a rotation with a manager, a two-tier policy, an admin, and two incidents declared by
 * carol (one public, one private) whose tier 1 is paged, declared again whenever one is over.
 */

export const CONFIG = {
  admins: ['root'],
  rotations: [
    { id: 'backend', timeZone: 'UTC', managers: ['lead'], layers: [{ members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] },
  ],
  policies: [{ id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }, { targets: [{ user: 'dave' }], delay: '10m' }] }],
  defaultPolicy: 'default',
};
export const WS = 'local';
export const PRIVATE_TITLE = 'Secret payroll leak';

export interface World {
  app: TestApp;
  /** Set by the wrapped commands: whether the last dispatch reached the end of a command's run. */
  ran: boolean;
  commands: Command[];
  runs: number;
  /** The numbers of the public and the private incident the runs are mostly about. */
  fixtures: [number?, number?];
  /** The outbound queue, to wait for retries that testApp's settle() does not count (they wait as delayed jobs). */
  outbound: Queue;
}

export async function closeWorld(w: World): Promise<void> {
  await w.outbound.close();
  await w.app.close();
}

/** Until nothing an accepted command started is still running or waiting to be retried. */
export async function quiet(w: World): Promise<void> {
  for (let tries = 0; ; tries++) {
    await w.app.settle();
    const { delayed = 0, wait = 0, active = 0 } = await w.outbound.getJobCounts('delayed', 'wait', 'active');
    if (delayed + wait + active === 0) return;
    if (tries > 100) throw new Error(`the outbound queue does not drain: ${delayed} delayed, ${wait} waiting, ${active} active`);
  }
}

/** The real commands, each telling the world when its run finished without a refusal. */
function recording(w: Omit<World, 'commands'>): Command[] {
  return commands.map((c) => ({
    ...c,
    async run(ctx) {
      const reply = await c.run(ctx);
      w.ran = true;
      return reply;
    },
  }));
}

export async function newWorld(): Promise<World> {
  const app = await testApp(CONFIG);
  const outbound = new Queue(QUEUES.outbound, { connection: { url: inject('redisUrl') }, prefix: `${app.redis.prefix}{q}` });
  const partial = { app, ran: false, runs: 0, fixtures: [] as World['fixtures'], outbound };
  const w: World = { ...partial, commands: [] };
  w.commands = recording(w);
  return w;
}

export function send(w: World, user: Who, channelId: string, text: string): Promise<Reply> {
  return dispatch(w.app.deps, w.commands, { platform: 'local', workspace: WS, channelId, user: { id: user, name: user }, text: neutralMentions(text) });
}

/** The world's own open incident (declared by carol, public or private), declared again once it is over. */
export async function openIncident(w: World, priv: boolean): Promise<Incident> {
  const kept = w.fixtures[priv ? 1 : 0];
  const current = kept ? await w.app.deps.store.get({ workspace: WS, number: kept }) : null;
  if (current?.channelId && isActive(current.status)) return current;
  const reply = await send(w, 'carol', 'general', `declare ${priv ? `${PRIVATE_TITLE} --private` : 'DB down'} --sev P1`);
  await quiet(w);
  const number = Number(/INC-(\d+)/.exec(reply.text)?.[1]);
  const made = await w.app.deps.store.get({ workspace: WS, number });
  if (!made?.channelId) throw new Error(`fixture: could not declare an incident: ${reply.text}`);
  w.fixtures[priv ? 1 : 0] = number;
  return made;
}

export async function channelOf(w: World, where: Where): Promise<string> {
  if (where === 'incident') return (await openIncident(w, false)).channelId!;
  if (where === 'private') return (await openIncident(w, true)).channelId!;
  if (where === 'finished' || where === 'other') {
    // An incident that is over, or one the runs declared themselves (someone else commands it).
    const all = await w.app.deps.store.list(WS, { all: true, limit: 100 });
    const found = all.find((i) => i.channelId && (where === 'finished' ? !isActive(i.status) : !w.fixtures.includes(i.number)));
    return found?.channelId ?? 'general';
  }
  return { general: 'general', nowhere: 'no-such-channel', announce: w.app.deps.config.channels.announce }[where];
}

/**
 * The private fixture's title in an answer to someone who may not see it, outside its channel
 * (issue 9, "what must hold" 8): null when there is no such leak.
 */
export async function privateLeak(w: World, user: Who, channelId: string, answer: string): Promise<string | null> {
  if (!/secret.payroll.leak/i.test(answer)) return null;
  const all = await w.app.deps.store.list(WS, { all: true, limit: 1000 });
  const secret = all.filter((i) => i.private && i.title === PRIVATE_TITLE);
  const allowed = secret.some((i) => i.channelId === channelId || canSee(i, user, { admins: w.app.deps.config.admins }));
  return allowed ? null : `the private title reached @${user} (who is none of ${secret.map((i) => i.ref).join(', ')}'s people) in #${channelId}`;
}

export type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Everything a refusal must leave as it was: the app's Redis keys (but the queues') and what the chat holds. */
export async function snapshot(w: World) {
  const { redis, prefix } = w.app.redis;
  const keys = await redisSnapshot(redis, prefix, (k) => k.startsWith(`${prefix}{q}`));
  return { keys, chat: { messages: w.app.chat.messages.size, channels: w.app.chat.channels.size, printed: w.app.output.length } };
}

/** What a refusal changed: Redis keys (not those that merely expired) and chat counts, named. */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const chat = (Object.keys(before.chat) as (keyof typeof before.chat)[]).filter((c) => before.chat[c] !== after.chat[c]);
  return [...snapshotChanges(before.keys, after.keys), ...chat.map((c) => `chat ${c} ${before.chat[c]} → ${after.chat[c]}`)];
}
