/**
 * What the bot keeps about postmortems beside the incidents themselves (issue 12; Redis:
 * src/store/redis-postmortems.ts):
 *
 * - which incidents of a workspace still wait for their review, each with its next reminder's
 *   due time, so the minute sweep (src/app/rearm.ts) re-arms those timers from a set of a few
 *   entries instead of reading the workspace's incidents; an alert-heavy workspace opens
 *   hundreds a day, and none of them pushes a closed incident out of it;
 * - a digest of the draft last posted in each incident's channel, so `/incident postmortem`
 *   does not post the same draft twice.
 *
 * Every write is idempotent: the entries are derived from the incident as it is now
 * (src/app/postmortem-review.ts syncReviewWait) and can be written again at any time.
 */
export interface PostmortemIndex {
  /** Marks the incident as awaiting its review, its next reminder due at `dueMs`; writing again moves it. */
  awaiting(workspace: string, number: number, dueMs: number): Promise<void>;
  /** The incident waits no more (reviewed, reminded for the last time, reopened, cancelled). Idempotent. */
  notAwaiting(workspace: string, number: number): Promise<void>;
  /** The incidents still awaiting their review, soonest reminder first, at most `limit`. */
  awaitingReview(workspace: string, limit: number): Promise<{ number: number; dueMs: number }[]>;
  /** The digest of the draft last posted in the incident's channel (core/draft-post.ts draftDigest), if any. */
  postedDraft(workspace: string, number: number): Promise<string | undefined>;
  /** Remembers the digest of the draft just posted in the incident's channel. */
  draftPosted(workspace: string, number: number, digest: string): Promise<void>;
}
