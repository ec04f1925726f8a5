import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { event } from '../../src/core/events.js';
import { decideCancel, decideClose, decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import type { Logger } from '../../src/core/ports.js';
import { scanKeys } from '../../src/infra/redis-connect.js';
import { BullScheduler, QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { HandoffQueue, startHandoffWorker } from '../../src/scheduler/handoff.js';
import { startWorkers, type Workers } from '../../src/scheduler/workers.js';
import { createIncident, mutate } from '../../src/store/mutate.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { testApp, type TestApp } from '../support/app.js';
import { PAGING, pageDms, text, until } from '../support/paging.js';
import { testConnection, testRedis, type TestRedis } from '../support/redis.js';

/**
 * Issue 13, point 5: what the bot writes to Redis stays bounded. Timelines of closed incidents
 * are kept whole (they are the record); the indexes that only serve live work are trimmed when
 * the work ends, and BullMQ keeps a bounded number of finished jobs.
 */

const quiet: Logger = { info() {}, warn() {}, error() {}, child: () => quiet };
const alice: Actor = { id: 'alice', name: 'alice' };
const now = new Date('2026-03-01T10:00:00Z');

let t: TestRedis | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  await t?.cleanup();
  app = t = undefined;
});

describe('the page DM index', () => {
  async function pagedIncident(store: RedisIncidentStore, dms: string[]): Promise<Incident> {
    const number = await store.nextNumber('T1');
    const declared = (await createIncident(store, { workspace: 'T1', number }, declareEvents({ title: 'DB down', summary: 's', severity: 'P1', private: false }, alice, now))).after;
    // A note stands in for the page_sent append: the store links whatever DMs it is handed.
    const pageLinks = dms.map((m, i) => ({ channelId: 'D1', messageId: m, pageId: `g1s0-u${i}` }));
    return (await mutate(store, declared, () => [event({ type: 'note_added', text: 'paged' }, alice, now)], { pageLinks, current: declared })).after;
  }

  it('forgets the page DMs of an incident when it is closed or cancelled, and keeps those of incidents still open', async () => {
    t = await testRedis();
    const store = new RedisIncidentStore(t.redis, t.prefix);
    const closed = await pagedIncident(store, ['m1', 'm2']);
    const cancelled = await pagedIncident(store, ['m3']);
    const open = await pagedIncident(store, ['m4']);
    const resolved = await mutate(store, closed, (inc) => decideResolve(inc, 'fixed', alice, now));
    // Resolved is not finished: a ✅ on its DM still finds the page (and hears why it cannot ack).
    expect(await store.findPageByMessage('T1', 'D1', 'm1')).toEqual({ number: closed.number, pageId: 'g1s0-u0' });
    await mutate(store, resolved.after, (inc) => decideClose(inc, alice, now));
    await mutate(store, cancelled, (inc) => decideCancel(inc, 'false alarm', alice, now));

    for (const m of ['m1', 'm2', 'm3']) expect(await store.findPageByMessage('T1', 'D1', m), m).toBeNull();
    expect(await store.findPageByMessage('T1', 'D1', 'm4')).toEqual({ number: open.number, pageId: 'g1s0-u0' });
    // Nothing of the finished incidents is left in the index, nor in its per-incident bookkeeping.
    const keys: string[] = [];
    for await (const found of scanKeys(t.redis, `${t.prefix}*pagemsg*`)) keys.push(...found);
    const fields = await t.redis.hkeys(`${t.prefix}inc:{T1}:pagemsg`);
    expect(fields).toEqual(['D1:m4']);
    expect(keys.sort()).toEqual([`${t.prefix}inc:{T1}:${open.number}:pagemsg`, `${t.prefix}inc:{T1}:pagemsg`].sort());
    // The record itself is kept whole.
    expect((await store.events(closed)).map((e) => e.type)).toEqual(['declared', 'role_assigned', 'note_added', 'resolved', 'closed']);
  });

  it('a ✅ on the page DM of a closed incident is ignored, while it acknowledged before', async () => {
    app = await testApp(PAGING);
    await app.type('/as @carol');
    const [dm] = pageDms(text(await app.type('/incident declare DB down --sev P1')), 'alice');
    expect(dm).toBeDefined();
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${dm} ✅`))).toContain('Acknowledged INC-1.');
    await app.type('/as @carol');
    await app.type('/join #inc-1-db-down');
    await app.type('/incident resolve fixed');
    // Resolved: the DM still leads to its page, which says why there is nothing to acknowledge.
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${dm} ✅`))).toContain('INC-1 is resolved; it cannot become acknowledged.');
    await app.type('/as @carol');
    await app.type('/incident close');
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
    expect(await app.deps.store.findPageByMessage('local', `dm-alice`, dm ?? '')).toBeNull();
    expect(await app.redis.redis.hlen(`${app.redis.prefix}inc:{local}:pagemsg`)).toBe(0);
    await app.type('/as @alice');
    const reacted = await app.type(`/react ${dm} ✅`);
    expect(reacted.filter((l) => !l.includes('reacted'))).toEqual([]);
  });
});

