import { afterEach, describe, expect, it } from 'vitest';
import { rearmEscalations } from '../../src/app/rearm.js';
import { runStep } from '../../src/app/escalation.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { CHECKLIST_STEPS } from '../../src/core/model.js';
import { commands } from '../../commands/index.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { dispatch } from '../../src/app/dispatch.js';
import { ManualClock } from '../../src/infra/clock.js';
import { testApp, type TestApp } from '../support/app.js';
import { openTestCore } from '../support/core.js';
import { testRedis } from '../support/redis.js';
import { MIN, text } from '../support/paging.js';

/**
 * The guided response on the real local workspace, dispatcher, Redis store and BullMQ queues,
 * with the test's clock: update reminders on the severity's cadence (P1: every 30 min), snooze,
 * reopen, the roles reminder and the checklist.
 */

let app: TestApp;
afterEach(async () => {
  // Cleared, so a test that runs no app (the restart test) does not close the one before it again.
  const current = app as TestApp | undefined;
  app = undefined as unknown as TestApp;
  await current?.close();
});

const START = new Date('2025-12-26T09:00:00Z');
const CONFIG = { timeZone: 'UTC' };

async function events(number = 1): Promise<IncidentEvent[]> {
  return app.deps.store.events({ workspace: 'local', number });
}

const reminders = (out: string) => out.match(/an update on INC-1 was due/g) ?? [];
/** The id of the last message in `out` that says `needle`. */
const messageId = (out: string, needle: string) => [...out.matchAll(/\[[^\]]*· (m\d+)\][^\n]*\n?[^\n]*/g)].filter((m) => m[0].includes(needle)).map((m) => m[1]).at(-1) ?? '';

async function declareP1(): Promise<string> {
  await app.type('/as @carol');
  const out = text(await app.type('/incident declare DB down --sev P1'));
  await app.type('/join #inc-1-db-down');
  return out;
}

