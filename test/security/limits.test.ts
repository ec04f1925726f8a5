import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * Issue 9, findings 6 and 7: limits on every input. Through the local workspace (real dispatch,
 * Redis and queues): oversized text is refused with an answer that says what to shorten and
 * writes nothing; titles lose what nobody can see; `/incident page` has a size and a rate; failed
 * jobs do not pile up forever.
 */

let app: TestApp;
beforeEach(async () => {
  app = await testApp();
});
afterEach(() => app.close());

const ws = 'local';
const text = (lines: string[]) => lines.join('\n');
const people = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `@u${from + i}`).join(' ');

async function declared(title = 'Checkout down'): Promise<void> {
  await app.type(`/incident declare ${title} --sev P2`);
}

/** Everything the store holds for the workspace: what a refused command must leave unchanged. */
async function snapshot() {
  const all = await app.deps.store.list(ws, { all: true });
  const events = await Promise.all(all.map((i) => app.deps.store.events(i)));
  return { incidents: all.map((i) => [i.ref, i.version, i.status]), events: events.map((e) => e.length) };
}

/** Types the line, expects the answer, and that the store is as it was. Returns what was printed. */
async function refused(line: string, answer: RegExp): Promise<string> {
  const before = await snapshot();
  const out = text(await app.type(line));
  expect(out).toMatch(answer);
  expect(await snapshot()).toEqual(before);
  return out;
}

describe('text is capped at limits.text (4,000 characters) with a clear answer', () => {
  it('refuses a 1 MB note, writing and announcing nothing', async () => {
    await declared();
    const out = await refused(`/incident note ${'x'.repeat(1_000_000)}`, /Too long: a note takes at most 4000 characters \(yours has 1000000\)\./);
    // Only the answer came back: no timeline post, no summary edit carrying the text.
    expect(out.length).toBeLessThan(1000);
  });

  it('refuses a 500 KB resolve summary; the incident stays open', async () => {
    await declared();
    await refused(`/incident resolve ${'fixed '.repeat(85_000)}`, /Too long: a summary takes at most 4000 characters \(yours has 509999\)\./);
    expect((await app.deps.store.get({ workspace: ws, number: 1 }))?.status).toBe('investigating');
  });

  it.each([
    ['a status update', (big: string) => `/incident status identified ${big}`],
    ['a reason', (big: string) => `/incident sev P1 ${big}`],
    ['a reason', (big: string) => `/incident cancel ${big}`],
    ['an action item', (big: string) => `/incident action ${big} --due 1w`],
    ['a message', (big: string) => `/incident page @bob ${big}`],
  ])('refuses %s over the limit (%#)', async (what, line) => {
    await declared();
    await refused(line('y'.repeat(4001)), new RegExp(`Too long: ${what} takes at most 4000 characters \\(yours has 4001\\)`));
  });

  it('refuses a declare --summary over the limit and declares nothing', async () => {
    await refused(`/incident declare Checkout down --summary "${'z'.repeat(5000)}"`, /Too long: a summary takes at most 4000 characters \(yours has 5000\)/);
    expect(await app.deps.store.list(ws, { all: true })).toEqual([]);
  });

  it('keeps a note of exactly the limit whole, and counts an emoji as one character', async () => {
    await declared();
    const note = `${'n'.repeat(3999)}🔥`;
    expect(text(await app.type(`/incident note ${note}`))).toContain('Noted on the timeline of INC-1');
    const events = await app.deps.store.events({ workspace: ws, number: 1 });
    expect(events.filter((e) => e.type === 'note_added').map((e) => e.type === 'note_added' && e.text)).toEqual([note]);
  });

  it('cuts a 1 MB chat message to the limit with a marker instead of refusing it', async () => {
    await declared();
    await app.type(`${'m'.repeat(1_000_000)}`);
    const posted = (await app.deps.store.events({ workspace: ws, number: 1 })).filter((e) => e.type === 'message_posted');
    const stored = posted.map((e) => (e.type === 'message_posted' ? e.text : ''));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toHaveLength(4000);
    expect(stored[0]).toMatch(/^m+… \(cut\)$/);
  });
});

