import type { FollowupRef, FollowupTimers } from '../core/followups.js';
import { TimerQueue, startTimerWorker, type TimerQueueOptions, type TimerWorker, type TimerWorkerOptions } from './timer-queue.js';
import { encodePart } from './job-ids.js';

/**
 * Follow-up timers on BullMQ (issue 12): one delayed job per reminder of an action item, and one
 * per weekly digest of a workspace, on the `followups` queue with its own worker, as the handoff
 * queue does (handoff.ts). The job id is the reminder (workspace, incident, item, kind, time) or
 * the digest's week, so arming it again (the start-up sweep, the next change of the incident) is
 * a no-op while the job waits and for two weeks after it ran: longer than the weekly cadence, so
 * the sweep's catch-up of the latest reminder never sends one twice.
 */

export const FOLLOWUPS_QUEUE = 'followups';

/** `fu-<ws>-<n>-<item>-<kind>-<ms>` or `fu-<ws>-digest-<ms>`: parts encoded as job-ids.ts does. */
export function followupJobId(ref: FollowupRef): string {
  const at = Date.parse(ref.at);
  if (!Number.isSafeInteger(at)) throw new RangeError(`follow-up time ${JSON.stringify(ref.at)} is not a time`);
  if (ref.kind === 'digest') return `fu-${encodePart(ref.workspace)}-digest-${at}`;
  if (!Number.isSafeInteger(ref.number) || ref.number < 0) throw new RangeError(`incident number ${ref.number} is not one`);
  return `fu-${encodePart(ref.workspace)}-${ref.number}-${encodePart(ref.itemId)}-${ref.kind}-${at}`;
}

export type FollowupQueueOptions = TimerQueueOptions;

export class FollowupQueue extends TimerQueue<FollowupRef> implements FollowupTimers {
  constructor(options: FollowupQueueOptions) {
    super(FOLLOWUPS_QUEUE, options);
  }

  async arm(ref: FollowupRef, delayMs: number): Promise<void> {
    const data: FollowupRef = { ...ref, at: new Date(Date.parse(ref.at)).toISOString() };
    await this.add(data.kind, data, followupJobId(data), delayMs, 14);
  }

  async armed(ref: FollowupRef): Promise<boolean> {
    const state = await this.queue.getJobState(followupJobId(ref));
    return state !== 'unknown' && state !== 'failed';
  }
}

export type FollowupWorkerOptions = TimerWorkerOptions<FollowupRef>;

/** The worker of the `followups` queue. A run is idempotent (its messages have deterministic ids), so a stalled job simply runs again. */
export function startFollowupWorker(o: FollowupWorkerOptions): TimerWorker {
  return startTimerWorker(FOLLOWUPS_QUEUE, 'follow-up', o);
}
