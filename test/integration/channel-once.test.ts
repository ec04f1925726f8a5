import { afterEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, eventsOf, text, until } from '../support/paging.js';

/**
 * The outbox runs an effect again when it fails part-way. Opening the channel is two writes, the
 * platform's and ours: when the platform made the channel and recording it failed (Redis away
 * for a moment), the retry used to make a second channel, `#inc-1-db-down-2`, and the incident
 * lived in that one while people had joined the first (CI: test/e2e/durability.test.ts's Redis
 * restart). The retry now uses the channel it made.
 */

let app: TestApp;
afterEach(async () => {
  await app?.close();
});

describe('a channel made but not recorded', () => {
  it('is used by the retry instead of a second channel being opened', async () => {
    app = await testApp(PAGING);
    let skewMs = 0;
    app.deps.wallMs = () => Date.now() + skewMs;
    const append = app.deps.store.append.bind(app.deps.store);
    let failed = 0;
    app.deps.store.append = async (key, version, events, next, options) => {
      if (failed === 0 && events.some((e) => e.type === 'channel_created')) {
        failed++;
        throw new Error('Connection is closed.');
      }
      return append(key, version, events, next, options);
    };
    await app.type('/as @carol');
    await app.type('/join #general');
    await app.type('/incident declare DB down --sev P1');
    expect(failed).toBe(1);

    skewMs += 6 * MIN;
    await until('the channel to be recorded', async () => (await app.deps.store.get({ workspace: 'local', number: 1 }))?.channelId !== undefined, 15_000);
    await app.settle();
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.channelId).toBe('inc-1-db-down');
    expect(text(app.output)).not.toContain('inc-1-db-down-2');
    expect((await eventsOf(app)).filter((e) => e.type === 'channel_created')).toHaveLength(1);
  });
});
