import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { PlatformError } from '../../src/core/errors.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { runStep } from '../../src/app/escalation.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, drained, pageDms as dmTo, text, until } from '../support/paging.js';

/**
 * Paging through the real local workspace, dispatcher, Redis store and BullMQ queues. The clock
 * is the test's: `advance` moves it and runs the steps that fell due (job.promote), so a 5-minute
 * tier takes milliseconds.
 */

let app: TestApp;
afterEach(() => app?.close());


async function declareAsCarol(title = 'DB down'): Promise<string> {
  await app.type('/as @carol');
  return text(await app.type(`/incident declare ${title} --sev P1`));
}

async function events(number = 1): Promise<IncidentEvent[]> {
  return app.deps.store.events({ workspace: 'local', number });
}

describe('tiered paging', () => {
  it('pages tier 1 at once, tier 2 when nobody answers, and stops when the paged person reacts ✅', async () => {
    app = await testApp(PAGING);
    const declared = await declareAsCarol();
    expect(dmTo(declared, 'alice')).toHaveLength(1);
    expect(declared).toMatch(/Paging @alice \(tier 1 of 3, round 1\)/);
    expect(declared).toMatch(/Paging +waiting on @alice; next tier 2025-12-26 09:05/);

    expect(dmTo(text(await app.advance(4 * MIN)), 'dave')).toHaveLength(0);
    const tier2 = text(await app.advance(1 * MIN));
    const daveDms = dmTo(tier2, 'dave');
    expect(daveDms).toHaveLength(1);
    const [daveDm] = daveDms;
    expect(tier2).toMatch(/Paging @dave \(tier 2 of 3/);

    await app.type('/as @erin');
    expect(text(await app.type(`/react ${daveDm} ✅`))).toContain('Only the person this page was sent to can acknowledge it.');
    expect((await events()).filter((e) => e.type === 'acknowledged')).toHaveLength(0);

    await app.type('/as @dave');
    app.clock.advance(2 * MIN);
    const acked = text(await app.type(`/react ${daveDm} white_check_mark`));
    expect(acked).toContain('Acknowledged INC-1. Escalation stopped.');
    expect(acked).toMatch(/@dave acknowledged INC-1, 7 min after the first page\. Escalation stopped\./);
    expect(acked).toMatch(/Paging: waiting on .* → acknowledged by @dave, 7 min after the first page/);

    expect(dmTo(text(await app.advance(60 * MIN)), 'manager')).toHaveLength(0);
    expect(await app.scheduler.pendingSteps('local', 1)).toEqual([]);
    const types = (await events()).map((e) => e.type).filter((t) => t === 'paged' || t === 'acknowledged');
    expect(types).toEqual(['paged', 'paged', 'acknowledged']);
  });

  it('announces in the channel when every tier was paged and nobody answered', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.advance(5 * MIN);
    await app.advance(10 * MIN);
    const out = text(await app.advance(15 * MIN));
    expect(dmTo(out, 'manager')).toHaveLength(0);
    expect(out).toContain('Nobody acknowledged INC-1 after 3 policy steps.');
    // "Nobody acknowledged" is only true if everybody was told: one page DM each.
    for (const user of ['alice', 'dave', 'manager']) expect(dmTo(text(app.output), user), user).toHaveLength(1);
  });

  it('lets only someone paged acknowledge with /incident ack, and changes nothing otherwise', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.type('/as @zoe');
    const before = (await events()).length;
    expect(text(await app.type('/incident ack'))).toContain('Only people paged for INC-1 can acknowledge it; waiting on: @alice.');
    expect((await events()).length).toBe(before);
    await app.type('/as @alice');
    expect(text(await app.type('/incident ack'))).toContain('Acknowledged INC-1.');
    expect(text(await app.type('/incident ack'))).toContain('You already acknowledged INC-1.');
  });

  it('stops escalating when the incident is resolved', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.type('/incident resolve false alarm');
    expect(await app.scheduler.pendingSteps('local', 1)).toEqual([]);
    const later = text(await app.advance(60 * MIN));
    expect(dmTo(later, 'dave')).toEqual([]);
  });

  it('keeps the policy it started with when the config changes mid-incident', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const changed = parseConfig({ ...PAGING, policies: [{ id: 'default', tiers: [{ targets: [{ user: 'zed' }], delay: '1m' }] }] });
    if (!changed.ok) throw new Error(changed.problems.join());
    app.deps.config = { ...changed.config, postmortems: app.deps.config.postmortems };
    const out = text(await app.advance(5 * MIN));
    expect(dmTo(out, 'dave')).toHaveLength(1);
    expect(dmTo(out, 'zed')).toHaveLength(0);
  });
});

