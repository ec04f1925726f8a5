import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { dispatch } from '../../src/app/dispatch.js';
import { rearmEscalations } from '../../src/app/rearm.js';
import { decideCancel, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { ManualClock } from '../../src/infra/clock.js';
import { testApp, type TestApp } from '../support/app.js';
import { openTestCore } from '../support/core.js';
import { testRedis } from '../support/redis.js';
import { MIN, text } from '../support/paging.js';

/**
 * The postmortem index of issue 12 (src/store/redis-postmortems.ts) on the real local workspace,
 * Redis and queues: the set of incidents awaiting their review that the minute sweep reads (so
 * an alert-heavy workspace loses no reminder), and the draft last posted (so
 * `/incident postmortem` does not post the same draft again).
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
const carol: Actor = { id: 'carol', name: 'carol' };

async function declare(): Promise<void> {
  await app.type('/as @carol');
  await app.type('/incident declare DB down --sev P3');
  await app.type('/join #inc-1-db-down');
}

/** The workspace's set of incidents awaiting review, as Redis holds it. */
async function awaiting(): Promise<{ number: number; dueAt: string }[]> {
  const entries = (await app.deps.postmortemIndex?.awaitingReview('local', 100)) ?? [];
  return entries.map((e) => ({ number: e.number, dueAt: new Date(e.dueMs).toISOString() }));
}

/** How many times the channel was shown the draft. */
const drafts = (out: string) => out.match(/\[#inc-1-db-down · m\d+\] bot:\s+Postmortem draft for INC-1/g) ?? [];

describe('the set of incidents awaiting review', () => {
  it('follows the resolve, each reminder, a reopen and the review', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    expect(await awaiting()).toEqual([]);
    await app.type('/incident resolve looked fixed');
    await app.settle();
    expect(await awaiting()).toEqual([{ number: 1, dueAt: '2025-12-27T09:00:00.000Z' }]);
    await app.advance(24 * HOUR);
    // Reminded at 24 h: the entry moves to the 48 h reminder.
    expect(await awaiting()).toEqual([{ number: 1, dueAt: '2025-12-28T09:00:00.000Z' }]);
    await app.type('/incident reopen errors are back');
    await app.settle();
    expect(await awaiting()).toEqual([]);
    await app.type('/incident resolve fixed for real');
    await app.settle();
    expect(await awaiting()).toEqual([{ number: 1, dueAt: '2025-12-28T09:00:00.000Z' }]);
    await app.type('/incident postmortem done');
    await app.settle();
    expect(await awaiting()).toEqual([]);
  });

  it('lets an incident go after its 48 h reminder, and after a hand-ticked review step', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve fixed');
    await app.advance(48 * HOUR);
    expect(text(app.output)).toContain('the 48 hours for the postmortem review of INC-1 are up');
    expect(await awaiting()).toEqual([]);
    // The 24 h reminder, overtaken while the bot was busy, is not sent late by the sweep either.
    await rearmEscalations(app.deps);
    await app.settle();
    expect(text(app.output)).not.toContain('a day ago');
    await app.type('/incident reopen back');
    await app.type('/incident resolve fixed again');
    await app.settle();
    expect(await awaiting()).toHaveLength(1);
    await app.type('/incident checklist tick postmortem reviewed in the weekly meeting');
    await app.settle();
    expect(await awaiting()).toEqual([]);
  });
});

describe('the sweep in an alert-heavy workspace', () => {
  it('still reminds about a closed incident hundreds of newer incidents later, after its timers were lost', async () => {
    const redis = await testRedis();
    const clock = new ManualClock(START);
    const printed: string[] = [];
    const chat = new LocalWorkspace((line) => printed.push(line), 'incidents');
    const run = (deps: Parameters<typeof dispatch>[0], line: string) => dispatch(deps, commands, { platform: 'local', workspace: 'local', channelId: 'general', user: carol, text: line });
    const one = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
    try {
      await run(one.deps, 'declare DB down --sev P3');
      await run(one.deps, 'resolve INC-1 fixed');
      await run(one.deps, 'close INC-1');
      await run(one.deps, 'close INC-1');
      await one.settle();
      expect((await one.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
      // 600 newer incidents (an alert storm's worth, opened and cancelled), written straight to the store.
      for (let i = 0; i < 600; i++) {
        clock.advance(1_000);
        const key = { workspace: 'local', number: await one.deps.store.nextNumber('local') };
        const declared = declareEvents({ title: `alert ${i}`, summary: '', severity: 'P4', private: false }, carol, clock.now());
        const open = project(null, declared, key);
        const cancelled = decideCancel(open, 'noise', carol, clock.now());
        expect(await one.deps.store.append(key, 0, [...declared, ...cancelled], project(open, cancelled))).toBe(true);
      }
      // Down, its queues wiped (the timers lost), back a day after the resolve.
      await one.close();
      clock.advance(24 * HOUR);
      const two = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
      try {
        await rearmEscalations(two.deps);
        await two.settle();
        await rearmEscalations(two.deps);
        await two.settle();
        expect(printed.join('\n').match(/INC-1 was resolved 2025-12-26 09:00, a day ago/g) ?? []).toHaveLength(1);
        await two.advance(24 * HOUR);
        expect(printed.join('\n').match(/the 48 hours for the postmortem review of INC-1 are up/g) ?? []).toHaveLength(1);
        expect(await two.deps.postmortemIndex?.awaitingReview('local', 10)).toEqual([]);
      } finally {
        await two.close();
      }
    } finally {
      await redis.cleanup();
    }
  }, 60_000);
});

describe('/incident postmortem', () => {
  it('does not post a draft the channel was shown already, and still rewrites its file', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident note restarted the primary');
    const firstTime = text(await app.type('/incident postmortem'));
    expect(drafts(firstTime)).toHaveLength(1);
    const path = /saved as `([^`]+)`/.exec(firstTime)?.[1] ?? '';
    await rm(path);
    const again = text(await app.type('/incident postmortem'));
    expect(again).toContain(`The postmortem draft of INC-1 is unchanged since it was last posted in #inc-1-db-down, so it is not posted again; its file is written again as \`${path}\`.`);
    expect(drafts(again)).toHaveLength(0);
    expect(await readFile(path, 'utf8')).toContain('restarted the primary');
    // Something new on the timeline: posted.
    await app.type('/incident note failed over to the replica');
    const changed = text(await app.type('/incident postmortem'));
    expect(drafts(changed)).toHaveLength(1);
    expect(changed).toContain('The postmortem draft of INC-1 is written again and posted in #inc-1-db-down;');
  });

  it('does not post again the draft the close posted, also days later (the footer date is no change)', async () => {
    app = await testApp(CONFIG, START);
    await declare();
    await app.type('/incident resolve fixed');
    await app.type('/incident postmortem done');
    await app.type('/incident close');
    await app.type('/incident close');
    await app.settle();
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
    expect(drafts(text(app.output))).toHaveLength(1);
    await app.advance(3 * 24 * HOUR);
    expect(text(await app.type('/incident postmortem'))).toContain('is unchanged since it was last posted');
    expect(drafts(text(app.output))).toHaveLength(1);
  });
});
