import { testConnection } from './redis.js';
import type { Deps } from '../../src/app/context.js';
import { runFollowup } from '../../src/app/followups.js';
import type { IncidentStore } from '../../src/core/ports.js';
import { FollowupQueue, startFollowupWorker } from '../../src/scheduler/followups.js';
import type { TestApp } from './app.js';
import { drained, text, until } from './paging.js';

/**
 * Follow-up test helpers (test/integration/followups*.test.ts): the `followups` queue with its own
 * worker on the app's Redis, wired as src/main.ts wires it, and a clock that moves while the
 * timers that fell due are promoted, so weeks pass in milliseconds.
 *
 * 2026-03-02 is a Monday; the zone is Seoul (UTC+9), so 09:00 there is 00:00Z.
 */

export const START = new Date('2026-03-02T00:30:00Z');
export const CONFIG = { timeZone: 'Asia/Seoul', services: [{ id: 'api' }, { id: 'web' }] };

export interface Followups {
  queue: FollowupQueue;
  close(): Promise<void>;
}

/** The follow-up queue and worker on the app's Redis, wired into `deps` as src/main.ts does. */
export function openFollowups(a: TestApp, deps: Deps = a.deps): Followups {
  const connection = testConnection();
  const prefix = `${a.redis.prefix}{q}`;
  const queue = new FollowupQueue({ connection, prefix });
  const worker = startFollowupWorker({ connection, prefix, log: a.log, run: (ref) => runFollowup(deps, ref) });
  deps.followups = queue;
  return { queue, close: async () => (await worker.close(), await queue.close()) };
}

export async function idle(a: TestApp, queue: FollowupQueue, more?: () => Promise<void>): Promise<void> {
  await until('follow-up jobs to finish', async () => {
    const c = await queue.counts();
    return (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0;
  });
  await more?.();
  await drained(a);
}

export async function advanceTo(a: TestApp, f: Followups, iso: string, more?: () => Promise<void>): Promise<string> {
  const from = a.output.length;
  a.clock.advance(Date.parse(iso) - a.clock.now().getTime());
  await a.scheduler.promoteDue(a.clock.now());
  await f.queue.promoteDue(a.clock.now());
  await idle(a, f.queue, more);
  return text(a.output.slice(from));
}

/** The text of each DM printed to `user`. */
export const dmsTo = (out: string, user: string) => out.split(/\n(?=\[)/).filter((b) => b.startsWith(`[DM @${user} ·`));

/** Everything the store holds for the workspace: what a refused command must leave unchanged. */
export async function snapshot(store: IncidentStore) {
  const all = await store.list('local', { all: true });
  const events = await Promise.all(all.map((i) => store.events(i)));
  return { incidents: all.map((i) => [i.ref, i.version, i.status]), events: events.map((e) => e.length) };
}
