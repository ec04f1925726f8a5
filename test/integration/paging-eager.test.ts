import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import type { MessageRef, OutboundMessage } from '../../src/core/ports.js';
import { testApp, type TestApp } from '../support/app.js';
import { PAGING, eventsOf, pageDms, text } from '../support/paging.js';

/**
 * The writer's eager try of a page DM (src/app/effects.ts sendEagerly), as src/main.ts runs it:
 * beside the queued job, never instead of it. Whatever the try meets, the person gets the page
 * exactly once.
 */

let app: TestApp;
afterEach(() => app?.close());

/** Counts DM calls to alice and fails the first `failures` of them with `err`. */
function dmsToAlice(failures: number, err: Error): { calls: () => number } {
  const chat = app.chat;
  const real = chat.dm.bind(chat);
  let calls = 0;
  chat.dm = async (ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> => {
    if (userId !== 'alice') return real(ws, userId, message);
    calls++;
    if (calls <= failures) throw err;
    return real(ws, userId, message);
  };
  return { calls: () => calls };
}

async function declare(): Promise<string> {
  await app.type('/as @carol');
  return text(await app.type('/incident declare DB down --sev P1'));
}

describe('eager page DMs', () => {
  it('sends the page once, from the writer, and the queued job finds it sent', async () => {
    app = await testApp(PAGING);
    app.deps.eagerPages = true;
    const alice = dmsToAlice(0, new Error('unused'));
    const out = await declare();
    expect(pageDms(out, 'alice')).toHaveLength(1);
    expect(alice.calls()).toBe(1);
    expect((await eventsOf(app)).filter((e) => e.type === 'page_sent')).toHaveLength(1);
    expect(app.log.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('leaves a page whose eager try failed to the queue, which delivers it once', async () => {
    app = await testApp(PAGING);
    app.deps.eagerPages = true;
    const alice = dmsToAlice(1, new PlatformError('slack answered 503', 'transient'));
    await declare();
    await app.settle();
    expect(alice.calls()).toBe(2);
    // The writer's try is the one that failed; the queue's delivered it.
    expect(app.log.lines.filter((l) => l.msg === 'eager page DM left to the queue')).toHaveLength(1);
    expect(pageDms(text(app.output), 'alice')).toHaveLength(1);
    const sent = (await eventsOf(app)).filter((e) => e.type === 'page_sent');
    expect(sent).toHaveLength(1);
  });

  it('records a refusal for good once, whichever try meets it', async () => {
    app = await testApp(PAGING);
    app.deps.eagerPages = true;
    const alice = dmsToAlice(10, new PlatformError('cannot_dm_user', 'permanent'));
    await declare();
    await app.settle();
    expect((await eventsOf(app)).filter((e) => e.type === 'page_failed')).toHaveLength(1);
    expect(alice.calls()).toBeLessThanOrEqual(2);
  });
});
