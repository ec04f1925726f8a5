import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { dispatch } from '../../src/app/dispatch.js';
import { runStep } from '../../src/app/escalation.js';
import { rearmEscalations } from '../../src/app/rearm.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { ManualClock } from '../../src/infra/clock.js';
import { QUEUES, type StepJobData } from '../../src/scheduler/bullmq-scheduler.js';
import { stepJobId } from '../../src/scheduler/job-ids.js';
import { testApp, type TestApp } from '../support/app.js';
import { openTestCore } from '../support/core.js';
import { testRedis } from '../support/redis.js';
import { MIN, text } from '../support/paging.js';

/**
 * The 48-hour rule (issue 12, docs/response.md) on the real local workspace, dispatcher, Redis
 * store and BullMQ queues, with the test's clock: review reminders 24 h and 48 h after the
 * resolve, stopped by `/incident postmortem done`, undone by a reopen, kept across a restart;
 * `/incident postmortem` writing the draft again at any time.
 */

let app: TestApp;
afterEach(async () => {
  const current = app as TestApp | undefined;
  app = undefined as unknown as TestApp;
  await current?.close();
});

const START = new Date('2025-12-26T09:00:00Z');
const CONFIG = { timeZone: 'UTC' };
const HOUR = 60 * MIN;

const first = (out: string) => out.match(/📝 @carol: INC-1 was resolved [^\n]*, a day ago/g) ?? [];
const second = (out: string) => out.match(/📝 @carol: the 48 hours for the postmortem review of INC-1 are up/g) ?? [];

/** The review reminder jobs of INC-1 on the escalation queue, as BullMQ holds them in Redis. */
async function reviewJobs(prefix: string): Promise<{ id: string; dueAt: string; state: string }[]> {
  const queue = new Queue<StepJobData>(QUEUES.steps, { connection: { url: inject('redisUrl') }, prefix: `${prefix}{q}` });
  try {
    const ids = ['2025-12-27T09:00:00Z', '2025-12-28T09:00:00Z'].map((at) => stepJobId({ workspace: 'local', number: 1, generation: 0, step: Date.parse(at) / 1000, kind: 'postmortem_due' }));
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    const found = jobs.filter((j): j is NonNullable<typeof j> => Boolean(j));
    return Promise.all(found.map(async (j) => ({ id: j.id ?? '', dueAt: j.data.dueAt, state: await j.getState() })));
  } finally {
    await queue.close();
  }
}

async function events(): Promise<IncidentEvent[]> {
  return app.deps.store.events({ workspace: 'local', number: 1 });
}

/** `/incident close`; an incident without follow-ups is asked about once and closed on the second close. */
async function closeIncident(): Promise<void> {
  await app.type('/incident close');
  expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
}

async function declare(): Promise<void> {
  await app.type('/as @carol');
  await app.type('/incident declare DB down --sev P3');
  await app.type('/join #inc-1-db-down');
}