describe('status updates and their reminders', () => {
  it('posts an update in the channel and the announcement channel, shows it in the summary and restarts the clock', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    app.clock.advance(12 * MIN);
    const out = text(await app.type('/incident update rolled back the deploy, watching errors'));
    expect(out).toContain('Update posted in INC-1 and announced.');
    expect(out).toMatch(/\[#inc-1-db-down · m\d+\] bot:\s*📣 Update from @carol \(investigating\): rolled back the deploy, watching errors/);
    expect(out).toMatch(/\[#incidents · announcement · m\d+\] bot:\s*📣 INC-1 update · DB down · P1 · investigating: rolled back the deploy/);
    expect(out).toMatch(/Last update: — → 2025-12-26 09:12 by @carol: rolled back the deploy/);
    expect(out).toMatch(/Next update due: 2025-12-26 09:30 → 2025-12-26 09:42/);
    expect((await events()).filter((e) => e.type === 'update_posted')).toHaveLength(1);
  });

  it('reminds once when an update is due, not when one came in time; survives a re-run and a restart sweep', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    // An update at 09:29 moves the due time to 09:59: the 09:30 timer finds nothing to do.
    expect(reminders(text(await app.advance(29 * MIN)))).toHaveLength(0);
    await app.type('/incident update still digging');
    expect(reminders(text(await app.advance(2 * MIN)))).toHaveLength(0);
    const due = text(await app.advance(28 * MIN));
    expect(reminders(due)).toHaveLength(1);
    expect(due).toContain('@carol: an update on INC-1 was due at 2025-12-26 09:59');
    expect(due).toMatch(/Post update.*Snooze 15 min.*Snooze 1 h/s);
    // The summary turns overdue when the reminder runs, without waiting for another change.
    const summaryId = (await app.deps.store.get({ workspace: 'local', number: 1 }))?.summaryMessageId ?? '?';
    await app.settle();
    const all = text(app.output);
    expect(all.slice(all.lastIndexOf(`· ${summaryId} edited]`))).toMatch(/Next update due.*overdue since 2025-12-26 09:59/);
    // The same timer again (a re-run, or a process that restarted and swept) reminds nobody twice.
    await runStep(app.deps, { workspace: 'local', number: 1, generation: 0, step: Date.parse('2025-12-26T09:59:00Z') / 1000, kind: 'update_due' });
    await rearmEscalations(app.deps);
    await app.settle();
    expect(reminders(text(app.output))).toHaveLength(1);
    expect((await events()).filter((e) => e.type === 'update_reminded')).toHaveLength(1);
  });

  it('reminds once across a restart of the bot that lost its queued timers while it was down', async () => {
    const redis = await testRedis();
    const clock = new ManualClock(START);
    const printed: string[] = [];
    const chat = new LocalWorkspace((line) => printed.push(line), 'incidents');
    const first = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
    try {
      await dispatch(first.deps, commands, { platform: 'local', workspace: 'local', channelId: 'general', user: { id: 'carol', name: 'carol' }, text: 'declare DB down --sev P1' });
      await first.settle();
      // Down from 09:10 to 09:45, with its queues wiped: the 09:30 reminder was due meanwhile.
      clock.advance(10 * MIN);
      await first.close();
      clock.advance(35 * MIN);
      const second = await openTestCore({ redis, configDoc: CONFIG, clock, chat });
      try {
        await rearmEscalations(second.deps);
        await second.settle();
        await rearmEscalations(second.deps);
        await second.settle();
        expect(reminders(printed.join('\n'))).toHaveLength(1);
        const events = await second.deps.store.events({ workspace: 'local', number: 1 });
        expect(events.filter((e) => e.type === 'update_reminded')).toHaveLength(1);
        // The next one (10:00) is armed again by the sweep and comes once.
        await second.advance(15 * MIN);
        expect(reminders(printed.join('\n'))).toHaveLength(2);
      } finally {
        await second.close();
      }
    } finally {
      await redis.cleanup();
    }
  });

  it('reminds again a cadence later while nobody posts one, snooze moves it, resolve stops it', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    const first = text(await app.advance(30 * MIN));
    expect(reminders(first)).toHaveLength(1);
    const reminder = messageId(first, 'an update on INC-1 was due');
    // Only the commander (or comms, the declarer, an admin) may snooze.
    await app.type('/as @zoe');
    expect(text(await app.type(`/press ${reminder} snooze_60`))).toContain('Only the commander or the declarer of INC-1');
    await app.type('/as @carol');
    expect(text(await app.type(`/press ${reminder} snooze_60`))).toContain('Snoozed: the next reminder for INC-1 comes at 2025-12-26 10:30.');
    // Without the snooze the next reminder would have come at 10:00 (a cadence after 09:30).
    expect(reminders(text(await app.advance(30 * MIN)))).toHaveLength(0);
    expect(reminders(text(await app.advance(29 * MIN)))).toHaveLength(0);
    expect(reminders(text(await app.advance(1 * MIN)))).toHaveLength(1);
    await app.type('/incident resolve rolled back');
    expect(reminders(text(await app.advance(3 * 60 * MIN)))).toHaveLength(0);
    expect((await events()).filter((e) => e.type === 'update_reminded')).toHaveLength(2);
  });

  it('a status change with a message counts as an update; a severity change restarts the cadence', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    app.clock.advance(20 * MIN);
    const out = text(await app.type('/incident status identified bad index on orders'));
    expect(out).toMatch(/\[#incidents · announcement · m\d+\] bot:\s*📣 INC-1 update · DB down · P1 · identified: bad index on orders/);
    expect(reminders(text(await app.advance(29 * MIN)))).toHaveLength(0);
    // P3 updates every 4 h: the 09:50 reminder (from the 09:20 update) no longer applies; 13:20 does.
    await app.type('/incident sev P3 contained');
    expect(reminders(text(await app.advance(60 * MIN)))).toHaveLength(0);
    expect(reminders(text(await app.advance(3 * 60 * MIN)))).toHaveLength(1);
  });

  it('refuses an empty update and an update of a resolved incident, writing nothing', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    const before = (await events()).length;
    expect(text(await app.type('/incident update'))).toContain('Usage: `/incident update [INC-n] <what changed, what is next>`');
    await app.type('/incident resolve done');
    const resolved = (await events()).length;
    expect(text(await app.type('/incident update one more thing'))).toContain('INC-1 is resolved; updates are for an incident still being worked on.');
    expect((await events()).length).toBe(resolved);
    expect(resolved).toBe(before + 1);
  });
});

describe('reopen', () => {
  it('brings a resolved incident back to investigating, without paging unless asked; refuses a closed one', async () => {
    app = await testApp({ ...CONFIG, policies: [{ id: 'p', tiers: [{ targets: [{ user: 'alice' }], delay: '5m' }] }], defaultPolicy: 'p' }, START);
    await declareP1();
    await app.type('/as @alice');
    await app.type('/incident ack');
    await app.type('/as @carol');
    await app.type('/incident resolve rolled back');
    await app.type('/as @zoe');
    expect(text(await app.type('/incident reopen errors are back'))).toContain('Only the commander or the declarer of INC-1');
    await app.type('/as @carol');
    const out = text(await app.type('/incident reopen errors are back'));
    expect(out).toContain('Reopened INC-1.');
    expect(out).toContain('@carol reopened INC-1: errors are back. Status: investigating.');
    expect(out).toMatch(/\[#incidents · announcement · m\d+\] bot:\s*⚠️ INC-1 reopened: DB down: errors are back/);
    expect((await events()).filter((e) => e.type === 'paged')).toHaveLength(1);
    // Reminders come back with the incident.
    expect(reminders(text(await app.advance(30 * MIN)))).toHaveLength(1);

    await app.type('/incident resolve really fixed');
    const paged = text(await app.type('/incident reopen --page'));
    expect(paged).toContain('Paging again from the first tier of its policy.');
    expect((await events()).filter((e) => e.type === 'paged')).toHaveLength(2);

    await app.type('/incident resolve fixed for good');
    await app.type('/incident close');
    const before = (await events()).length;
    expect(text(await app.type('/incident reopen INC-1'))).toContain('INC-1 is closed; only a resolved incident can be reopened');
    expect((await events()).length).toBe(before);
  });
});

describe('roles nobody holds', () => {
  it('reminds the commander of a P1 once, ten minutes in, with buttons to take the roles', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    expect(text(await app.advance(9 * MIN))).not.toContain('still has no');
    const out = text(await app.advance(1 * MIN));
    expect(out).toContain('@carol: INC-1 is P1 and still has no comms lead and scribe, ten minutes in.');
    const msg = messageId(out, 'still has no');
    await app.type('/as @dana');
    expect(text(await app.type(`/press ${msg} take_comms`))).toContain('You are now comms lead of INC-1.');
    await app.type('/as @erin');
    expect(text(await app.type(`/press ${msg} take_comms`))).toContain('INC-1 already has a comms lead: @dana.');
    expect(text(await app.advance(60 * MIN))).not.toContain('still has no');
    expect((await events()).filter((e) => e.type === 'roles_reminded')).toHaveLength(1);
  });

  it('does not remind for a P3, nor when both roles are held', async () => {
    app = await testApp(CONFIG, START);
    await app.type('/as @carol');
    await app.type('/incident declare Slow page --sev P3');
    await app.type('/incident declare Payments down --sev P1');
    await app.type('/join #inc-2-payments-down');
    await app.type('/incident role comms @dana');
    await app.type('/incident role scribe @erin');
    expect(text(await app.advance(15 * MIN))).not.toContain('still has no');
  });
});

describe('the response checklist', () => {
  it('is posted and pinned with the summary, and ticks itself in order on a scripted incident', async () => {
    app = await testApp({ ...CONFIG, policies: [{ id: 'p', tiers: [{ targets: [{ user: 'alice' }], delay: '5m' }] }], defaultPolicy: 'p' }, START);
    const declared = await declareP1();
    expect(declared).toContain('Response checklist · INC-1 (2/10)');
    expect(declared.match(/📌 pinned/g)).toHaveLength(2);
    const step = async (line: string) => {
      app.clock.advance(MIN);
      await app.type(line);
    };
    await step('the primary is at 100% CPU');
    await step('/incident checklist tick scope checkout and orders, about 30% of users');
    await step('/incident update failing over to the replica');
    await step('/incident status monitoring failover done');
    await step('/incident resolve errors back to normal');
    await step('/incident action add a replica lag alert --due 1w');
    await step('/incident close');
    const inc = await app.deps.store.get({ workspace: 'local', number: 1 });
    const ticked = CHECKLIST_STEPS.filter((s) => inc?.checklist?.[s]).sort((a, b) => Date.parse(inc?.checklist?.[a]?.at ?? '') - Date.parse(inc?.checklist?.[b]?.at ?? ''));
    expect(ticked).toEqual(['graded', 'paged', 'recording', 'scope', 'notified', 'mitigated', 'verified', 'followups', 'closed']);
    expect(inc?.checklist?.scope?.reason).toBe('checkout and orders, about 30% of users');
    const shown = text(await app.type('/incident checklist'));
    expect(shown).toContain('Response checklist · INC-1 (9/10)');
    expect(shown).toMatch(/✅ 4\. Scope \(impact noted\) · 2025-12-26 09:02 · by hand: checkout and orders/);
    expect(shown).toContain('⬜ 9. Postmortem reviewed');
  });

  it('refuses a step that does not exist, a tick without a reason, and one by someone who may not', async () => {
    app = await testApp(CONFIG, START);
    await declareP1();
    const before = (await events()).length;
    expect(text(await app.type('/incident checklist tick lunch because'))).toContain('`lunch` is not a checklist step. Use one of: graded, paged');
    expect(text(await app.type('/incident checklist tick scope'))).toContain('Usage: `/incident checklist');
    expect(text(await app.type('/incident checklist tick graded again'))).toContain('The step `graded` of INC-1 is already ticked.');
    await app.type('/as @zoe');
    expect(text(await app.type('/incident checklist tick scope half the users'))).toContain('Only the commander or the declarer of INC-1');
    expect((await events()).length).toBe(before);
  });
});
