import type { Incident } from '../core/model.js';
import { decideReviewReminder, nextReviewReminderAt, pendingReviewReminders } from '../core/postmortem-review.js';
import type { StepRef } from '../core/ports.js';
import type { Deps } from './context.js';
import { arm } from './guidance.js';
import { OVERDUE_MS } from './rearm.js';
import { record } from './record.js';

/**
 * The timers of the 48-hour rule (src/core/postmortem-review.ts): the review reminders 24 h and
 * 48 h after a resolve, as step jobs of their own kind on the escalation queue
 * (`rem-<ws>-<n>-p<due seconds>`, job-ids.ts), armed by the resolve's outbox entry. Each run
 * re-reads the incident and records at most one `postmortem_reminded` by compare-and-set, so a
 * timer that runs twice, late, or after a restart reminds once; a timer of a resolve that a
 * reopen undid, or one that finds the postmortem reviewed, does nothing.
 */

/**
 * How many incidents awaiting their review the sweep re-arms per workspace and minute, soonest
 * first. The set holds only those resolved within about two days and not reviewed; the bound
 * keeps a runaway set from stalling the sweep.
 */
export const AWAITING_SWEEP_LIMIT = 1_000;

/** The review reminders the incident still waits for, as step timers. */
export function reviewTimers(inc: Incident, now: Date): { ref: StepRef; dueAt: string }[] {
  return pendingReviewReminders(inc, now).map(({ at }) => ({
    ref: { workspace: inc.workspace, number: inc.number, generation: 0, step: Math.floor(at.getTime() / 1000), kind: 'postmortem_due' },
    dueAt: at.toISOString(),
  }));
}

/**
 * The `schedule_review_reminders` effect of a resolve, a reminder sent, a review, a reopen:
 * arms the reminders still due (idempotent by job id) and writes the incident's entry in the set
 * of incidents awaiting review as the incident is now (idempotent: a late or repeated run writes
 * the same, an earlier state never wins because the incident is read fresh).
 */
export async function armReviewReminders(deps: Deps, inc: Incident): Promise<void> {
  const now = deps.clock.now();
  for (const timer of reviewTimers(inc, now)) await arm(deps, timer);
  await syncReviewWait(deps, inc, now);
}

/** The incident's entry in the set: its next reminder's due time, or none once it waits for no reminder. */
export async function syncReviewWait(deps: Deps, inc: Incident, now: Date): Promise<void> {
  const index = deps.postmortemIndex;
  if (!index) return;
  const next = nextReviewReminderAt(inc, now);
  if (next) await index.awaiting(inc.workspace, inc.number, next.getTime());
  else await index.notAwaiting(inc.workspace, inc.number);
}

/** A review reminder's timer ran. */
export async function runReviewReminder(deps: Deps, ref: StepRef): Promise<void> {
  const key = { workspace: ref.workspace, number: ref.number };
  const current = await deps.store.get(key);
  if (!current) return;
  const now = deps.clock.now();
  const { after, events } = await record(deps, key, (inc) => decideReviewReminder(inc, ref.step, now), { current, background: deps.stepEffectsInBackground ?? false });
  if (events.length) deps.log.info({ incidentId: after.ref, workspace: ref.workspace, step: ref.step }, 'postmortem review reminder sent');
}

/**
 * The sweep (rearm.ts) for one incident: its review reminders are armed again (a failed job
 * replaced); one that fell due more than a minute ago (the bot was down, its queue lost) runs now.
 */
export async function rearmReviewReminders(deps: Deps, inc: Incident, nowMs: number): Promise<void> {
  for (const timer of reviewTimers(inc, new Date(nowMs))) {
    if (nowMs - Date.parse(timer.dueAt) > OVERDUE_MS) await runReviewReminder(deps, timer.ref);
    else await arm(deps, timer, { replaceFailed: true });
  }
}

/**
 * The sweep's part for the 48-hour rule: the incidents of the workspace awaiting their review,
 * read from their set (resolved and closed alike; never a scan of the workspace's incidents),
 * have their reminders re-armed or run when overdue. An entry that waits for nothing any more
 * (the incident is gone, reviewed, or its reminders went stale while the bot was down) leaves the set.
 */
export async function rearmAwaitingReviews(deps: Deps, workspace: string, nowMs: number): Promise<void> {
  const index = deps.postmortemIndex;
  if (!index) return;
  for (const { number } of await index.awaitingReview(workspace, AWAITING_SWEEP_LIMIT)) {
    const inc = await deps.store.get({ workspace, number });
    if (inc) await rearmReviewReminders(deps, inc, nowMs);
    if (!inc || reviewTimers(inc, new Date(nowMs)).length === 0) await index.notAwaiting(workspace, number);
  }
}
