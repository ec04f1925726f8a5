import type { PolicySnapshot } from './escalation.js';
import type { AlertLink } from './alerts/types.js';
import type { ActionItem, Actor, ActiveStatus, ChecklistStep, LessonKind, NoticeAudience, Role } from './model.js';

/**
 * Timeline events: the record of an incident. Each one says who did what and when; the incident's
 * state, its postmortem and its metrics are all folds over these.
 */
export type EventBody =
  | {
      type: 'declared';
      title: string;
      summary: string;
      service?: string;
      severity: string;
      private: boolean;
      /** Opened by an alert group of a source (src/app/alerts.ts): re-sends of its alerts come back to it. */
      alert?: { source: string; groupKey: string; autoResolve: boolean };
      /** Triage (a route's `action: page`): people are paged, the channel opens when someone presses Declare. */
      triage?: true;
      /** When the impact began (the earliest alert's startsAt), for the postmortem's time to detect. */
      detectedAt?: string;
      /** A drill (`/incident drill`): its scenario; `dry` pages only whoever started it. */
      drill?: { scenario: string; dry?: true };
    }
  /** An alert of the incident's group started firing (or fired again after it had resolved). */
  | { type: 'alert_fired'; fingerprint: string; summary: string; description?: string; labels: Record<string, string>; links: AlertLink[]; startsAt?: string; folded?: string }
  /** An alert of the group resolved; `quiet` when the source went quiet for resolveAfterQuiet. */
  | { type: 'alert_resolved'; fingerprint: string; summary: string; endsAt?: string; quiet?: true }
  /** Someone pressed Declare on a triage page: the incident gets its channel. */
  | { type: 'triage_declared' }
  | { type: 'channel_created'; channelId: string; channelName: string }
  | { type: 'summary_posted'; messageId: string }
  | { type: 'severity_changed'; from: string; to: string; reason?: string }
  | { type: 'status_changed'; from: ActiveStatus; to: ActiveStatus; message?: string }
  | { type: 'role_assigned'; role: Role; user: Actor; previous?: Actor }
  | { type: 'note_added'; text: string }
  | { type: 'message_posted'; channelId: string; messageId: string; text: string }
  | { type: 'message_edited'; channelId: string; messageId: string; text: string }
  | { type: 'message_deleted'; channelId: string; messageId: string }
  /** Someone marked a message as a key moment (📌 reaction or a pin). */
  | { type: 'key_event'; channelId: string; messageId: string; text: string }
  /** `item.dueAt` only for a typed `--due` date; a horizon's due date comes with the resolve (followups.ts). */
  | { type: 'action_added'; item: Omit<ActionItem, 'status' | 'createdAt' | 'completedAt'> }
  | { type: 'action_completed'; id: string }
  /** `stillFiring`: alerts of the incident's group that had not resolved when it was resolved. */
  | { type: 'resolved'; summary?: string; stillFiring?: number }
  | { type: 'cancelled'; reason?: string }
  | { type: 'closed' }
  | { type: 'postmortem_written'; path: string }
  | { type: 'escalation_started'; policyId: string; snapshot: PolicySnapshot; generation: number }
  | {
      type: 'paged';
      users: Actor[];
      generation: number;
      /** Policy step, or -1 for a page sent by hand with /incident page. */
      step: number;
      tier?: number;
      round?: number;
      /** Rotations that had nobody on call. */
      uncovered?: string[];
      message?: string;
      next?: { step: number; at: string };
    }
  /**
   * `stoodDown`: the other open policy pages this acknowledgement ended (their DMs are not sent, or
   * told to stand down). `own`: the person answered only pages by hand that neither the
   * commander, the declarer nor an admin sent: those pages are acknowledged, the incident is not,
   * and the policy goes on.
   */
  | { type: 'acknowledged'; generation: number; ttaMs: number; stoodDown?: string[]; own?: true }
  /** A page DM reached its person; `channelId`/`messageId` name the DM, so reactions on it count. */
  | { type: 'page_sent'; pageId: string; channelId: string; messageId: string }
  /** The platform refused a page DM for good (unknown user, DMs closed): nobody was told. */
  | { type: 'page_failed'; pageId: string; user: Actor; reason: string }
  /**
   * The policy runs again from `step`: by hand (`/incident escalate`), or on its own when an
   * acknowledged incident outlived the policy's ackTimeout (`reason: 'ack_timeout'`).
   */
  | { type: 'escalated'; generation: number; step: number; reason?: 'ack_timeout' }
  | { type: 'escalation_exhausted'; generation: number }
  /** Opening the incident's channel failed; the bot keeps trying. */
  | { type: 'channel_failed'; reason: string }
  /** A status update for everyone following (`/incident update`): posted in the channel and announced; resets the update clock. */
  | { type: 'update_posted'; text: string }
  /** The update was due at `dueAt` and nobody had posted one: the commander (and comms) were reminded in the channel. */
  | { type: 'update_reminded'; dueAt: string }
  /** Someone pressed Snooze on a reminder: no reminder before `until`. */
  | { type: 'update_snoozed'; until: string; minutes: number }
  /** A resolved incident is back to investigating; `page`: its policy pages again from the first tier. */
  | { type: 'reopened'; reason?: string; page?: true }
  /** P1/P2 ten minutes after declare with these roles still nobody's: the commander was reminded, once. */
  | { type: 'roles_reminded'; missing: Role[] }
  /** A step of the response checklist ticked by hand, with why. */
  | { type: 'checklist_ticked'; step: ChecklistStep; reason: string }
  /** The response checklist message was posted in the channel (and pinned). */
  | { type: 'checklist_posted'; messageId: string }
  /** A stakeholder notice was posted to its audience's channel. */
  | { type: 'notice_posted'; audience: NoticeAudience; text: string }
  /** A drill's scenario posted its symptom number `index` (drills.ts). */
  | { type: 'drill_symptom'; index: number }
  // issue 12: capture during the incident (capture.ts)
  /** Why number `n` (1–5) of the five whys, as typed; `rewrite` when it replaced an earlier answer. */
  | { type: 'why_recorded'; n: number; text: string; rewrite?: true }
  /** The direct cause, or with `underlying` the underlying one; a later one replaces it. */
  | { type: 'cause_recorded'; text: string; underlying?: true }
  /** Impact figures; a key recorded again replaces its earlier value. */
  | { type: 'impact_recorded'; values: Record<string, number | string> }
  /** A lesson: by command (good, bad, lucky), or a message marked 💡 (unsorted, with its id and who wrote it). */
  | { type: 'lesson_recorded'; kind: LessonKind; text: string; messageId?: string; author?: Actor }
  /** The incident's summary, as `/incident summary` set it. */
  | { type: 'summary_set'; text: string }
  // issue 12: follow-ups
  /** The first close of an incident without action items asked the commander whether that is deliberate (asked once). */
  | { type: 'followups_asked' }
  // issue 12: the 48-hour rule (postmortem-review.ts)
  /** The postmortem was not reviewed `hours` after the resolve: the commander was reminded. */
  | { type: 'postmortem_reminded'; hours: 24 | 48 }
  /** `/incident postmortem done [@reviewers]`: the postmortem review took place, with these people. */
  | { type: 'postmortem_reviewed'; reviewers: Actor[] };

export type EventType = EventBody['type'];

export type IncidentEvent = EventBody & {
  /** ISO-8601 time the thing happened (a chat message keeps its original time). */
  at: string;
  actor: Actor;
};

/** Bookkeeping events that carry ids for the bot, not facts for people reading the timeline. */
export const BOOKKEEPING_EVENTS: ReadonlySet<EventType> = new Set(['channel_created', 'summary_posted', 'postmortem_written', 'page_sent', 'checklist_posted']);

export function event<B extends EventBody>(body: B, actor: Actor, at: Date): B & { at: string; actor: Actor } {
  return { ...body, at: at.toISOString(), actor };
}
