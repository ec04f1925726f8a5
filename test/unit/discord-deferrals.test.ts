import { describe, expect, it } from 'vitest';
import { Deferrals } from '../../src/adapters/discord/deferrals.js';

/** src/adapters/discord/deferrals.ts: a command's work waits for the deferrals under way, not longer than its bound. */

/** A deferral that settles when the test says so. */
function pending() {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  return { done, settle };
}

describe('Deferrals', () => {
  it('lets the work start once every deferral under way is in', async () => {
    const d = new Deferrals();
    const first = pending();
    const second = pending();
    const order: string[] = [];
    void d.run(() => first.done).then(() => order.push('first deferred'));
    void d.run(() => second.done).then(() => order.push('second deferred'));
    const work = d.quiet(60_000).then(() => order.push('work'));
    first.settle();
    // A few turns of the event loop: the work would have started by now if it did not wait.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first deferred']);
    second.settle();
    await work;
    expect(order).toEqual(['first deferred', 'second deferred', 'work']);
  });

  it('does not wait when nothing is under way, and a failed deferral counts as settled', async () => {
    const d = new Deferrals();
    await expect(d.run(() => Promise.reject(new Error('40060')))).rejects.toThrow('40060');
    const started = performance.now();
    await d.quiet(60_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('starts the work after its bound when a deferral hangs', async () => {
    const d = new Deferrals();
    void d.run(() => new Promise<never>(() => undefined));
    const started = performance.now();
    await d.quiet(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