describe('titles are normalized and must keep something visible', () => {
  it('refuses a title of only zero-width and bidi characters, declaring nothing', async () => {
    await refused('/incident declare \u200b\u200c\u200d\u2060\u202e\u2066\u200f', /Nothing visible is left of that title/);
    expect(await app.deps.store.list(ws, { all: true })).toEqual([]);
    expect([...app.chat.channels.keys()].filter((name) => name.startsWith('inc-'))).toEqual([]);
  });

  it('drops a right-to-left override and zero-width characters; the channel is named from what is left', async () => {
    // "Check<ZWSP>out <RLO>nwod" shows as "Checkout down" while saying "nwod".
    const out = text(await app.type('/incident declare Check\u200bout \u202enwod\u202c --sev P2'));
    const incident = await app.deps.store.get({ workspace: ws, number: 1 });
    expect(incident?.title).toBe('Checkout nwod');
    expect(incident?.channelName).toBe('inc-1-checkout-nwod');
    expect(out).not.toMatch(/[\u200b\u202a-\u202e]/);
  });

  it('NFKC-normalizes full-width letters and keeps Korean jamo as typed', async () => {
    await app.type('/incident declare Ｃｈｅｃｋｏｕｔ 결제 장애 ㅠㅠ');
    expect((await app.deps.store.get({ workspace: ws, number: 1 }))?.title).toBe('Checkout 결제 장애 ㅠㅠ');
  });
});

describe('/incident page: at most limits.pageTargets people, at most limits.pagesPerHour by one person', () => {
  const dmLines = (out: string) => out.split('\n').filter((l) => /DM @/.test(l));

  it('refuses 11 targets, naming the limit, and pages nobody', async () => {
    await declared();
    const out = await refused(`/incident page ${people(11)} wake up`, /One page reaches at most 10 people; you named 11\./);
    expect(dmLines(out)).toEqual([]);
  });

  it('pages 10 at once, and someone named twice once', async () => {
    await declared();
    expect(text(await app.type(`/incident page ${people(10)} @u1 wake up`))).toContain('Paging @u1, @u2, @u3, @u4, @u5, @u6, @u7, @u8, @u9, @u10.');
  });

  it('refuses the 31st person paged by hand within an hour by one person; others are not affected; an hour later it works again', async () => {
    await declared();
    for (const from of [1, 11, 21]) expect(text(await app.type(`/incident page ${people(10, from)}`))).toContain('Paging @u');
    await refused('/incident page @u31', /You have paged 30 people by hand in the last hour; one person may page at most 30 an hour, and this page would add 1\./);
    await app.type('/as @bob');
    expect(text(await app.type('/incident page @u31'))).toContain('Paging @u31');
    await app.type('/as @alice');
    app.clock.advance(60 * 60_000 + 1);
    expect(text(await app.type('/incident page @u32'))).toContain('Paging @u32');
  });

  it('spends nothing of the quota on a page the incident refuses', async () => {
    await declared();
    await app.type('/incident resolve fixed');
    await app.type(`/incident page ${people(10)}`);
    await app.type('/join #general');
    await app.type('/incident declare Search down --sev P2');
    for (const from of [1, 11, 21]) expect(text(await app.type(`/incident page ${people(10, from)}`))).toContain('Paging @u');
  });
});

describe('failed jobs are kept up to a count and an age, not forever', () => {
  it('every queued DM and escalation step carries a bounded removeOnFail', async () => {
    await app.close();
    app = await testApp({ policies: [{ id: 'default', tiers: [{ targets: [{ user: 'carol' }] }, { targets: [{ user: 'dave' }] }] }], defaultPolicy: 'default' });
    await declared();
    await app.type('/incident page @bob');
    const prefix = `${app.redis.prefix}{q}`;
    const queues = [QUEUES.outbound, QUEUES.steps].map((name) => new Queue(name, { connection: { url: inject('redisUrl') }, prefix }));
    try {
      for (const queue of queues) {
        const jobs = await queue.getJobs(['completed', 'failed', 'wait', 'delayed', 'active']);
        expect(jobs.length, queue.name).toBeGreaterThan(0);
        for (const job of jobs) {
          // BullMQ trims failed jobs past either bound when another one fails.
          expect(job.opts.removeOnFail, queue.name).toEqual({ count: expect.any(Number), age: expect.any(Number) });
          const kept = job.opts.removeOnFail as { count: number; age: number };
          expect(kept.count).toBeLessThanOrEqual(10_000);
          expect(kept.age).toBeLessThanOrEqual(30 * 86_400);
        }
      }
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  });
});