describe('exactly once in effect', () => {
  it('a step job that runs twice at once pages once', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const [pending] = await app.scheduler.pendingSteps('local', 1);
    expect(pending).toMatchObject({ step: 1, generation: 1 });
    app.clock.advance(5 * MIN);
    const ref = { workspace: 'local', number: 1, generation: 1, step: 1 };
    const from = app.output.length;
    await Promise.all([runStep(app.deps, ref), runStep(app.deps, ref), runStep(app.deps, ref)]);
    await drained(app);
    expect(dmTo(text(app.output.slice(from)), 'dave')).toHaveLength(1);
    expect((await events()).filter((e) => e.type === 'paged' && e.step === 1)).toHaveLength(1);
  });
  // A step racing an acknowledgement, in several interleavings: escalation-race.test.ts.
});

describe('pages by hand, escalate, and a misbehaving platform', () => {
  it('pages a person by hand with a message, and they can acknowledge', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const out = text(await app.type('/incident page @frank the primary DB is read-only'));
    expect(dmTo(out, 'frank')).toHaveLength(1);
    expect(out).toContain('From @carol: the primary DB is read-only');
    await app.type('/as @frank');
    expect(text(await app.type('/incident ack'))).toContain('Acknowledged INC-1.');
  });

  it('has Acknowledge and Escalate buttons on the page DM; only the paged person can use Acknowledge', async () => {
    app = await testApp(PAGING);
    const out = await declareAsCarol();
    const [aliceDm] = dmTo(out, 'alice');
    expect(out).toContain('[ Acknowledge ] [ Escalate ]');
    expect(text(await app.type(`/press ${aliceDm} ack`))).toContain('Only people paged for INC-1 can acknowledge it');
    await app.type('/as @alice');
    const escalated = text(await app.type(`/press ${aliceDm} escalate`));
    expect(dmTo(escalated, 'dave')).toHaveLength(1);
    expect(text(await app.type(`/press ${aliceDm} Acknowledge`))).toContain('Acknowledged INC-1.');
  });

  it('/incident escalate pages the next tier now', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const out = text(await app.type('/incident escalate'));
    expect(dmTo(out, 'dave')).toHaveLength(1);
    expect(dmTo(text(await app.advance(5 * MIN)), 'dave')).toHaveLength(0);
    expect(dmTo(text(await app.advance(10 * MIN)), 'manager')).toHaveLength(1);
  });

  it('delays a page through 429s and 5xx and still delivers it once', async () => {
    app = await testApp(PAGING);
    const realDm = app.chat.dm.bind(app.chat);
    const failures = [
      new PlatformError('ratelimited', 'rate_limited', 50),
      new PlatformError('ratelimited', 'rate_limited', 50),
      new PlatformError('internal_error', 'transient'),
    ];
    let calls = 0;
    app.chat.dm = async (ws, user, message) => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return realDm(ws, user, message);
    };
    await declareAsCarol();
    // Retries wait as delayed jobs (Retry-After, backoff), which settle() does not wait for:
    // drained() does, so a late duplicate would be counted below.
    await until("alice's page DM", () => dmTo(text(app.output), 'alice').length > 0);
    await drained(app);
    expect(calls).toBe(4);
    expect(dmTo(text(app.output), 'alice')).toHaveLength(1);
  });
});

describe('failures on the way', () => {
  it('retries a step whose page could not be queued, and pages once', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const realSend = app.scheduler.send.bind(app.scheduler);
    let refused = 0;
    app.scheduler.send = async (job) => {
      if (job.page && job.target === 'dave' && refused++ === 0) throw new Error('redis blip');
      return realSend(job);
    };
    await app.advance(5 * MIN);
    // The relay retries the refused entry; it may take ~10 s to notice a new workspace (see relay.ts).
    await until("dave's page DM", () => dmTo(text(app.output), 'dave').length > 0, 15_000);
    await drained(app);
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(dmTo(text(app.output), 'dave')).toHaveLength(1);
    expect((await events()).filter((e) => e.type === 'paged' && e.step === 1)).toHaveLength(1);
  });

  it('says so when the postmortem draft cannot be written, and the close still holds', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.type('/incident resolve fixed');
    app.deps.postmortems = { write: () => Promise.reject(new Error('disk full')) };
    const out = text(await app.type('/incident close'));
    expect(out).toMatch(/INC-1 is closed, but its postmortem draft could not be written \(ref [0-9a-f]{8}\)/);
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.status).toBe('closed');
  });

  it('refuses an acknowledgement once the incident is resolved', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.type('/incident resolve fixed');
    await app.type('/as @alice');
    expect(text(await app.type('/incident ack'))).toContain('INC-1 is resolved; it cannot become acknowledged.');
  });

  it('shows paging again in the summary when someone escalates after an ack', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.type('/as @alice');
    await app.type('/incident ack');
    const out = text(await app.type('/incident escalate'));
    expect(out).toMatch(/Paging: acknowledged by @alice.* → /);
    expect(out).toMatch(/→ waiting on @dave; next tier 2025-12-26 09:10/);
  });
});

