import { backgroundRuns } from '../app/record.js';
import type { Logger } from '../core/ports.js';

/**
 * The pieces of a clean stop (src/main.ts): the signal that starts it, and the steps that run in
 * order whatever the one before met, since Redis may be the very thing that is failing. Nothing
 * queued is lost by stopping: timers and messages live in Redis, effects in the outbox.
 */

/** Resolves on the first SIGINT or SIGTERM; `off` removes the listeners. */
export function onShutdownSignal(): { signalled: Promise<NodeJS.Signals>; off(): void } {
  let off = (): void => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    const handler = (signal: NodeJS.Signals): void => resolve(signal);
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    off = () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  });
  return { signalled, off: () => off() };
}

/** Waits (up to `timeoutMs`) for effects running in the background (a step's pages); any left over stay in the outbox. */
export async function backgroundEffects(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (backgroundRuns() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Runs each step in order; a failed one is logged and the next runs anyway. */
export async function stopInOrder(log: Logger, steps: readonly [string, () => Promise<unknown>][]): Promise<void> {
  for (const [what, work] of steps) {
    await work().catch((err: Error) => log.error({ what, err: err.message }, 'shutdown step failed'));
  }
}
