import type { HandoffRef, HandoffTimers } from '../core/handoff.js';
import { TimerQueue, startTimerWorker, type TimerQueueOptions, type TimerWorker, type TimerWorkerOptions } from './timer-queue.js';
import { encodePart } from './job-ids.js';

/**
 * Handoff timers on BullMQ: one delayed job per rotation boundary per workspace on the `handoff`
 * queue, with its own worker. The job id is the boundary, so arming it again (the start-up
 * sweep, a cover, the job before it) is a no-op while the job waits and for a week after it ran.
 */

export const HANDOFF_QUEUE = 'handoff';

/** `handoff-<ws>-<rotation>-<boundary ms>`: parts encoded as job-ids.ts does, so no ':' and no collisions. */
export function handoffJobId(ref: HandoffRef): string {
  const at = Date.parse(ref.at);
  if (!Number.isSafeInteger(at)) throw new RangeError(`handoff time ${JSON.stringify(ref.at)} is not a time`);
  return `handoff-${encodePart(ref.workspace)}-${encodePart(ref.rotationId)}-${at}`;
}

export type HandoffQueueOptions = TimerQueueOptions;

export class HandoffQueue extends TimerQueue<HandoffRef> implements HandoffTimers {
  constructor(options: HandoffQueueOptions) {
    super(HANDOFF_QUEUE, options);
  }

  async arm(ref: HandoffRef, delayMs: number): Promise<void> {
    const data: HandoffRef = { workspace: ref.workspace, rotationId: ref.rotationId, at: new Date(Date.parse(ref.at)).toISOString() };
    await this.add('handoff', data, handoffJobId(data), delayMs, 7);
  }

  async workspaces(): Promise<string[]> {
    return [...new Set((await this.pending()).map((r) => r.workspace))];
  }
}

export type HandoffWorkerOptions = TimerWorkerOptions<HandoffRef>;

/** The worker of the `handoff` queue. A run is idempotent (its DMs have deterministic ids), so a stalled job simply runs again. */
export function startHandoffWorker(o: HandoffWorkerOptions): TimerWorker {
  return startTimerWorker(HANDOFF_QUEUE, 'handoff', o);
}
