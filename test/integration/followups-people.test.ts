import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { sweepFollowups } from '../../src/app/followups.js';
import { FOLLOWUPS_QUEUE, followupJobId } from '../../src/scheduler/followups.js';
import { testApp, type TestApp } from '../support/app.js';
import { advanceTo, CONFIG, dmsTo, idle, openFollowups, START, type Followups } from '../support/followups.js';
import { text } from '../support/paging.js';

/**
 * Follow-ups, who is told what (issue 12): the owner when someone else marks an item done, a
 * private incident's items by reference only, drills' items not at all; and the sweep's cost.
 * Real local workspace, Redis and BullMQ (helpers: test/support/followups.ts).
 */

let app: TestApp | undefined;
let followups: Followups | undefined;
afterEach(async () => {
  await followups?.close();
  followups = undefined;
  await app?.close();
  app = undefined;
});

async function started(): Promise<TestApp> {
  app = await testApp(CONFIG, START);
  followups = openFollowups(app);
  return app;
}

describe('done by someone else, private incidents, drills', () => {
  it('tells the owner once when someone else marks the item done; not when the owner does', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob');
    await a.type('/incident action Load test --owner @bob');
    await a.type('/join #general');
    expect(text(await a.type('/incident action done A1 INC-1'))).toContain('Action item A1 of INC-1 is done.');
    await idle(a, followups!.queue);
    const told = dmsTo(text(a.output), 'bob').filter((d) => d.includes('marked follow-up'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('✅ @alice marked follow-up A1 of INC-1 done: Alert on pool usage');
    await a.type('/as @bob');
    await a.type('/join #general');
    await a.type('/incident action done A2 INC-1');
    await idle(a, followups!.queue);
    expect(dmsTo(text(a.output), 'bob').filter((d) => d.includes('marked follow-up'))).toHaveLength(1);
  });

  it("keeps a private incident's item text out of its owner's DMs", async () => {
    const a = await started();
    await a.type('/incident declare Payroll leak --sev P3 --private');
    await a.type('/incident action Rotate the payroll keys --owner @bob --due 2026-03-04');
    await a.type('/incident action Audit payroll access --owner @bob --due 2026-03-20');
    await advanceTo(a, followups!, '2026-03-03T00:00:00Z');
    await a.type('/incident action done A2');
    await idle(a, followups!.queue);
    const dms = dmsTo(text(a.output), 'bob');
    expect(dms.join('\n')).toContain('⏰ Follow-up A1 of INC-1 is due 2026-03-04 23:59.');
    expect(dms.join('\n')).toContain('INC-1 is a private incident: what the item says is in its channel.');
    expect(dms.join('\n')).toContain('@alice marked follow-up A2 of INC-1 done.');
    expect(dms.join('\n')).not.toMatch(/payroll|Payroll/);
  });

  it("gives a drill's items no DM and no place in the digest, and marks them DRILL in /incident actions", async () => {
    const a = await started();
    await a.type('/incident drill api-latency --dry');
    await a.type('/incident action Practice the failover --owner @bob --due 2026-03-04');
    await a.type('/incident action Practise a hand-off --owner @carol');
    await a.type('/incident action done A2');
    await a.type('/join #general');
    expect(text(await a.type('/incident actions'))).toContain('• A1 · INC-1 · DRILL · Practice the failover · @bob · due 2026-03-04 23:59');
    expect((await followups!.queue.pending()).filter((r) => r.kind !== 'digest')).toEqual([]);
    // Past the day before, the day after and the Monday digest.
    const out = await advanceTo(a, followups!, '2026-03-09T01:00:00Z');
    expect(dmsTo(out, 'bob').filter((d) => d.includes('Follow-up'))).toEqual([]);
    expect(dmsTo(text(a.output), 'carol').filter((d) => d.includes('marked follow-up'))).toEqual([]);
    expect(out).not.toContain('📋');
  });

  it('counts a horizon in the configured zone from the resolve', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob --due 1m');
    // 08:00 on 2026-03-31 in Seoul, still the 30th in UTC: due a calendar month later in Seoul.
    a.clock.advance(Date.parse('2026-03-30T23:00:00Z') - a.clock.now().getTime());
    await a.type('/incident resolve fixed');
    expect((await a.deps.store.get({ workspace: 'local', number: 1 }))?.actionItems[0]?.dueAt).toBe('2026-04-29T23:00:00.000Z');
  });
});

describe('the sweep', () => {
  it('reads workspaces from the index, re-adds nothing that is armed, and re-arms what was lost', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob --due 2026-03-20');
    await a.type('/incident action Load test --owner @alice --due 2026-03-25');
    expect(await a.deps.actions?.workspaces()).toEqual(['local']);
    // The change armed both items' reminders; the first sweep arms only the digests (this Monday's, 30 min late, and the next).
    const queue = followups!.queue;
    let arms = 0;
    a.deps.followups = { arm: (ref, delay) => (arms++, queue.arm(ref, delay)), armed: (ref) => queue.armed(ref) };
    expect(await sweepFollowups(a.deps)).toBe(2);
    // This Monday's digest runs at once and arms the next itself.
    await idle(a, queue);
    arms = 0;
    expect(await sweepFollowups(a.deps)).toBe(0);
    expect(arms).toBe(0);
    // A lost job: the next sweep arms that item again, and only it.
    const lost = (await queue.pending()).find((r) => r.kind === 'before' && 'itemId' in r && r.itemId === 'A1');
    expect(lost).toBeDefined();
    const raw = new Queue(FOLLOWUPS_QUEUE, { connection: { url: inject('redisUrl') }, prefix: `${a.redis.prefix}{q}` });
    await (await raw.getJob(followupJobId(lost!)))?.remove();
    await raw.close();
    expect(await sweepFollowups(a.deps)).toBe(1);
    expect(await queue.armed(lost!)).toBe(true);
  });
});