describe('the review reminders', () => {
  it('remind the commander in the channel 24 h and 48 h after the resolve, once each, also when a timer runs twice', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    app.clock.advance(10 * MIN);
    await app.type('/incident resolve rolled back');
    expect(first(text(await app.advance(24 * HOUR - MIN)))).toHaveLength(0);
    const day = text(await app.advance(MIN));
    expect(first(day)).toHaveLength(1);
    expect(day).toContain('[#inc-1-db-down');
    expect(day).toContain('INC-1 was resolved 2025-12-26 09:10, a day ago, and its postmortem is not reviewed yet. The review is due by 2025-12-28 09:10');
    expect(second(text(await app.advance(24 * HOUR - MIN)))).toHaveLength(0);
    expect(second(text(await app.advance(MIN)))).toHaveLength(1);
    // The same timers again (a stalled job run twice, a sweep after a restart) remind nobody twice.
    for (const at of ['2025-12-27T09:10:00Z', '2025-12-28T09:10:00Z']) {
      await runStep(app.deps, { workspace: 'local', number: 1, generation: 0, step: Date.parse(at) / 1000, kind: 'postmortem_due' });
    }
    await rearmEscalations(app.deps);
    await app.advance(5 * 24 * HOUR);
    const all = text(app.output);
    expect([first(all).length, second(all).length]).toEqual([1, 1]);
    expect((await events()).filter((e) => e.type === 'postmortem_reminded').map((e) => e.type === 'postmortem_reminded' && e.hours)).toEqual([24, 48]);
    // The timeline says so too.
    expect(text(await app.type('/incident timeline'))).toContain('postmortem not reviewed 24 h after the resolve: the commander was reminded');
  });

  it('stop once `/incident postmortem done` records the review, which ticks the checklist', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve rolled back');
    await app.advance(3 * HOUR);
    const out = text(await app.type('/incident postmortem done @dave @erin'));
    expect(out).toContain('Postmortem review of INC-1 recorded (reviewers: @dave, @erin).');
    expect(out).toContain('✅ @carol recorded the postmortem review of INC-1. Reviewers: @dave, @erin.');
    expect(out).toMatch(/✅ 9\. Postmortem reviewed · 2025-12-26 12:00/);
    const later = text(await app.advance(3 * 24 * HOUR));
    expect([first(later).length, second(later).length]).toEqual([0, 0]);
    const inc = await app.deps.store.get({ workspace: 'local', number: 1 });
    expect(inc?.postmortemReviewedAt).toBe('2025-12-26T12:00:00.000Z');
    expect(inc?.postmortemReviewers?.map((r) => r.id)).toEqual(['dave', 'erin']);
    expect(inc?.checklist?.postmortem?.at).toBe('2025-12-26T12:00:00.000Z');
    // A second review is refused and writes nothing.
    const before = (await events()).length;
    expect(text(await app.type('/incident postmortem done'))).toContain('The postmortem review of INC-1 is already recorded (reviewers: @dave, @erin).');
    expect(await events()).toHaveLength(before);
  });

  it('name whoever typed it as the reviewer when nobody is named, also after the close', async () => {
    app = await testApp({ ...CONFIG, admins: ['zoe'] }, START);
    await declare();
    await app.type('/incident resolve rolled back');
    await closeIncident();
    await app.type('/as @zoe');
    const out = text(await app.type('/incident postmortem INC-1 done'));
    expect(out).toContain('Postmortem review of INC-1 recorded (reviewers: @zoe).');
    const reviewed = (await events()).find((e) => e.type === 'postmortem_reviewed');
    expect(reviewed?.type === 'postmortem_reviewed' && reviewed.reviewers).toEqual([{ id: 'zoe', name: 'zoe' }]);
    // Closed, it still takes no other change.
    expect(text(await app.type('/incident note INC-1 late thought'))).toContain('INC-1 is closed; it takes no more changes.');
  });

  it('are recorded only by the commander, the declarer or an admin, like a close; anyone else is told who may and writes nothing', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve rolled back');
    await app.type('/as @mallory');
    const before = (await events()).length;
    for (const line of ['/incident postmortem INC-1 done @x @y', '/incident postmortem done']) {
      expect(text(await app.type(line))).toContain('Only the commander or the declarer of INC-1 (@carol) or an admin can record its postmortem review.');
    }
    expect(await events()).toHaveLength(before);
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.postmortemReviewedAt).toBeUndefined();
    // The reminders go on: the commander is still reminded a day after the resolve.
    expect(first(text(await app.advance(24 * HOUR)))).toHaveLength(1);
    // Writing the draft again is still anyone's.
    expect(text(await app.type('/incident postmortem INC-1'))).toContain('The postmortem draft of INC-1 is written again and posted in #inc-1-db-down;');
    await app.type('/as @carol');
    expect(text(await app.type('/incident postmortem INC-1 done @x'))).toContain('Postmortem review of INC-1 recorded (reviewers: @x).');
  });

  it('are not sent for a drill: its review is practice', async () => {
    app = await testApp(CONFIG, START);
    await app.type('/as @carol');
    await app.type('/incident drill --dry');
    await app.type('/incident resolve INC-1 practice over');
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.drill).toBeTruthy();
    const later = text(await app.advance(3 * 24 * HOUR));
    expect(later).not.toMatch(/postmortem is not reviewed yet|48 hours for the postmortem review/);
    expect((await events()).filter((e) => e.type === 'postmortem_reminded')).toEqual([]);
  });

  it('are undone by a reopen and armed again by the next resolve', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve looked fixed');
    await app.advance(10 * HOUR);
    await app.type('/incident reopen errors are back');
    // The first resolve's 24 h reminder comes due while the incident is worked on again: nothing.
    const reopened = text(await app.advance(20 * HOUR));
    expect(first(reopened)).toHaveLength(0);
    await app.type('/incident resolve fixed for real');
    expect(first(text(await app.advance(24 * HOUR - MIN)))).toHaveLength(0);
    const day = text(await app.advance(MIN));
    expect(first(day)).toHaveLength(1);
    expect(day).toContain('INC-1 was resolved 2025-12-27 15:00, a day ago');
    expect(second(text(await app.advance(24 * HOUR)))).toHaveLength(1);
    expect((await events()).filter((e) => e.type === 'postmortem_reminded')).toHaveLength(2);
  });

  it('are refused before the resolve, and for a cancelled incident, writing nothing', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    const before = (await events()).length;
    const out = text(await app.type('/incident postmortem done @dave'));
    expect(out).toContain('INC-1 is still investigating: its postmortem is reviewed once it is resolved. Resolve it first with `/incident resolve [summary]`');
    expect(text(await app.type('/incident postmortem finished'))).toContain('`finished` is not `done`. Usage: `/incident postmortem [INC-n]   or   /incident postmortem [INC-n] done [@reviewer ...]`');
    expect(text(await app.type('/incident postmortem done dave'))).toContain('INC-1 is still investigating');
    await app.type('/incident cancel false alarm');
    const cancelled = (await events()).length;
    expect(cancelled).toBe(before + 1);
    expect(text(await app.type('/incident postmortem INC-1 done'))).toContain('INC-1 is cancelled; it takes no more changes.');
    expect(await events()).toHaveLength(cancelled);
  });

  it('answer a bad reviewer with a short message, writing nothing', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve fixed');
    const before = (await events()).length;
    expect(text(await app.type('/incident postmortem done dave'))).toMatch(/`dave`/);
    const many = Array.from({ length: 11 }, (_, i) => `@p${i}`).join(' ');
    expect(text(await app.type(`/incident postmortem done ${many}`))).toContain('A review names at most 10 reviewers; you named 11.');
    expect(await events()).toHaveLength(before);
  });
});

