import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import type { IncidentEvent } from '../../src/core/events.js';
import type { OutboundJob } from '../../src/core/ports.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, allDms, drained, eventsOf, pageDms, text, until } from '../support/paging.js';

/**
 * Regression tests of issue 8, bugs 1–7: each one failed on the code before the transactional
 * outbox (155eefa). They drive the bot as people do (typed commands, reactions) and check what
 * people see, so the same text runs on the old code to show the bug.
 */

let app: TestApp;
afterEach(() => app?.close());

async function declareAsCarol(line = '/incident declare DB down --sev P1'): Promise<string> {
  await app.type('/as @carol');
  await app.type('/join #general');
  return text(await app.type(line));
}

const count = (events: IncidentEvent[], type: IncidentEvent['type']) => events.filter((e) => e.type === type).length;

describe('1. a channel that failed to open does not strand the incident', () => {
  it('says the channel is retried, takes commands by reference meanwhile, and opens the channel once it can', async () => {
    app = await testApp(PAGING);
    const create = app.chat.createChannel.bind(app.chat);
    let creationWorks = false;
    let tries = 0;
    app.chat.createChannel = async (ws, name, o) => {
      tries++;
      if (!creationWorks) throw new PlatformError('missing_scope', 'permanent');
      return create(ws, name, o);
    };
    // A refused channel is retried minutes later (outbox time is wall time): the test moves that clock.
    let skewMs = 0;
    app.deps.wallMs = () => Date.now() + skewMs;

    const declared = await declareAsCarol();
    expect(declared).toMatch(/Declared INC-1: DB down \(P1\)\. I could not open its channel yet and keep trying/);
    expect(pageDms(declared, 'alice')).toHaveLength(1);
    expect(text(await app.type('/incident status INC-1 identified bad deploy'))).toContain('Done.');
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('identified');

    skewMs += 6 * MIN;
    // 15 s: the relay picks up a workspace created after it started only when it re-reads its list (every 10 s).
    await until('the relay to try the channel again', () => tries >= 2, 15_000);
    expect(count(await eventsOf(app), 'channel_failed')).toBe(1);

    expect(text(await app.type('/incident resolve INC-1 rolled back'))).toContain('Done.');
    creationWorks = true;
    skewMs += 6 * MIN;
    await until('the channel to be created', () => text(app.output).includes('channel #inc-1-db-down created'));
    await app.settle();
    const after = await app.deps.store.get({ workspace: 'local', number: 1 });
    expect(after).toMatchObject({ status: 'resolved', channelId: 'inc-1-db-down' });
    // Once per reason, however often the same refusal came back.
    expect(count(await eventsOf(app), 'channel_failed')).toBe(1);
    expect(count(await eventsOf(app), 'channel_created')).toBe(1);
  });
});

describe('2. a person paged again by hand after acknowledging', () => {
  it('gets a new page DM, whether the first page came from the policy or by hand', async () => {
    app = await testApp(PAGING);
    const [alices] = pageDms(await declareAsCarol(), 'alice');
    await app.type('/join #inc-1-db-down');
    const [franks] = pageDms(text(await app.type('/incident page @frank the replica lags')), 'frank');
    for (const [user, dm] of [['alice', alices], ['frank', franks]] as const) {
      await app.type(`/as @${user}`);
      expect(text(await app.type(`/react ${dm} ✅`)), user).toMatch(/Acknowledged INC-1\./);
    }
    await app.type('/as @carol');
    await app.type('/join #inc-1-db-down');
    expect(text(await app.type('/incident page @alice @frank need you both on the replica'))).toContain('Paging @alice, @frank');
    await drained(app);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(2);
    expect(pageDms(text(app.output), 'frank')).toHaveLength(2);
  });
});

describe('3. tier 1 is paged with the declaration', () => {
  it('sends tier 1 its DM while the channel is still being created', async () => {
    app = await testApp(PAGING);
    const create = app.chat.createChannel.bind(app.chat);
    let release: () => void = () => {};
    const opened = new Promise<void>((r) => (release = r));
    app.chat.createChannel = async (ws, name, o) => {
      await opened;
      return create(ws, name, o);
    };
    await app.type('/as @carol');
    const declaring = app.type('/incident declare DB down --sev P1');
    const early = await until("alice's page DM", () => pageDms(text(app.output), 'alice').length === 1, 3_000).then(() => true, () => false);
    const channelFirst = text(app.output).includes('channel #inc-1-db-down created');
    release();
    expect(text(await declaring)).toContain('Declared INC-1');
    expect(early, "alice's page DM went out while the channel was still being created").toBe(true);
    expect(channelFirst).toBe(false);
    await drained(app);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(1);
  });

  it('records the start of escalation and tier 1 in the same write as the declaration', async () => {
    app = await testApp(PAGING);
    const append = app.deps.store.append.bind(app.deps.store);
    const batches: string[][] = [];
    app.deps.store.append = (key, version, events, next, o) => {
      batches.push(events.map((e) => e.type));
      return append(key, version, events, next, o);
    };
    await declareAsCarol();
    // No crash can fall between these three: they are one atomic write.
    expect(batches[0]).toEqual(expect.arrayContaining(['declared', 'escalation_started', 'paged']));
  });
});

