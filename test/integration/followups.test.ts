import { Queue } from 'bullmq';
import { testConnection } from '../support/redis.js';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { runFollowup, startFollowups } from '../../src/app/followups.js';
import { LocalTerminal } from '../../src/adapters/local/terminal.js';
import { FOLLOWUPS_QUEUE } from '../../src/scheduler/followups.js';
import { testApp, type TestApp } from '../support/app.js';
import { openTestCore, type TestCore } from '../support/core.js';
import { advanceTo, CONFIG, dmsTo, idle, openFollowups, snapshot, START, type Followups } from '../support/followups.js';
import { allDms, text } from '../support/paging.js';

/**
 * Follow-ups through the real local workspace, Redis store and BullMQ queues (helpers:
 * test/support/followups.ts). Who is told what, drills and the sweep: followups-people.test.ts.
 */

let app: TestApp | undefined;
let followups: Followups | undefined;
let second: { core: TestCore; followups: Followups } | undefined;
afterEach(async () => {
  await second?.followups.close();
  await second?.core.close();
  second = undefined;
  await followups?.close();
  followups = undefined;
  await app?.close();
  app = undefined;
});

async function started(configDoc: object = CONFIG): Promise<TestApp> {
  app = await testApp(configDoc, START);
  followups = openFollowups(app);
  return app;
}

const followupDms = (a: TestApp, user: string) => dmsTo(text(a.output), user).filter((d) => d.includes('Follow-up'));

describe('follow-up reminders', () => {
  it('DMs the owner the day before, when due and weekly after, once each across a restart, and stops once it is done', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    const added = text(await a.type('/incident action Alert on pool usage --owner @bob --due 1w'));
    expect(added).toContain('Added action item A1 to INC-1.');
    a.clock.advance(60 * 60_000);
    await a.type('/incident resolve pool raised');
    // Due a week after the resolve (01:30Z), 10:30 in Seoul; reminded at 09:00 there (the digest's hour, 00:00Z).
    expect((await a.deps.store.get({ workspace: 'local', number: 1 }))?.actionItems[0]?.dueAt).toBe('2026-03-09T01:30:00.000Z');
    expect((await followups!.queue.pending()).filter((r) => r.kind !== 'digest').map((r) => [r.kind, r.at])).toEqual([['before', '2026-03-08T00:00:00.000Z']]);

    expect(followupDms(a, 'bob')).toEqual([]);
    await advanceTo(a, followups!, '2026-03-07T23:59:00Z');
    expect(followupDms(a, 'bob')).toEqual([]);
    await advanceTo(a, followups!, '2026-03-08T00:00:00Z');
    const [before, ...more] = followupDms(a, 'bob');
    expect(more).toEqual([]);
    expect(before).toContain('⏰ Follow-up A1 of INC-1 is due 2026-03-09 10:30: Alert on pool usage');
    expect(before).toContain('Done? `/incident action done A1 INC-1`');

    // The timer running again (a stall, a retry) sends nothing twice.
    await runFollowup(a.deps, { kind: 'before', workspace: 'local', number: 1, itemId: 'A1', at: '2026-03-08T00:00:00.000Z' });
    await idle(a, followups!.queue);
    expect(followupDms(a, 'bob')).toHaveLength(1);

    // A restart that lost every follow-up job: a new core on the same Redis, whose start-up sweep arms them again.
    await followups!.close();
    followups = undefined;
    const lost = new Queue(FOLLOWUPS_QUEUE, { connection: testConnection(), prefix: `${a.redis.prefix}{q}` });
    await lost.obliterate({ force: true });
    await lost.close();
    const core = await openTestCore({ redis: a.redis, configDoc: CONFIG, clock: a.clock, chat: a.chat });
    second = { core, followups: openFollowups(a, core.deps) };
    const restarted = await startFollowups(core.deps);
    restarted.stop();
    // The day-before reminder (caught up, already sent), the due one, and the digest.
    expect(restarted.armed).toBe(3);
    await idle(a, second.followups.queue, () => core.settle());
    expect(followupDms(a, 'bob')).toHaveLength(1);

    // Overdue: 09:00 the day after the due date; then weekly at 09:00.
    expect(dmsTo(await advanceTo(a, second.followups, '2026-03-09T23:59:00Z', () => core.settle()), 'bob')).toEqual([]);
    const due = await advanceTo(a, second.followups, '2026-03-10T00:00:00Z', () => core.settle());
    expect(dmsTo(due, 'bob').join()).toContain('⚠️ Follow-up A1 of INC-1 was due 2026-03-09 10:30 and is still open: Alert on pool usage');
    await advanceTo(a, second.followups, '2026-03-16T23:59:00Z', () => core.settle());
    expect(followupDms(a, 'bob')).toHaveLength(2);
    const weekly = await advanceTo(a, second.followups, '2026-03-17T00:00:00Z', () => core.settle());
    expect(dmsTo(weekly, 'bob').join()).toContain('⚠️ Follow-up A1 of INC-1 is still open, overdue since 2026-03-09 10:30: Alert on pool usage');
    expect(followupDms(a, 'bob')).toHaveLength(3);

    // Done from anywhere, through the new core: no reminder after that.
    const terminal = new LocalTerminal(core.deps, a.chat, commands, (line) => a.output.push(line), { user: 'bob' });
    await terminal.handleLine('/join #general');
    const from = a.output.length;
    await terminal.handleLine('/incident action done A1 INC-1');
    await idle(a, second.followups.queue, () => core.settle());
    expect(text(a.output.slice(from))).toContain('Action item A1 of INC-1 is done.');
    await advanceTo(a, second.followups, '2026-03-31T02:00:00Z', () => core.settle());
    expect(followupDms(a, 'bob')).toHaveLength(3);
    expect(allDms(text(a.output), 'bob').length).toBeGreaterThanOrEqual(3);
  });

  it('a typed due date: the end of that day in the zone, no day-before reminder when added within a day of it', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    const reply = text(await a.type('/incident action Rotate the keys --owner @bob --due 2026-03-02'));
    expect(reply).toContain('Added action item A1 to INC-1, due 2026-03-02 23:59.');
    expect(text(a.output)).toMatch(/added action item A1: Rotate the keys \(owner @bob\) · due 2026-03-02 23:59/);
    expect((await followups!.queue.pending()).filter((r) => r.kind !== 'digest').map((r) => r.kind)).toEqual(['overdue']);
    // Not at 23:59 that night: at 09:00 the next morning.
    expect(dmsTo(await advanceTo(a, followups!, '2026-03-02T15:00:00Z'), 'bob')).toEqual([]);
    const out = await advanceTo(a, followups!, '2026-03-03T00:00:00Z');
    expect(dmsTo(out, 'bob').join()).toContain('Follow-up A1 of INC-1 was due 2026-03-02 23:59 and is still open');
  });
});

