import { afterEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { pressButton } from '../../src/app/reactions.js';
import { outboxOptions } from '../../src/app/record.js';
import { startRelay } from '../../src/app/relay.js';
import { declareEvents } from '../../src/core/lifecycle.js';
import type { OutboundMessage, OutboxStore } from '../../src/core/ports.js';
import { createIncident } from '../../src/store/mutate.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, drained, eventsOf, pageDms, text, until } from '../support/paging.js';

/**
 * Regression tests of the review fixed in 1fcb54f, findings 1–4 (5–8 are in
 * paging-review-2.test.ts; 5 and 9 have tests elsewhere). Each one failed on 1d11fa9.
 */

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function declareAsCarol(a: TestApp, line = '/incident declare DB down --sev P1'): Promise<string> {
  await a.type('/as @carol');
  await a.type('/join #general');
  return text(await a.type(line));
}

const incident = (a: TestApp) => a.deps.store.get({ workspace: 'local', number: 1 });
const isPage = (m: OutboundMessage) => m.text.includes('You are paged');
const gate = () => {
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
};

describe('1. a forged Escalate press', () => {
  it('changes nothing, says it is not your page, and does not let a bystander into a private incident', async () => {
    const a = (app = await testApp(PAGING));
    const [alices] = pageDms(await declareAsCarol(a, '/incident declare Payroll leak --sev P1 --private'), 'alice');
    const before = (await eventsOf(a)).length;
    const notYours = 'This Escalate button is not one of your pages for INC-1.';
    const press = (user: string, value: string) => pressButton(a.deps, { workspace: 'local', user: { id: user, name: user }, action: 'escalate', value });

    // A hand-made value naming only the incident: from a bystander, and from alice, who was paged.
    // Soft, so that on older code the test also shows what the presses led to.
    expect.soft(await press('mallory', '1')).toContain(notYours);
    expect.soft(await press('alice', '1')).toContain(notYours);
    // Alice's real button, replayed by someone who was never paged.
    await a.type('/as @mallory');
    await a.type('/join #general');
    expect.soft(text(await a.type(`/press ${alices} escalate`))).toContain(notYours);

    await a.settle();
    expect.soft(await eventsOf(a)).toHaveLength(before);
    expect.soft(pageDms(text(a.output), 'dave')).toHaveLength(0);
    expect(text(await a.type('/incident timeline INC-1'))).toContain('INC-1 is a private incident: only the people working on it can see it');
  });
});

describe('2. a page DM slower than the delivery timeout', () => {
  it('is sent once, and a ✅ on it acknowledges', async () => {
    const a = (app = await testApp(PAGING, undefined, { deliveryTimeoutMs: 400 }));
    const dm = a.chat.dm.bind(a.chat);
    let slow = 0;
    a.chat.dm = async (ws, user, message) => {
      // The platform answers, but only after the worker stopped waiting (600 ms > 400 ms).
      if (isPage(message) && slow++ < 5) await new Promise((r) => setTimeout(r, 600));
      return dm(ws, user, message);
    };
    await declareAsCarol(a);
    await drained(a);
    expect(a.log.lines.some((l) => l.msg === 'job failed; retrying' && /timed out after 400 ms/.test(String((l.data as { err?: Error }).err?.message)))).toBe(true);
    const dms = pageDms(text(a.output), 'alice');
    expect(dms).toHaveLength(1);
    await a.type('/as @alice');
    expect(text(await a.type(`/react ${dms[0]} ✅`))).toContain('Acknowledged INC-1. Escalation stopped.');
    expect(pageDms(text(await a.advance(30 * MIN)), 'dave')).toHaveLength(0);
  });

  it('sent twice after all (the platform hung past the send claim) is acknowledged by a ✅ on either DM', async () => {
    const a = (app = await testApp(PAGING, undefined, { deliveryTimeoutMs: 400 }));
    const dm = a.chat.dm.bind(a.chat);
    const hung = gate();
    let calls = 0;
    a.chat.dm = async (ws, user, message) => {
      if (isPage(message) && user === 'alice' && calls++ === 0) await hung.opened;
      return dm(ws, user, message);
    };
    await a.type('/as @carol');
    // Not a.type: it would wait for the hung call.
    await a.terminal.handleLine('/incident declare DB down --sev P1');
    await until('the first try to time out', () => a.log.lines.some((l) => l.msg === 'job failed; retrying'));
    // The send claim outlives any sane platform call (60 s); this one hung longer, so it ran out.
    const pageId = (await incident(a))?.escalation?.pages.find((p) => p.user.id === 'alice')?.id ?? '';
    await a.deps.store.release(`page-send:local:1:${pageId}`);
    await until('the retry to send and link its DM', async () => pageDms(text(a.output), 'alice').length === 1 && (await eventsOf(a)).some((e) => e.type === 'page_sent'));
    hung.open();
    await drained(a);
    const dms = pageDms(text(a.output), 'alice');
    expect(dms).toHaveLength(2);
    await a.type('/as @alice');
    // The DM of the hung call arrived last: its ✅ counts like the other one's.
    expect(text(await a.type(`/react ${dms[1]} ✅`))).toContain('Acknowledged INC-1. Escalation stopped.');
  });
});

describe('3. a relay working on a slow entry', () => {
  it('keeps the lease of every entry it claimed: another relay opens no second channel', async () => {
    const a = (app = await testApp({}, undefined, { relay: false }));
    // Two declarations whose writer died before running their effects (its lease ran out long ago).
    const dead: Deps = { ...a.deps, wallMs: () => Date.now() - 60_000 };
    for (const title of ['DB down', 'Cache cold']) {
      const number = await a.deps.store.nextNumber('local');
      await createIncident(a.deps.store, { workspace: 'local', number }, declareEvents({ title, summary: '', severity: 'P1', private: false }, { id: 'carol', name: 'carol' }, a.clock.now()), outboxOptions(dead));
    }
    const create = a.chat.createChannel.bind(a.chat);
    const gates = { 1: gate(), 2: gate() };
    const calls = { 1: 0, 2: 0 };
    a.chat.createChannel = async (ws, name, o) => {
      const n = name.startsWith('inc-1-') ? 1 : 2;
      calls[n]++;
      await gates[n].opened;
      return create(ws, name, o);
    };
    // Leases are wall time: the test moves it, a little at a time so each heartbeat keeps up.
    let skewMs = 0;
    a.deps.wallMs = () => Date.now() + skewMs;
    const outbox = a.deps.outbox;
    let beats = 0;
    const beating: OutboxStore = Object.assign(Object.create(outbox) as OutboxStore, {
      extend: (ws: string, ids: readonly string[], untilMs: number) => (beats++, outbox.extend(ws, ids, untilMs)),
    });
    let claimsB = 0;
    const counting: OutboxStore = Object.assign(Object.create(outbox) as OutboxStore, {
      claim: (ws: string, now: number, leaseUntil: number, limit: number) => (claimsB++, outbox.claim(ws, now, leaseUntil, limit)),
    });

    // Relay A's first poll (at once) claims both incidents' entries and hangs in incident 1's channel.
    const relayA = startRelay({ ...a.deps, outbox: beating }, { pollMs: 60 * MIN });
    await until("relay A's claim", () => calls[1] === 1);
    for (let i = 0; i < 3; i++) {
      const seen = beats;
      await until('a heartbeat', () => beats > seen);
      skewMs += 2_000;
    }
    // 6 s of wall time and more since the claim: past LEASE_MS (4 s) unless the heartbeat kept it.
    const relayB = startRelay({ ...a.deps, outbox: counting }, { pollMs: 50 });
    await until('relay B to poll', () => claimsB >= 2 || calls[2] > 0);
    const earlier = calls[2];
    gates[1].open();
    await until('relay A to reach incident 2', () => calls[2] > earlier);
    gates[2].open();
    await relayA.stop();
    await relayB.stop();
    expect(calls).toEqual({ 1: 1, 2: 1 });
    expect([...a.chat.channels.keys()].filter((c) => c.startsWith('inc-')).sort()).toEqual(['inc-1-db-down', 'inc-2-cache-cold']);
  });
});

describe('4. an edit that runs late', () => {
  /** Holds the channel post whose text matches, so the effects queued after it in its entry run late. */
  function holdPost(a: TestApp, match: RegExp) {
    const post = a.chat.post.bind(a.chat);
    const held = gate();
    let holding = false;
    a.chat.post = async (ws, channel, message) => {
      if (match.test(message.text)) {
        holding = true;
        await held.opened;
      }
      return post(ws, channel, message);
    };
    return { release: held.open, holding: () => holding };
  }

  it('shows the summary as the incident is when it runs, not as it was when written', async () => {
    const a = (app = await testApp({}));
    await declareAsCarol(a);
    await a.type('/join #inc-1-db-down');
    const hold = holdPost(a, /set the status to \*identified\*/);
    const status = a.terminal.handleLine('/incident status identified bad deploy');
    await until('the status line to be on its way', hold.holding);
    expect(text(await a.type('/incident resolve rolled back'))).toContain('Done.');
    hold.release();
    await status;
    await a.settle();
    const inc = await incident(a);
    const summary = a.chat.messages.get(inc?.summaryMessageId ?? '')?.message;
    expect(summary?.fields?.find((f) => f.label === 'Status')?.value).toBe('resolved');
  });

  it('shows a page DM as the incident is when it runs: resolved, not back to acknowledged', async () => {
    const a = (app = await testApp(PAGING));
    const [alices] = pageDms(await declareAsCarol(a), 'alice');
    const hold = holdPost(a, /acknowledged INC-1/);
    await a.type('/as @alice');
    const ack = a.terminal.handleLine(`/react ${alices} ✅`);
    await until('the acknowledgement line to be on its way', hold.holding);
    await a.type('/as @carol');
    await a.type('/join #inc-1-db-down');
    expect(text(await a.type('/incident resolve rolled back'))).toContain('Done.');
    hold.release();
    await ack;
    await a.settle();
    expect(a.chat.messages.get(alices ?? '')?.message.text).toContain('INC-1 is resolved.');
  });
});
