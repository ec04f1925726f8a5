import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, allDms, drained, eventsOf, pageDms, text, until } from '../support/paging.js';

/**
 * Regression tests of the review fixed in 1fcb54f, findings 6–8 (1–4 are in
 * paging-review.test.ts). Each one failed on 1d11fa9.
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

/** Lines posted in a channel, as the local workspace printed them. */
const postsIn = (a: TestApp, channel: string) => a.output.filter((l) => l.startsWith(`[#${channel} · `));

/** Channel creation refused (as for a missing scope) until `works` says otherwise; refusals are retried 5 min later (wall time). */
function refuseChannels(a: TestApp) {
  const create = a.chat.createChannel.bind(a.chat);
  const s = { works: false, tries: 0, skewMs: 0 };
  a.chat.createChannel = async (ws, name, o) => {
    s.tries++;
    if (!s.works) throw new PlatformError('missing_scope', 'permanent');
    return create(ws, name, o);
  };
  a.deps.wallMs = () => Date.now() + s.skewMs;
  return s;
}

describe('6. a stand-down DM still on its way', () => {
  it('is not delivered once its person was paged again', async () => {
    const a = (app = await testApp(PAGING));
    const dm = a.chat.dm.bind(a.chat);
    let pagedAgain = false;
    let held = 0;
    a.chat.dm = async (ws, user, message) => {
      // The platform is slow to take the stand-down: it is retried until alice was paged again.
      if (message.text.startsWith('Stand down') && !pagedAgain) {
        held++;
        throw new PlatformError('service_unavailable', 'transient');
      }
      return dm(ws, user, message);
    };
    await declareAsCarol(a);
    const [daves] = pageDms(text(await a.advance(5 * MIN)), 'dave');
    await a.type('/as @dave');
    expect(text(await a.type(`/react ${daves} ✅`))).toContain('Acknowledged INC-1. Escalation stopped.');
    await until('the stand-down to alice to be tried', () => held > 0);
    await a.type('/as @carol');
    await a.type('/join #inc-1-db-down');
    expect(text(await a.type('/incident page @alice the replica needs you after all'))).toContain('Paging @alice');
    pagedAgain = true;
    await drained(a);
    expect(pageDms(text(a.output), 'alice')).toHaveLength(2);
    // She is asked to help: a "stand down" arriving now would tell her the opposite.
    expect(text(a.output)).not.toMatch(/\[DM @alice · m\d+\] bot:\n\s+Stand down/);
  });
});

describe('7. a page DM the outbound queue gave up on', () => {
  it('goes on the timeline and is told in the channel', async () => {
    const a = (app = await testApp(PAGING, undefined, { outboundAttempts: 3 }));
    const dm = a.chat.dm.bind(a.chat);
    let refused = 0;
    a.chat.dm = async (ws, user, message) => {
      if (user === 'alice') {
        refused++;
        throw new PlatformError('service_unavailable', 'transient');
      }
      return dm(ws, user, message);
    };
    await declareAsCarol(a);
    await until('the queue to give up on the page', () => a.log.lines.some((l) => l.msg === 'job failed after its last attempt'));
    expect(refused).toBe(3);
    await until('page_failed on the record', async () => (await eventsOf(a)).some((e) => e.type === 'page_failed'));
    await a.settle();
    await a.type('/join #inc-1-db-down');
    expect(text(await a.type('/incident timeline'))).toMatch(/could not deliver the page to @alice: gave up after repeated failures/);
    expect(text(postsIn(a, 'inc-1-db-down'))).toContain('Could not deliver the page to @alice');
  });
});

describe('8. a channel that kept failing', () => {
  it('is not created once the incident was cancelled, nor announced', async () => {
    const a = (app = await testApp(PAGING));
    const channels = refuseChannels(a);
    expect(await declareAsCarol(a)).toContain('I could not open its channel yet');
    expect(text(await a.type('/incident cancel INC-1 false alarm'))).toContain('Done.');
    channels.works = true;
    channels.skewMs += 6 * MIN;
    await until('the outbox to be empty', async () => (await a.deps.outbox.pending('local')) === 0);
    await a.settle();
    expect(text(a.output)).not.toContain('channel #inc-1-db-down created');
    expect((await a.deps.store.get({ workspace: 'local', number: 1 }))?.channelId).toBeUndefined();
    expect(text(postsIn(a, 'incidents'))).not.toMatch(/INC-1 declared/);
  });

  it('opened late while the incident is active hears every page it missed, once each', async () => {
    const a = (app = await testApp(PAGING));
    const channels = refuseChannels(a);
    await declareAsCarol(a);
    // Tier 2 is paged while there is still no channel to say so in.
    expect(pageDms(text(await a.advance(5 * MIN)), 'dave')).toHaveLength(1);
    channels.works = true;
    channels.skewMs += 6 * MIN;
    await until('the channel to be created', () => text(a.output).includes('channel #inc-1-db-down created'));
    await drained(a);
    const posts = postsIn(a, 'inc-1-db-down');
    expect(posts.filter((l) => l.includes('Paging @alice (tier 1 of 3, round 1)'))).toHaveLength(1);
    expect(posts.filter((l) => l.includes('Paging @dave (tier 2 of 3, round 1)'))).toHaveLength(1);
    expect(allDms(text(a.output), 'dave')).toHaveLength(1);
  });
});