describe('finished BullMQ jobs', () => {
  let workers: Workers | undefined;
  let scheduler: BullScheduler | undefined;
  afterEach(async () => {
    await workers?.close(2_000);
    await scheduler?.close();
    workers = scheduler = undefined;
  });

  it('keeps no more completed jobs per queue than its count, and still deduplicates the recent ones', async () => {
    t = await testRedis();
    const connection = testConnection();
    const prefix = `${t.prefix}{q}`;
    scheduler = new BullScheduler({ connection, prefix, completedKept: 5 });
    const ran: string[] = [];
    workers = startWorkers({
      connection,
      prefix,
      log: quiet,
      onStep: async (ref) => void ran.push(`step ${ref.step}`),
      deliver: async (job) => void ran.push(job.id),
    });
    for (let i = 1; i <= 20; i++) {
      await scheduler.send({ id: `out-m${i}`, workspace: 'T1', kind: 'dm', target: 'alice', message: { text: `hello ${i}` } });
      await scheduler.scheduleStep({ workspace: 'T1', number: 1, generation: 1, step: i }, 0, now.toISOString());
    }
    await until('40 jobs ran', () => ran.length >= 40, 15_000);
    const queues = [QUEUES.outbound, QUEUES.steps].map((name) => new Queue(name, { connection, prefix }));
    try {
      // BullMQ trims when a job finishes: wait for the last ones to be moved to completed.
      await until('every job finished', async () => (await Promise.all(queues.map((q) => q.getJobCounts('active', 'wait', 'prioritized', 'delayed')))).every((c) => Object.values(c).every((n) => n === 0)));
      for (const queue of queues) expect(await queue.getCompletedCount(), queue.name).toBeLessThanOrEqual(5);
      // The latest ones are still there: adding one again is a no-op.
      await scheduler.send({ id: 'out-m20', workspace: 'T1', kind: 'dm', target: 'alice', message: { text: 'hello 20' } });
      expect(await queues[0]?.getJobState('out-m20')).toBe('completed');
      expect(ran.filter((r) => r === 'out-m20')).toHaveLength(1);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });

  it('keeps no more completed timers than the count on the timer queues (handoffs, follow-ups)', async () => {
    t = await testRedis();
    const connection = testConnection();
    const prefix = `${t.prefix}{q}`;
    const handoffs = new HandoffQueue({ connection, prefix, completedKept: 3 });
    let ran = 0;
    const worker = startHandoffWorker({ connection, prefix, log: quiet, run: async () => void ran++ });
    try {
      for (let i = 0; i < 12; i++) await handoffs.arm({ workspace: 'T1', rotationId: 'backend', at: new Date(now.getTime() + i * 60_000).toISOString() }, 0);
      await until('12 handoffs ran', async () => ran >= 12 && (await handoffs.counts()).active === 0, 15_000);
      expect((await handoffs.counts()).completed).toBeLessThanOrEqual(3);
    } finally {
      await worker.close();
      await handoffs.close();
    }
  });

  it('every job the bot adds carries a bounded removeOnComplete as well as removeOnFail', async () => {
    app = await testApp(PAGING);
    await app.type('/as @carol');
    await app.type('/incident declare DB down --sev P1');
    const prefix = `${app.redis.prefix}{q}`;
    const queues = [QUEUES.outbound, QUEUES.steps].map((name) => new Queue(name, { connection: testConnection(), prefix }));
    try {
      for (const queue of queues) {
        const jobs = await queue.getJobs(['completed', 'failed', 'wait', 'delayed', 'active', 'prioritized']);
        expect(jobs.length, queue.name).toBeGreaterThan(0);
        for (const job of jobs) {
          expect(job.opts.removeOnComplete, `${queue.name} ${job.id}`).toEqual({ count: expect.any(Number), age: expect.any(Number) });
          expect((job.opts.removeOnComplete as { count: number }).count).toBeLessThanOrEqual(100_000);
        }
      }
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });
});