describe('/incident actions', () => {
  it('lists open follow-ups across incidents, closed ones included, by filter and service, leaving private ones to their people', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob --due 2026-03-05');
    await a.type('/incident action Load test before sales --owner @alice');
    await a.type('/incident resolve fixed');
    await a.type('/incident close');
    await a.type('/join #general');
    await a.type('/incident declare Search slow --sev P3 --service web');
    await a.type('/incident action Cache warmup --owner @bob --due 1w');
    await a.type('/as @carol');
    await a.type('/join #general');
    await a.type('/incident declare Secret thing --sev P3 --service api --private');
    await a.type('/incident action Hidden item --owner @carol');

    await a.type('/as @bob');
    await a.type('/join #general');
    const open = text(await a.type('/incident actions'));
    expect(open).toContain('Open follow-ups (3):');
    const lines = open.split('\n').filter((l) => l.includes('• '));
    expect(lines).toHaveLength(3);
    // Soonest due first; an item whose incident is not resolved yet says so.
    expect(lines[0]).toContain('• A1 · INC-1 · Alert on pool usage · @bob · due 2026-03-05 23:59');
    expect(lines[1]).toContain('• A2 · INC-1 · Load test before sales · @alice · due 2026-04-02');
    expect(lines[2]).toContain('• A1 · INC-2 · Cache warmup · @bob · due within 1 week after the resolve');
    expect(open).not.toMatch(/Hidden|INC-3/);
    expect(open).toContain('Mark one done: `/incident action done <id> <INC-n>`.');

    const mine = text(await a.type('/incident actions MINE'));
    expect(mine).toContain('Your open follow-ups (2):');
    expect(mine).not.toContain('Load test');
    expect(text(await a.type('/incident actions overdue'))).toContain('No overdue follow-ups.');
    const web = text(await a.type('/incident actions --service web'));
    expect(web).toContain('Open follow-ups of `web` (1):');
    expect(web).toContain('Cache warmup');

    await advanceTo(a, followups!, '2026-03-05T15:00:00Z');
    const overdue = text(await a.type('/incident actions overdue'));
    expect(overdue).toContain('Overdue follow-ups (1):');
    expect(overdue).toContain('• A1 · INC-1 · Alert on pool usage · @bob · due 2026-03-05 23:59 · ⚠️ overdue');

    await a.type('/as @carol');
    expect(text(await a.type('/incident actions mine'))).toContain('• A1 · INC-3 · Hidden item');
  });

  it('refuses a filter or service it does not know, writing nothing', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    const before = await snapshot(a.deps.store);
    expect(text(await a.type('/incident actions closed'))).toContain('`closed` is not a filter. Use `mine`, `open` or `overdue`');
    expect(text(await a.type('/incident actions --service billing'))).toContain('Unknown service `billing`');
    expect(await snapshot(a.deps.store)).toEqual(before);
  });
});