describe('4. pages queued during a platform outage', () => {
  it('are still delivered once each when the policy runs out before the platform is back', async () => {
    app = await testApp(PAGING);
    const dm = app.chat.dm.bind(app.chat);
    let dmsDown = true;
    let refused = 0;
    app.chat.dm = async (ws, user, message) => {
      if (dmsDown) {
        refused++;
        throw new PlatformError('service_unavailable', 'transient');
      }
      return dm(ws, user, message);
    };
    await declareAsCarol();
    await app.advance(5 * MIN);
    await app.advance(10 * MIN);
    const exhausted = text(await app.advance(15 * MIN));
    expect(refused).toBeGreaterThan(0);
    expect(exhausted).toMatch(/Nobody has acknowledged INC-1 after 3 policy steps yet; 3 page DMs are still on their way/);
    expect(exhausted).not.toMatch(/Nobody acknowledged INC-1 after/);

    dmsDown = false;
    await until('every page DM', () => ['alice', 'dave', 'manager'].every((u) => pageDms(text(app.output), u).length > 0));
    await drained(app);
    for (const user of ['alice', 'dave', 'manager']) expect(pageDms(text(app.output), user), user).toHaveLength(1);
  });
});

describe('5. a ✅ on a delivered page DM', () => {
  it('acknowledges even when the write after the DM failed once', async () => {
    app = await testApp(PAGING);
    const append = app.deps.store.append.bind(app.deps.store);
    let blips = 0;
    app.deps.store.append = (key, version, events, next, o) => {
      if (events.some((e) => e.type === 'page_sent') && blips++ === 0) return Promise.reject(new Error('redis blip'));
      return append(key, version, events, next, o);
    };
    // The code before the outbox linked the DM to its page in a separate write: that one fails instead.
    const oncall = app.deps.oncall as unknown as { rememberPage?: (...a: unknown[]) => Promise<void> };
    const remember = oncall.rememberPage?.bind(oncall);
    if (remember) oncall.rememberPage = (...a) => (blips++ === 0 ? Promise.reject(new Error('redis blip')) : remember(...a));

    await declareAsCarol();
    await drained(app);
    expect(blips).toBeGreaterThan(0);
    const [page] = pageDms(text(app.output), 'alice');
    await app.type('/as @alice');
    expect(text(await app.type(`/react ${page} ✅`))).toContain('Acknowledged INC-1. Escalation stopped.');
    expect(pageDms(text(await app.advance(30 * MIN)), 'dave')).toHaveLength(0);
    expect(count(await eventsOf(app), 'acknowledged')).toBe(1);
  });
});

describe('6. a failed queue write for /incident page', () => {
  it('is retried: the DM arrives, once', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const send = app.scheduler.send.bind(app.scheduler);
    let refused = 0;
    app.scheduler.send = async (job: OutboundJob) => {
      if (job.page && job.target === 'frank' && refused++ === 0) throw new Error('redis blip');
      return send(job);
    };
    await app.type('/join #inc-1-db-down');
    expect(text(await app.type('/incident page @frank the primary is read-only'))).toContain('Paging @frank');
    // The relay retries after ~1 s, once it has re-read its workspace list (every 10 s): hence 15 s.
    await until("frank's page DM", () => pageDms(text(app.output), 'frank').length > 0, 15_000);
    await drained(app);
    expect(refused).toBe(2);
    expect(pageDms(text(app.output), 'frank')).toHaveLength(1);
  });
});

describe('7. changing the severity', () => {
  const ROUTED = {
    policies: [
      { id: 'urgent', tiers: [{ targets: [{ user: 'alice' }], delay: '5m' }, { targets: [{ user: 'dave' }], delay: '5m' }] },
      { id: 'standard', tiers: [{ targets: [{ user: 'bob' }], delay: '30m' }] },
    ],
    routes: [
      { severity: 'P1', policy: 'urgent' },
      { severity: 'P2', policy: 'standard' },
    ],
  };
  const topic = async () => app.chat.channels.get((await app.deps.store.get({ workspace: 'local', number: 1 }))?.channelId ?? '')?.topic;

  it('raising P3 → P1 starts the P1 policy and shows P1 in the channel topic; lowering pages nobody', async () => {
    app = await testApp(ROUTED);
    const declared = await declareAsCarol('/incident declare Checkout slow --sev P3');
    expect(allDms(declared, 'alice')).toHaveLength(0);
    await app.type('/join #inc-1-checkout-slow');
    const raised = text(await app.type('/incident sev P1 checkout is down'));
    expect(pageDms(raised, 'alice')).toHaveLength(1);
    expect(await topic()).toMatch(/P1/);
    expect(text(await app.type('/incident sev P3 partial recovery'))).not.toContain('[DM @');
    expect(await topic()).toMatch(/P3/);
    expect(count(await eventsOf(app), 'escalation_started')).toBe(1);
  });

  it('raising an acknowledged incident pages nobody new', async () => {
    app = await testApp(ROUTED);
    const [bobs] = pageDms(await declareAsCarol('/incident declare Checkout slow --sev P2'), 'bob');
    await app.type('/as @bob');
    expect(text(await app.type(`/react ${bobs} ✅`))).toContain('Acknowledged INC-1.');
    await app.type('/as @carol');
    await app.type('/join #inc-1-checkout-slow');
    const raised = text(await app.type('/incident sev P1 it got worse'));
    expect(raised).not.toContain('[DM @');
    expect(await topic()).toMatch(/P1/);
    expect(pageDms(text(await app.advance(30 * MIN)), 'alice')).toHaveLength(0);
  });
});
