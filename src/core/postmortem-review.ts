import { chatTime } from './chat-time.js';
import { formatTime } from './durations.js';
import type { Effect } from './effects.js';
import { IncidentError } from './errors.js';
import { event, type IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { inline } from './markdown.js';
import type { Actor, Incident } from './model.js';
import { BOT } from './projection.js';

/**
 * The 48-hour rule (seed 004 appendix A, docs/response.md): once an incident is resolved, its
 * postmortem is reviewed within 48 hours. The commander is reminded 24 h and 48 h after the
 * resolve until `/incident postmortem done [@reviewers]` records the review. Pure, like
 * lifecycle.ts; the timers that call `decideReviewReminder` are in src/app/postmortem-review.ts.
 */

export const REVIEW_REMINDER_HOURS = [24, 48] as const;
export type ReviewReminderHours = (typeof REVIEW_REMINDER_HOURS)[number];

const HOUR_MS = 3_600_000;
/** How early a reminder's timer may run (clock skew between processes). */
const EARLY_MS = 1_000;
/**
 * A reminder this late is not sent: the bot was down for more than a day, or the incident was
 * resolved before the bot reminded anyone. A burst of stale reminders after an upgrade helps nobody.
 */
export const REVIEW_REMINDER_STALE_MS = 24 * HOUR_MS;

/**
 * Whether the incident is past its resolve and its postmortem still waits for its review. A
 * checklist step `postmortem` ticked by hand (a review recorded another way) counts as one. A
 * drill's review is practice: nobody is chased for it (it may still be recorded).
 */
export function awaitsReview(inc: Incident): boolean {
  if (inc.drill || !inc.resolvedAt) return false;
  return (inc.status === 'resolved' || inc.status === 'closed') && !inc.postmortemReviewedAt && !inc.checklist?.postmortem;
}

/**
 * Whether an event starts, moves or ends the wait for the review: its timers and the workspace's
 * set of incidents awaiting review (src/app/postmortem-review.ts) follow it. A cancel is not one:
 * only an incident still worked on can be cancelled, and that one waits for no review.
 */
export function changesReviewWait(e: IncidentEvent): boolean {
  switch (e.type) {
    case 'resolved':
    case 'reopened':
    case 'postmortem_reminded':
    case 'postmortem_reviewed':
      return true;
    case 'checklist_ticked':
      return e.step === 'postmortem';
    default:
      return false;
  }
}

/** When the next reminder the incident waits for falls due (the score of its entry in the set); none when it waits for none. */
export function nextReviewReminderAt(inc: Incident, now: Date): Date | undefined {
  return pendingReviewReminders(inc, now)[0]?.at;
}

/** When the reminder `hours` after the latest resolve falls due; none once reviewed, reopened or never resolved. */
export function reviewReminderAt(inc: Incident, hours: ReviewReminderHours): Date | undefined {
  if (!awaitsReview(inc) || !inc.resolvedAt) return undefined;
  return new Date(Date.parse(inc.resolvedAt) + hours * HOUR_MS);
}

/** The review deadline: 48 h after the latest resolve. */
export function reviewDueAt(inc: Incident): string | undefined {
  return inc.resolvedAt ? new Date(Date.parse(inc.resolvedAt) + 48 * HOUR_MS).toISOString() : undefined;
}

/**
 * The reminders of the latest resolve not sent yet (and not stale at `now`), soonest first. One
 * earlier than a reminder already sent is moot (after an outage the 48 h one went out alone).
 */
export function pendingReviewReminders(inc: Incident, now: Date): { hours: ReviewReminderHours; at: Date }[] {
  const latestSent = Math.max(0, ...(inc.postmortemReminded ?? []));
  return REVIEW_REMINDER_HOURS.flatMap((hours) => {
    const at = reviewReminderAt(inc, hours);
    if (!at || hours <= latestSent || now.getTime() - at.getTime() > REVIEW_REMINDER_STALE_MS) return [];
    return [{ hours, at }];
  });
}

/**
 * A review reminder's timer ran (`dueSeconds`: the due time it was armed for, in seconds). It
 * reminds when that time is one of the latest resolve's reminders, due, not sent yet, and not
 * overtaken by a later one that is due too (after a long outage only the latest is sent). A timer
 * of an earlier resolve (the incident was reopened since), a re-run or one after the review does nothing.
 */
export function decideReviewReminder(inc: Incident, dueSeconds: number, now: Date): IncidentEvent[] {
  const pending = pendingReviewReminders(inc, now);
  const mine = pending.find((r) => Math.floor(r.at.getTime() / 1000) === dueSeconds);
  if (!mine || mine.at.getTime() > now.getTime() + EARLY_MS) return [];
  if (pending.some((r) => r.hours > mine.hours && r.at.getTime() <= now.getTime() + EARLY_MS)) return [];
  return [event({ type: 'postmortem_reminded', hours: mine.hours }, BOT, now)];
}

/** Refuses a review before the resolve, of a cancelled incident, or a second one. */
export function assertReviewable(inc: Incident): void {
  if (inc.status === 'cancelled') throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
  if (!inc.resolvedAt || (inc.status !== 'resolved' && inc.status !== 'closed')) {
    throw new IncidentError('postmortem_not_resolved', { ref: inc.ref, status: inc.status });
  }
  if (inc.postmortemReviewedAt) {
    const reviewers = (inc.postmortemReviewers ?? []).map((r) => `<@${r.id}>`).join(', ') || '—';
    throw new IncidentError('postmortem_already_reviewed', { ref: inc.ref, reviewers });
  }
}

/** `/incident postmortem done [@reviewers]`: after the resolve, also once the incident is closed. */
export function decidePostmortemReviewed(inc: Incident, reviewers: readonly Actor[], actor: Actor, now: Date): IncidentEvent[] {
  assertReviewable(inc);
  return [event({ type: 'postmortem_reviewed', reviewers: reviewers.length ? [...reviewers] : [actor] }, actor, now)];
}

/** The state after a review event (projection.ts delegates these here). */
export function applyReview(s: Incident, e: IncidentEvent & { type: 'postmortem_reminded' | 'postmortem_reviewed' }): Incident {
  if (e.type === 'postmortem_reminded') return { ...s, postmortemReminded: [...new Set([...(s.postmortemReminded ?? []), e.hours])] };
  return { ...s, postmortemReviewedAt: e.at, postmortemReviewers: e.reviewers };
}

/** A reopened incident's postmortem no longer tells the whole story: its review starts over with the next resolve. */
export function withoutReview<T extends Incident>(s: T): T {
  const { postmortemReviewedAt: _a, postmortemReviewers: _r, postmortemReminded: _m, ...rest } = s;
  return rest as T;
}

/** Who a review reminder speaks to: the commander (the declarer when nobody leads); nobody when that is the bot. */
function commanderOf(inc: Incident): string | undefined {
  const id = inc.roles.commander?.id ?? inc.declaredBy.id;
  return id === BOT.id ? undefined : id;
}

/**
 * What the review events show: a reminder in the incident channel, naming the commander (like
 * the update reminders), or a DM to the commander when the incident has no channel; the review
 * itself in the channel.
 */
export function reviewEffects(after: Incident, e: IncidentEvent, t: Translate, o: { timeZone: string; hasChannel: boolean }): Effect[] {
  if (e.type === 'postmortem_reminded') {
    const commander = commanderOf(after);
    const params = { ref: after.ref, time: chatTime(after.resolvedAt ?? e.at, o.timeZone), due: chatTime(reviewDueAt(after) ?? e.at, o.timeZone) };
    const key = e.hours === 24 ? 'post.postmortem_reminder_24' : 'post.postmortem_reminder_48';
    if (o.hasChannel) return [{ kind: 'post', message: { text: t(key, { ...params, who: commander ? `<@${commander}>` : t('summary.nobody') }) } }];
    if (commander) return [{ kind: 'dm', user: { id: commander, name: commander }, message: { text: t(key, { ...params, who: `<@${commander}>` }) } }];
    return [];
  }
  if (e.type === 'postmortem_reviewed' && o.hasChannel) {
    const reviewers = e.reviewers.map((r) => `<@${r.id}>`).join(', ');
    return [{ kind: 'post', message: { text: t('post.postmortem_reviewed', { actor: e.actor.id, ref: after.ref, reviewers }) } }];
  }
  return [];
}

/** The postmortem's line about its review, once recorded: when (in the file's zone) and by whom. */
export function reviewedLines(incident: Incident, t: Translate, timeZone: string): string[] {
  if (!incident.postmortemReviewedAt) return [];
  const reviewers = (incident.postmortemReviewers ?? []).map((r) => inline(r.name)).join(', ');
  return ['', t('pm.reviewed', { time: formatTime(incident.postmortemReviewedAt, timeZone), reviewers })];
}
