import { testConnection } from './redis.js';
import { Queue } from 'bullmq';
import type { IncidentEvent } from '../../src/core/events.js';
import { QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import type { TestApp } from './app.js';

/**
 * What the paging regression tests share. Written against what a person sees (printed lines,
 * DMs, the stored timeline) so the same test text also runs on older code to show the bug.
 */

export const MIN = 60_000;

/** Alice (on call at the start) → dave → manager, 5 / 10 / 15 minutes apart. */
export const PAGING = {
  timeZone: 'Asia/Seoul',
  rotations: [{ id: 'backend', timeZone: 'Asia/Seoul', layers: [{ members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
  policies: [
    {
      id: 'default',
      tiers: [
        { targets: [{ rotation: 'backend' }], delay: '5m' },
        { targets: [{ user: 'dave' }], delay: '10m' },
        { targets: [{ user: 'manager' }], delay: '15m' },
      ],
    },
  ],
  defaultPolicy: 'default',
};

export const text = (lines: readonly string[]) => lines.join('\n');

/** Ids of the page DMs (📟 You are paged) printed to `user`. */
export const pageDms = (out: string, user: string) =>
  [...out.matchAll(new RegExp(`\\[DM @${user} · (m\\d+)\\] bot:\\n\\s+📟 You are paged`, 'g'))].map((m) => m[1] ?? '');

/** Ids of every DM printed to `user`, whatever it says. */
export const allDms = (out: string, user: string) => [...out.matchAll(new RegExp(`\\[DM @${user} · (m\\d+)\\] bot:`, 'g'))].map((m) => m[1] ?? '');

export async function eventsOf(app: TestApp, number = 1): Promise<IncidentEvent[]> {
  return app.deps.store.events({ workspace: 'local', number });
}

/**
 * Polls `check` until it holds, for work the test cannot await directly (a relay retry, a
 * queued job's backoff); fails with `what` after `ms`. Not a sleep: it returns as soon as it holds.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until nothing could still deliver a message: no outbox entry left (due or not) and no
 * outbound job waiting, retrying or running. A "delivered once" check made after this cannot be
 * fooled by a duplicate that was merely late.
 */
export async function drained(app: TestApp, ms = 5_000): Promise<void> {
  const outbound = new Queue(QUEUES.outbound, { connection: testConnection(), prefix: `${app.redis.prefix}{q}` });
  // Older code has no outbox: then only the queue can still hold a message.
  const outbox = (app.deps as { outbox?: { pending(ws: string): Promise<number> } }).outbox;
  try {
    await until(
      'the outbox and the outbound queue to drain',
      async () => {
        if (outbox && (await outbox.pending('local')) > 0) return false;
        const c = await outbound.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        return (c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0;
      },
      ms,
    );
  } finally {
    await outbound.close();
  }
  await app.settle();
}
