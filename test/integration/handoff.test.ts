import { Queue } from 'bullmq';
import { testConnection } from '../support/redis.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runHandoff, startHandoffs } from '../../src/app/handoff.js';
import { HANDOFF_QUEUE, HandoffQueue, startHandoffWorker } from '../../src/scheduler/handoff.js';
import { testApp, type TestApp } from '../support/app.js';
import { allDms, drained, text, until } from '../support/paging.js';

/**
 * Shift handoffs through the real local workspace, Redis store and BullMQ queues (the handoff
 * queue with its own worker, as src/main.ts wires it). The clock is the test's: `advanceTo`
 * moves it and promotes the handoff timers that fell due, so a week passes in milliseconds.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Weekly alice → bob → carol from Monday 2025-12-22 09:00 KST; api and web incidents page the rotation, ops incidents someone else. */
const CONFIG = {
  timeZone: 'Asia/Seoul',
  services: [{ id: 'api' }, { id: 'web' }, { id: 'ops' }],
  rotations: [{ id: 'backend', name: 'Backend', timeZone: 'Asia/Seoul', layers: [{ members: ['alice', 'bob', 'carol'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
  policies: [
    { id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }, { targets: [{ user: 'dave' }], delay: '10m' }] },
    { id: 'ops', tiers: [{ targets: [{ user: 'olga' }] }] },
  ],
  routes: [{ service: 'ops', policy: 'ops' }],
  defaultPolicy: 'default',
};

interface Handoffs {
  queue: HandoffQueue;
  close(): Promise<void>;
}

let app: TestApp | undefined;
let handoffs: Handoffs | undefined;
afterEach(async () => {
  await handoffs?.close();
  handoffs = undefined;
  await app?.close();
  app = undefined;
});

/** The handoff queue and worker on the app's Redis, wired into its deps as src/main.ts does. */
function openHandoffs(a: TestApp): Handoffs {
  const connection = testConnection();
  const prefix = `${a.redis.prefix}{q}`;
  const queue = new HandoffQueue({ connection, prefix });
  const worker = startHandoffWorker({ connection, prefix, log: a.log, run: (ref) => runHandoff(a.deps, ref) });
  a.deps.handoffs = queue;
  return { queue, close: async () => (await worker.close(), await queue.close()) };
}

/** Waits until no handoff job waits or runs, then for what they queued (the DMs). */
async function handoffsIdle(a: TestApp, queue: HandoffQueue): Promise<void> {
  await until('handoff jobs to finish', async () => {
    const c = await queue.counts();
    return (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0;
  });
  await drained(a);
}

async function advanceTo(a: TestApp, queue: HandoffQueue, iso: string): Promise<string> {
  const from = a.output.length;
  a.clock.advance(Date.parse(iso) - a.clock.now().getTime());
  await queue.promoteDue(a.clock.now());
  await handoffsIdle(a, queue);
  return text(a.output.slice(from));
}

/** The text of every DM printed to `user` in `out`. */
function dmsTo(out: string, user: string): string[] {
  const blocks = out.split(/\n(?=\[)/);
  return blocks.filter((b) => b.startsWith(`[DM @${user} ·`));
}

const pendingTimes = async (queue: HandoffQueue) => (await queue.pending()).map((r) => r.at);

describe('shift handoffs', () => {
  it('DMs the incoming person the open incidents of their rotation and tells the outgoing one who took over; a re-run sends nothing twice; a restart re-arms', async () => {
    app = await testApp(CONFIG);
    handoffs = openHandoffs(app);
    await app.type('/as @erin');
    await app.type('/incident declare API errors <@mallory> --sev P1 --service api');
    await app.type('/incident declare Secret thing --sev P2 --service web --private');
    await app.type('/incident declare Disk full --sev P3 --service ops');
    const { armed, stop } = await startHandoffs(app.deps);
    stop();
    expect(armed).toBe(1);
    expect(await pendingTimes(handoffs.queue)).toEqual(['2025-12-29T00:00:00.000Z']);
    // Arming again (another sweep) adds nothing.
    await startHandoffs(app.deps).then((h) => h.stop());
    expect(await pendingTimes(handoffs.queue)).toEqual(['2025-12-29T00:00:00.000Z']);

    // Nothing before the boundary.
    expect(dmsTo(await advanceTo(app, handoffs.queue, '2025-12-28T23:59:00Z'), 'bob')).toEqual([]);
    const out = await advanceTo(app, handoffs.queue, '2025-12-29T00:00:00Z');
    const [toBob, ...moreBob] = dmsTo(out, 'bob');
    expect(moreBob).toEqual([]);
    expect(toBob).toContain('You are on call for Backend from 2025-12-29 09:00 until 2026-01-05 09:00, taking over from @alice.');
    expect(toBob).toContain('Open incidents (1):');
    expect(toBob).toMatch(/• INC-1 · P1 · API errors .*mallory.* · #inc-1-api-errors/);
    // The title's mention stays words; the private incident bob was never part of is left out, and so is ops'.
    expect(toBob).toContain('API errors <\u2060@mallory>');
    expect(toBob).not.toMatch(/INC-2|Secret|INC-3|Disk/);
    const [toAlice, ...moreAlice] = dmsTo(out, 'alice');
    expect(moreAlice).toEqual([]);
    expect(toAlice).toContain('Your shift on Backend ended at 2025-12-29 09:00: @bob took over, until 2026-01-05 09:00.');
    // The next boundary is armed.
    expect(await pendingTimes(handoffs.queue)).toEqual(['2026-01-05T00:00:00.000Z']);

    // The job running again (a stall, a retry) sends nothing twice.
    const before = { bob: allDms(text(app.output), 'bob').length, alice: allDms(text(app.output), 'alice').length };
    await runHandoff(app.deps, { workspace: 'local', rotationId: 'backend', at: '2025-12-29T00:00:00.000Z' });
    await handoffsIdle(app, handoffs.queue);
    expect(allDms(text(app.output), 'bob')).toHaveLength(before.bob);
    expect(allDms(text(app.output), 'alice')).toHaveLength(before.alice);

    // A restart that lost every handoff job: the start-up sweep arms them again (the boundary
    // that just passed included, caught up within the window) and still sends nothing twice.
    await handoffs.close();
    const lost = new Queue(HANDOFF_QUEUE, { connection: testConnection(), prefix: `${app.redis.prefix}{q}` });
    await lost.obliterate({ force: true });
    await lost.close();
    app.clock.advance(HOUR);
    handoffs = openHandoffs(app);
    expect(await pendingTimes(handoffs.queue)).toEqual([]);
    const restarted = await startHandoffs(app.deps);
    restarted.stop();
    expect(restarted.armed).toBe(2);
    await handoffsIdle(app, handoffs.queue);
    expect(allDms(text(app.output), 'bob')).toHaveLength(before.bob);
    expect(allDms(text(app.output), 'alice')).toHaveLength(before.alice);
    expect(await pendingTimes(handoffs.queue)).toEqual(['2026-01-05T00:00:00.000Z']);

    // The chain goes on after the restart: carol's week.
    const next = await advanceTo(app, handoffs.queue, '2026-01-05T00:00:00Z');
    expect(dmsTo(next, 'carol').join()).toContain('taking over from @bob.');
    expect(dmsTo(next, 'bob').join()).toContain('@carol took over');
  });

  it('a cover is a handoff when it starts and when it ends', async () => {
    app = await testApp(CONFIG, new Date('2025-12-30T00:00:00Z'));
    handoffs = openHandoffs(app);
    await app.type('/as @erin');
    await app.type('/incident declare API errors --sev P1 --service api');
    (await startHandoffs(app.deps)).stop();
    await app.type('/as @bob');
    const from = app.output.length;
    const reply = text(await app.type('/incident cover @carol 2h'));
    expect(reply).toContain('@carol covers `backend`');
    await handoffsIdle(app, handoffs.queue);
    const now = text(app.output.slice(from));
    expect(dmsTo(now, 'carol').join()).toMatch(/You are on call for Backend from 2025-12-30 09:00 until 2025-12-30 11:00, taking over from @bob\.[\s\S]*INC-1/);
    expect(dmsTo(now, 'bob').join()).toContain('@carol took over, until 2025-12-30 11:00.');
    // The cover's end, and carol's week armed before the cover (still a boundary).
    expect(await pendingTimes(handoffs.queue)).toEqual(['2025-12-30T02:00:00.000Z', '2026-01-05T00:00:00.000Z']);

    const back = await advanceTo(app, handoffs.queue, '2025-12-30T02:00:00Z');
    expect(dmsTo(back, 'bob').join()).toContain('taking over from @carol.');
    expect(dmsTo(back, 'carol').join()).toContain('@bob took over, until 2026-01-05 09:00.');
    expect(await pendingTimes(handoffs.queue)).toEqual(['2026-01-05T00:00:00.000Z']);
  });

  it('handoffs.enabled: false arms nothing and a timer armed before sends nothing', async () => {
    app = await testApp({ ...CONFIG, handoffs: { enabled: false } });
    handoffs = openHandoffs(app);
    await app.type('/as @erin');
    await app.type('/incident declare API errors --sev P1 --service api');
    (await startHandoffs(app.deps)).stop();
    expect(await pendingTimes(handoffs.queue)).toEqual([]);
    await handoffs.queue.arm({ workspace: 'local', rotationId: 'backend', at: '2025-12-29T00:00:00.000Z' }, 3 * DAY);
    const out = await advanceTo(app, handoffs.queue, '2025-12-29T00:00:00Z');
    expect(dmsTo(out, 'bob')).toEqual([]);
    expect(await pendingTimes(handoffs.queue)).toEqual([]);
  });
});