describe('channel posts when the platform fails', () => {
  it('moves a post that hit a 5xx to the outbound queue, which delivers it', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    const realPost = app.chat.post.bind(app.chat);
    let failed = 0;
    app.chat.post = async (ws, channel, message) => {
      if (message.text.includes('set the status') && failed++ === 0) throw new PlatformError('internal_error', 'transient');
      return realPost(ws, channel, message);
    };
    await app.type('/incident status identified bad deploy');
    await until('the status post', () => text(app.output).includes('set the status to identified'));
    await drained(app);
    expect(failed).toBe(2);
    expect(text(app.output).match(/set the status to identified/g)).toHaveLength(1);
    expect(app.log.lines.some((l) => l.msg === 'message queued for retry')).toBe(true);
  });
});

describe('on call', () => {
  it('says who is on call now and next, and honours a cover', async () => {
    app = await testApp(PAGING);
    const now = text(await app.type('/incident oncall'));
    expect(now).toMatch(/now: @alice until 2025-12-29 09:00/);
    expect(now).toMatch(/then: @bob from 2025-12-29 09:00 until 2026-01-05 09:00/);
    const covered = text(await app.type('/incident cover @bob 2h'));
    expect(covered).toContain('@bob covers `backend` until 2025-12-26 11:00.');
    expect(text(await app.type('/incident oncall backend'))).toMatch(/now: @bob until 2025-12-26 11:00/);
    expect(text(await app.type('/incident oncall backend --at +3h'))).toMatch(/now: @alice until 2025-12-29 09:00/);
  });

  it('pages the service team of the incident for a serviceTeam tier, and dry-runs it per service', async () => {
    app = await testApp({
      ...PAGING,
      services: [{ id: 'checkout', team: ['dave', 'erin'] }, { id: 'search' }],
      policies: [{ id: 'default', tiers: [{ targets: [{ serviceTeam: true }, { user: 'manager' }], delay: '5m' }] }],
    });
    await app.type('/as @carol');
    const out = text(await app.type('/incident declare Cart errors --sev P2 --service checkout'));
    expect(dmTo(out, 'dave')).toHaveLength(1);
    expect(dmTo(out, 'erin')).toHaveLength(1);
    expect(dmTo(out, 'manager')).toHaveLength(1);
    const dry = text(await app.type('/incident policy P2 --service search'));
    expect(dry).toMatch(/tier 1, round 1: @manager \(direct\), nobody on call in service team/);
  });

  it('dry-runs a policy from the rotations as they stand', async () => {
    app = await testApp(PAGING);
    const out = text(await app.type('/incident policy P1'));
    expect(out).toMatch(/T\+0 \(2025-12-26 09:00\) tier 1, round 1: @alice \(rotation backend\)/);
    expect(out).toMatch(/T\+5 min \(2025-12-26 09:05\) tier 2, round 1: @dave \(direct\)/);
    expect(out).toMatch(/T\+15 min \(2025-12-26 09:15\) tier 3, round 1: @manager/);
    expect(text(await app.type('/incident policy nope'))).toContain('No policy or severity `nope`.');
  });
});

describe('the postmortem', () => {
  it('shows the time to acknowledge in its overview', async () => {
    app = await testApp(PAGING);
    await declareAsCarol();
    await app.advance(5 * MIN);
    app.clock.advance(2 * MIN);
    await app.type('/as @dave');
    await app.type('/incident ack');
    // Resolving and closing are the commander's (carol, who declared).
    await app.type('/as @carol');
    await app.type('/incident resolve fixed');
    const out = text(await app.type('/incident close'));
    const path = /Postmortem draft: (\S+\.md)/.exec(out)?.[1];
    const pm = await readFile(path!, 'utf8');
    expect(pm).toContain('| Time to acknowledge (MTTA) | 7 min (first page 09:00, acknowledged 09:07 by dave) |');
    expect(pm).toMatch(/paged alice \(tier 1\)/);
    expect(pm).toMatch(/acknowledged \(7 min after the first page\)/);
  });
});