describe('the review reminders across a restart', () => {
  it('survive a new bot on the same Redis: the timers are in the queue, and a lost one is re-armed and sent once', async () => {
    const redis = await testRedis();
    const clock = new ManualClock(START);
    const printed: string[] = [];
    const chat = new LocalWorkspace((line) => printed.push(line), 'incidents');
    const carol = { id: 'carol', name: 'carol' };
    const run = (deps: Parameters<typeof dispatch>[0], line: string, channelId = 'general') => dispatch(deps, commands, { platform: 'local', workspace: 'local', channelId, user: carol, text: line });
    const one = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
    try {
      await run(one.deps, 'declare DB down --sev P3');
      await run(one.deps, 'resolve INC-1 fixed');
      // Asked once whether no follow-ups is deliberate (docs/response.md), closed the second time.
      await run(one.deps, 'close INC-1');
      await run(one.deps, 'close INC-1');
      await one.settle();
      // Closed: the sweep after the restart finds it among the newest incidents, not in the open list.
      expect((await one.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
      // Durable timers: two delayed jobs in Redis with their own ids, not promises in this process.
      expect(await reviewJobs(redis.prefix)).toEqual([
        { id: 'rem-local-1-p1766826000', dueAt: '2025-12-27T09:00:00.000Z', state: 'delayed' },
        { id: 'rem-local-1-p1766912400', dueAt: '2025-12-28T09:00:00.000Z', state: 'delayed' },
      ]);
      // Down from 10:00 to the next day 10:00, its queues wiped: the 24 h reminder fell due meanwhile.
      clock.advance(HOUR);
      await one.close();
      clock.advance(24 * HOUR);
      const two = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
      try {
        await rearmEscalations(two.deps);
        await two.settle();
        await rearmEscalations(two.deps);
        await two.settle();
        const sent = () => printed.join('\n').match(/INC-1 was resolved 2025-12-26 09:00, a day ago/g) ?? [];
        expect(sent()).toHaveLength(1);
        // The closed incident's 48 h reminder is armed again by the sweep and comes once, on time.
        expect((await reviewJobs(redis.prefix)).filter((j) => j.state === 'delayed')).toEqual([{ id: 'rem-local-1-p1766912400', dueAt: '2025-12-28T09:00:00.000Z', state: 'delayed' }]);
        await two.advance(23 * HOUR - MIN);
        expect(printed.join('\n')).not.toContain('the 48 hours for the postmortem review of INC-1 are up');
        await two.advance(MIN);
        expect(printed.join('\n').match(/the 48 hours for the postmortem review of INC-1 are up/g) ?? []).toHaveLength(1);
        const kept = await two.deps.store.events({ workspace: 'local', number: 1 });
        expect(kept.filter((e) => e.type === 'postmortem_reminded')).toHaveLength(2);
      } finally {
        await two.close();
      }
    } finally {
      await redis.cleanup();
    }
  });
});

describe('/incident postmortem', () => {
  it('writes the draft again at any time, posts it in the channel and rewrites its file, also after the close', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident note restarted the primary');
    const open = text(await app.type('/incident postmortem'));
    expect(open).toMatch(/\[#inc-1-db-down · m\d+\] bot:\s+Postmortem draft for INC-1\s+# Postmortem: INC-1 DB down/);
    const path = /saved as `([^`]+)`/.exec(open)?.[1] ?? '';
    expect(open).toContain('The postmortem draft of INC-1 is written again and posted in #inc-1-db-down;');
    expect(await readFile(path, 'utf8')).toContain('| Resolved | _(not resolved)_ |');
    app.clock.advance(30 * MIN);
    await app.type('/incident resolve restarted the primary');
    await closeIncident();
    const closedDraft = await readFile(path, 'utf8');
    expect(closedDraft).toContain('| Closed | 2025-12-26 09:30 |');
    app.clock.advance(2 * HOUR);
    await app.type('/incident postmortem done');
    const again = text(await app.type('/incident postmortem'));
    expect(again).toContain('Reviewed: 2025-12-26 11:30 by carol.');
    const rewritten = await readFile(path, 'utf8');
    expect(rewritten).not.toBe(closedDraft);
    expect(rewritten).toContain('Reviewed: 2025-12-26 11:30 by carol.');
    expect(rewritten).toContain('restarted the primary');
    // One file: recorded by the first draft and by the close; writing it again records nothing new.
    expect((await events()).filter((e) => e.type === 'postmortem_written').map((e) => e.type === 'postmortem_written' && e.path)).toEqual([path, path]);
  });

  it('reaches the incident from another channel by its reference, and posts in the incident channel', async () => {
    app = await testApp(CONFIG, START);
    await app.type('/as @carol');
    await app.type('/incident declare DB down --sev P3');
    const out = text(await app.type('/incident postmortem INC-1'));
    expect(out).toMatch(/\[#inc-1-db-down · m\d+\] bot:\s+Postmortem draft for INC-1/);
    expect(out).toContain('posted in #inc-1-db-down');
  });
});
