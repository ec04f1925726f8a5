import type { Client } from 'discord.js';

/**
 * Deferrals first, work after. Discord drops an interaction not answered within 3 s, and a burst
 * of them (50 people declaring at once, a storm of page buttons) arrives on one event loop: when
 * the first ones' work (Redis, channel creation, posts) starts as soon as their own deferral is in,
 * it competes with sending the later deferrals, and those wait behind it. So an interaction's work
 * waits until no deferral of the same client is under way, checked again after the I/O already
 * received has been handled (interactions still being read off the gateway socket). The wait is
 * bounded, so a steady stream of interactions never starves the work; the work itself is paced by
 * REST anyway (Discord's 50 requests/s), so starting it a few milliseconds later costs nothing.
 */

/** Longest a command's work waits for other deferrals. */
const MAX_WAIT_MS = 500;

export class Deferrals {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  /** Runs one deferral, counted as under way until it settles. */
  async run<T>(deferral: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await deferral();
    } finally {
      if (--this.inFlight === 0) this.wake();
    }
  }

  /** Resolves once no deferral is under way (after the pending I/O has run), or after MAX_WAIT_MS. */
  async quiet(maxWaitMs = MAX_WAIT_MS): Promise<void> {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const left = deadline - performance.now();
      if (this.inFlight === 0 || left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const byClient = new WeakMap<Client, Deferrals>();

/** The deferrals of one discord.js client (one bot; tests may run several in a process). */
export function deferralsOf(client: Client): Deferrals {
  let d = byClient.get(client);
  if (!d) byClient.set(client, (d = new Deferrals()));
  return d;
}