describe('action done from anywhere, and bad input', () => {
  it('marks an item of a closed incident done from #general; other changes stay refused', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob');
    await a.type('/incident action Load test --owner @bob');
    await a.type('/incident resolve fixed');
    await a.type('/incident close');
    await a.type('/join #general');
    const done = text(await a.type('/incident action done a2 inc-1'));
    expect(done).toContain('Action item A2 of INC-1 is done.');
    const inc = await a.deps.store.get({ workspace: 'local', number: 1 });
    expect(inc?.status).toBe('closed');
    expect(inc?.actionItems.map((i) => [i.id, i.status, i.completedAt])).toEqual([
      ['A1', 'open', undefined],
      ['A2', 'done', a.clock.now().toISOString()],
    ]);
    expect(text(await a.type('/incident actions'))).not.toContain('Load test');
    expect(text(await a.type('/incident note INC-1 too late'))).toContain('INC-1 is closed; it takes no more changes.');
  });

  it.each([
    ['a past date', '/incident action INC-1 fix it --due 2025-01-01', '`2025-01-01` is in the past (today is 2026-03-02).'],
    ['no date at all', '/incident action INC-1 fix it --due tomorrowish', '`tomorrowish` is not a due horizon or date. Use `1w` (a week), `1m` (a month), `q` (a quarter) or a date such as `2026-12-15`.'],
    ['a date that does not exist', '/incident action INC-1 fix it --due 2026-02-30', '`2026-02-30` is not a due horizon or date.'],
    ['an unknown item', '/incident action done A99 INC-1', 'INC-1 has no action item A99.'],
    ['an unknown incident', '/incident action done A1 INC-7', 'There is no INC-7 in this workspace.'],
    // Whatever starts with `done` marks an item done or is refused: it never adds a follow-up "done 3".
    ['a bare number as the item', '/incident action done 3 INC-1', 'INC-1 has no action item 3.'],
    ['the reference first', '/incident action done INC-1 A9', 'INC-1 has no action item A9.'],
    ['no item', '/incident action INC-1 done', 'Mark one item done at a time: `/incident action done A3 INC-7`'],
    ['more than an item', '/incident action INC-1 done A1 and A2', 'Mark one item done at a time'],
    ['something that is no item id', '/incident action INC-1 done <!channel>', 'Mark one item done at a time'],
  ])('%s gets a clear answer and writes nothing', async (_label, line, answer) => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob');
    await a.type('/join #general');
    const before = await snapshot(a.deps.store);
    const index = await a.deps.actions?.list('local');
    expect(text(await a.type(line))).toContain(answer);
    expect(await snapshot(a.deps.store)).toEqual(before);
    expect(await a.deps.actions?.list('local')).toEqual(index);
  });
});

