import { afterEach, describe, expect, it } from 'vitest';
import { rearmEscalations } from '../../src/app/rearm.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, allDms, drained, eventsOf, pageDms, text } from '../support/paging.js';

/**
 * Issue 8, "what must hold" 3 and 6: what happens after an acknowledgement (the others stand
 * down, every page DM shows the outcome, the acker joins the channel, an ack that goes stale
 * pages again) and the escalation audit that runs a step whose timer was lost.
 */

let app: TestApp;
afterEach(() => app?.close());

const PAIR = {
  timeZone: 'Asia/Seoul',
  policies: [
    {
      id: 'default',
      tiers: [
        { targets: [{ user: 'alice' }, { user: 'bob' }], delay: '5m' },
        { targets: [{ user: 'dave' }], delay: '5m' },
      ],
    },
  ],
  defaultPolicy: 'default',
};

async function declareAsCarol(): Promise<string> {
  await app.type('/as @carol');
  await app.type('/join #general');
  return text(await app.type('/incident declare DB down --sev P1'));
}

describe('after an acknowledgement', () => {
  it('tells the others to stand down, shows the outcome on every page DM, and invites the acker', async () => {
    app = await testApp(PAIR);
    const declared = await declareAsCarol();
    expect(pageDms(declared, 'alice')).toHaveLength(1);
    expect(pageDms(declared, 'bob')).toHaveLength(1);
    const [alices] = pageDms(declared, 'alice');
    const [bobs] = pageDms(declared, 'bob');
    expect(app.chat.channels.get('inc-1-db-down')?.members.has('alice')).toBe(false);

    app.clock.advance(3 * MIN);
    await app.type('/as @alice');
    const acked = text(await app.type(`/react ${alices} ✅`));
    expect(acked).toContain('Acknowledged INC-1. Escalation stopped.');

    // Bob was told he was paged, so he is told he can stop; alice needs no such DM.
    const bobsDms = allDms(text(app.output), 'bob');
    expect(bobsDms).toHaveLength(2);
    expect(app.chat.messages.get(bobsDms[1] ?? '')?.message.text).toBe('Stand down: <@alice> acknowledged INC-1. Thank you.');
    expect(allDms(text(app.output), 'alice')).toHaveLength(1);

    // Both page DMs lose their buttons for the outcome (the terminal prints each edit).
    for (const [user, id] of [['alice', alices], ['bob', bobs]] as const) {
      const edits = acked.match(new RegExp(`\\[#dm-${user} · ${id} edited\\] bot:\\n.*\\n\\s+✅ Acknowledged by @alice at 2025-12-26 09:03\\.`, 'g'));
      expect(edits, user).toHaveLength(1);
      expect(app.chat.messages.get(id ?? '')?.message.actions ?? [], user).toEqual([]);
    }

    expect(acked).toContain('[#inc-1-db-down] @alice joined');
    expect(app.chat.channels.get('inc-1-db-down')?.members.has('alice')).toBe(true);
    expect(pageDms(text(await app.advance(30 * MIN)), 'dave')).toHaveLength(0);
  });
});

describe("a policy's ackTimeout", () => {
  const TIMEOUT = { ...PAGING, policies: [{ ...PAGING.policies[0], ackTimeout: '10m' }] };

  it('pages again from tier 1 when the acknowledged incident is still unresolved', async () => {
    app = await testApp(TIMEOUT);
    const [first] = pageDms(await declareAsCarol(), 'alice');
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${first} ✅`))).toContain('Acknowledged INC-1.');
    expect(pageDms(text(await app.advance(9 * MIN)), 'alice')).toHaveLength(0);

    const timedOut = text(await app.advance(1 * MIN));
    expect(timedOut).toContain("INC-1 was acknowledged but is still unresolved after the policy's acknowledgement timeout: paging again from tier 1.");
    expect(pageDms(timedOut, 'alice')).toHaveLength(1);
    expect(pageDms(timedOut, 'dave')).toHaveLength(0);
    // Paging again means the policy again: tier 2 follows when nobody answers this time.
    expect(pageDms(text(await app.advance(5 * MIN)), 'dave')).toHaveLength(1);
  });

  it('times out again after the next acknowledgement (each round has its own timer)', async () => {
    app = await testApp(TIMEOUT);
    const [first] = pageDms(await declareAsCarol(), 'alice');
    await app.type('/as @alice');
    await app.type(`/react ${first} ✅`);
    const repaged = pageDms(text(await app.advance(10 * MIN)), 'alice');
    expect(repaged).toHaveLength(1);
    const [second] = repaged;
    expect(pageDms(text(await app.advance(5 * MIN)), 'dave')).toHaveLength(1);
    expect(text(await app.type(`/react ${second} ✅`))).toContain('Acknowledged INC-1.');
    const again = text(await app.advance(10 * MIN));
    expect(again).toContain('acknowledgement timeout: paging again from tier 1');
    expect(pageDms(again, 'alice')).toHaveLength(1);
  });

  it('does nothing once the incident is resolved in time', async () => {
    app = await testApp(TIMEOUT);
    const [first] = pageDms(await declareAsCarol(), 'alice');
    await app.type('/as @alice');
    await app.type(`/react ${first} ✅`);
    app.clock.advance(5 * MIN);
    await app.type('/as @carol');
    expect(text(await app.type('/incident resolve rolled back'))).toContain('Done.');
    const later = text(await app.advance(60 * MIN));
    expect(later).not.toContain('acknowledgement timeout');
    expect(allDms(text(app.output), 'alice')).toHaveLength(1);
    expect((await eventsOf(app)).filter((e) => e.type === 'escalated')).toEqual([]);
  });
});

describe('the escalation audit', () => {
  it('runs a step whose timer was lost once it is over a minute late, and logs it as an error', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    // Behind the bot's back: the pending step job disappears from BullMQ.
    await app.scheduler.cancelSteps('local', 1);
    expect(await app.scheduler.pendingSteps('local', 1)).toEqual([]);
    expect(pageDms(text(await app.advance(5 * MIN + 61_000)), 'dave')).toHaveLength(0);

    const from = app.output.length;
    const result = await rearmEscalations(app.deps);
    await drained(app);
    expect(result.overdue).toBe(1);
    expect(pageDms(text(app.output.slice(from)), 'dave')).toHaveLength(1);
    const line = app.log.lines.find((l) => l.msg === 'escalation step overdue; running it now');
    expect(line?.level).toBe('error');
    expect(line?.data).toMatchObject({ incidentId: 'INC-1', lateMs: 61_000 });
  });

  it('only re-arms a step that is not yet a minute late', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.scheduler.cancelSteps('local', 1);
    await app.advance(5 * MIN + 30_000);
    const result = await rearmEscalations(app.deps);
    expect(result).toMatchObject({ overdue: 0, armed: 1 });
    await app.settle();
    expect(pageDms(text(app.output), 'dave')).toHaveLength(1);
    expect(app.log.lines.some((l) => l.msg === 'escalation step overdue; running it now')).toBe(false);
  });
});