describe('closing without follow-ups', () => {
  /** The id of the answer that carries No follow-ups needed / Add follow-up. */
  const closeButton = (out: string) => /only @\w+ sees this · (m\d+)\] bot:[^[]*\[ No follow-ups needed \]/.exec(out)?.[1];

  it('closes, and asks the commander once whether no follow-ups is deliberate', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident resolve fixed');
    const first = text(await a.type('/incident close'));
    expect(first).toMatch(/INC-1 is closed\. Postmortem draft: \S+/);
    expect(first).toContain('INC-1 has no follow-ups. Is that deliberate?');
    expect(first).toContain('[ No follow-ups needed ] [ Add follow-up ]');
    expect((await a.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
    const events = await a.deps.store.events({ workspace: 'local', number: 1 });
    expect(events.filter((e) => e.type === 'followups_asked')).toHaveLength(1);
    expect(text(await a.type('/incident timeline INC-1'))).toContain('asked whether closing without follow-ups is deliberate');
  });

  it('No follow-ups needed (for the commander) ticks the checklist; Add follow-up says how, and adding one after the close works', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident resolve fixed');
    const asked = text(await a.type('/incident close'));
    const id = closeButton(asked);
    expect(id).toBeDefined();
    expect(text(await a.type(`/press ${id} add_followup`))).toContain('Add a follow-up with `/incident action INC-1 <what> --owner @user --due 1w`');
    await a.type('/as @mallory');
    expect(text(await a.type(`/press ${id} no_followups`))).toContain('Only the commander or the declarer of INC-1');
    await a.type('/as @alice');
    expect(text(await a.type(`/press ${id} no_followups`))).toContain('Noted: INC-1 needs no follow-ups.');
    const inc = await a.deps.store.get({ workspace: 'local', number: 1 });
    expect(inc?.checklist?.followups?.reason).toBe('no follow-ups needed');
    expect(text(await a.type('/incident action INC-1 Alert on pool usage --due 1w'))).toContain('A1');
    expect((await a.deps.store.get({ workspace: 'local', number: 1 }))?.actionItems).toHaveLength(1);
  });

  it('does not ask when there are follow-ups', async () => {
    const a = await started();
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage');
    await a.type('/incident resolve fixed');
    const closed = text(await a.type('/incident close'));
    expect(closed).toMatch(/INC-1 is closed\. Postmortem draft: \S+/);
    expect(closed).not.toContain('has no follow-ups');
  });
});

describe('the weekly digest', () => {
  it('posts open and overdue follow-ups by owner in the announcement channel on the configured day and hour, once', async () => {
    // Thursdays at 09:00 in Seoul (00:00Z); the day is taken in any case, short or long.
    const a = await started({ ...CONFIG, followups: { digest: { day: 'Thu', hour: 9 } } });
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob --due 2026-03-04');
    await a.type('/incident action Load test --owner @alice --due 2026-03-20');
    await a.type('/incident action Runbook');
    await a.type('/join #general');
    await a.type('/incident declare Secret thing --sev P3 --private');
    await a.type('/incident action Hidden item --owner @bob');
    (await startFollowups(a.deps)).stop();
    expect((await followups!.queue.pending()).filter((r) => r.kind === 'digest').map((r) => r.at)).toEqual(['2026-03-05T00:00:00.000Z']);

    expect(await advanceTo(a, followups!, '2026-03-04T23:59:00Z')).not.toContain('📋');
    const out = await advanceTo(a, followups!, '2026-03-05T00:00:00Z');
    const digest = out.split(/\n(?=\[)/).filter((b) => b.startsWith('[#incidents') && b.includes('Follow-ups'));
    expect(digest).toHaveLength(1);
    expect(digest[0]).toContain('📋 Follow-ups: 4 open, 1 overdue.');
    expect(digest[0]).toMatch(/@alice \(1\):\n\s+• A2 · INC-1 · Load test · due 2026-03-20 23:59/);
    expect(digest[0]).toMatch(/@bob \(1\):\n\s+• A1 · INC-1 · Alert on pool usage · due 2026-03-04 23:59 · ⚠️ overdue/);
    expect(digest[0]).toMatch(/_No owner_ \(1\):\n\s+• A3 · INC-1 · Runbook/);
    expect(digest[0]).toContain('1 more in private incidents.');
    expect(digest[0]).not.toContain('Hidden');

    // Run again: posted once. The next week's is armed.
    const before = a.output.length;
    await runFollowup(a.deps, { kind: 'digest', workspace: 'local', at: '2026-03-05T00:00:00.000Z' });
    await idle(a, followups!.queue);
    expect(text(a.output.slice(before))).not.toContain('📋');
    expect((await followups!.queue.pending()).filter((r) => r.kind === 'digest').map((r) => r.at)).toEqual(['2026-03-12T00:00:00.000Z']);
    expect(await advanceTo(a, followups!, '2026-03-12T00:00:00Z')).toContain('📋 Follow-ups: 4 open, 1 overdue.');
  });

  it('followups.digest: false arms none', async () => {
    const a = await started({ ...CONFIG, followups: { digest: false } });
    await a.type('/incident declare Pool exhausted --sev P2 --service api');
    await a.type('/incident action Alert on pool usage --owner @bob');
    (await startFollowups(a.deps)).stop();
    expect((await followups!.queue.pending()).filter((r) => r.kind === 'digest')).toEqual([]);
  });
});
