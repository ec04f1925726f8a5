import type { AlertLink } from './alerts/types.js';
import type { EscalationState } from './escalation.js';

/**
 * The incident model: what an incident is at any moment. Every field here is a projection of the
 * incident's events (see projection.ts); nothing writes an Incident except `project`.
 */

/** A person (or the bot) as the platform names them. `id` is the platform's user id. */
export interface Actor {
  id: string;
  name: string;
}

export const ACTIVE_STATUSES = ['investigating', 'identified', 'monitoring'] as const;
export const STATUSES = [...ACTIVE_STATUSES, 'resolved', 'closed', 'cancelled'] as const;
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type Status = (typeof STATUSES)[number];

export const ROLES = ['commander', 'comms', 'scribe'] as const;
export type Role = (typeof ROLES)[number];

/** Seed 004's three prevention horizons: within a week, a month, a quarter. */
export const HORIZONS = ['1w', '1m', 'q'] as const;
export type Horizon = (typeof HORIZONS)[number];

/**
 * The response checklist (seed 004 appendix A), in the order the steps happen. Most tick
 * themselves from the timeline (checklist.ts); any can be ticked by hand with a reason.
 */
export const CHECKLIST_STEPS = ['graded', 'paged', 'recording', 'scope', 'notified', 'mitigated', 'verified', 'closed', 'postmortem', 'followups'] as const;
export type ChecklistStep = (typeof CHECKLIST_STEPS)[number];

/** Who a stakeholder notice is for (seeds 001 and 002): people inside the company, or customers. */
export const NOTICE_AUDIENCES = ['internal', 'external'] as const;
export type NoticeAudience = (typeof NOTICE_AUDIENCES)[number];

/** When a checklist step was ticked, by whom, and (ticked by hand) why. */
export interface ChecklistTick {
  at: string;
  by: Actor;
  reason?: string;
}

/** The latest status update (`/incident update`, or a status change with a message). */
export interface LastUpdate {
  text: string;
  at: string;
  by: Actor;
}

export interface SeverityLevel {
  id: string;
  name: string;
  description: string;
  /** How soon someone must be working on it (seed 004 appendix C). */
  responseMinutes: number;
  /** How often the channel expects a status update while the incident is active. */
  updateEveryMinutes: number;
}

export interface ActionItem {
  id: string;
  text: string;
  owner?: Actor;
  horizon: Horizon;
  status: 'open' | 'done';
  createdAt: string;
  // issue 12: follow-ups (followups.ts)
  /** When it is due, ISO: a typed `--due` date, or its horizon counted from the resolve (none before). */
  dueAt?: string;
  /** When it was marked done. */
  completedAt?: string;
  /** The configured zone when it was added: its horizon's due date is counted in it (none: UTC). */
  timeZone?: string;
}

/** What kind of lesson: went well, went badly, got lucky, or marked 💡 and not sorted yet. */
export const LESSON_KINDS = ['good', 'bad', 'lucky', 'unsorted'] as const;
export type LessonKind = (typeof LESSON_KINDS)[number];

export interface Lesson {
  kind: LessonKind;
  text: string;
  by: Actor;
  at: string;
  /** The chat message it came from (a 💡 reaction): each message gives one lesson. */
  messageId?: string;
  /** Who wrote that message, when the timeline knows (`by` is who marked it). */
  author?: Actor;
}

export interface StatusChange {
  status: Status;
  at: string;
}

/**
 * One alert of an incident's group, as its last event left it. Kept small (the state is
 * rewritten on every change): labels and links stay in the alert's events, and on `lead`.
 */
export interface AlertItem {
  fingerprint: string;
  summary: string;
  status: 'firing' | 'resolved';
}

/** The alert that opened the incident, as its page DM and summary show it. */
export interface LeadAlert {
  summary: string;
  labels: Record<string, string>;
  links: AlertLink[];
}

/** The alert group an incident was opened for (src/app/alerts.ts). */
export interface IncidentAlerts {
  source: string;
  groupKey: string;
  autoResolve: boolean;
  items: AlertItem[];
  lead?: LeadAlert;
}

/** Identifies an incident across the store: numbers are per workspace. */
export interface IncidentKey {
  workspace: string;
  number: number;
}

export interface Incident extends IncidentKey {
  /** Human reference, `INC-<number>`. */
  ref: string;
  title: string;
  summary: string;
  service?: string;
  severity: string;
  status: Status;
  private: boolean;
  channelId?: string;
  channelName?: string;
  /** Why the channel could not be opened yet (it is being retried); cleared once it exists. */
  channelError?: string;
  /** The pinned-style summary message kept current in the incident channel. */
  summaryMessageId?: string;
  roles: Partial<Record<Role, Actor>>;
  declaredAt: string;
  declaredBy: Actor;
  resolvedAt?: string;
  closedAt?: string;
  cancelledAt?: string;
  resolution?: string;
  /** Time of the last status update, from which the next one falls due. */
  lastUpdateAt: string;
  /** The last status update itself; absent until someone posts one. */
  lastUpdate?: LastUpdate;
  /** No update reminder before this time (Snooze on a reminder); cleared by the next update. */
  updateSnoozedUntil?: string;
  /** The due time the latest update reminder was for: the next one comes a cadence later. */
  remindedAt?: string;
  /** The one reminder about unassigned roles was sent. */
  rolesReminded?: boolean;
  /** Roles their holder took themselves (Take comms / Take scribe), not handed by the commander. */
  volunteered?: Partial<Record<Role, true>>;
  /** Checklist steps done so far (checklist.ts); absent in incidents recorded before the checklist. */
  checklist?: Partial<Record<ChecklistStep, ChecklistTick>>;
  /** The pinned checklist message in the incident channel. */
  checklistMessageId?: string;
  /** A drill (drills.ts): its scenario, whether it pages only its starter, how many symptoms it posted. */
  drill?: { scenario: string; dry: boolean; symptoms: number };
  /** How many stakeholder notices were posted, by audience. */
  notices?: Partial<Record<NoticeAudience, number>>;
  statusHistory: StatusChange[];
  actionItems: ActionItem[];
  participants: Actor[];
  postmortemPath?: string;
  /** issue 12: the commander was asked, once, whether closing without any follow-up is deliberate. */
  followupsAsked?: true;
  // issue 12: capture during the incident (capture.ts)
  /** The five whys as typed, in order: index 0 is why 1. */
  whys?: string[];
  directCause?: string;
  underlyingCause?: string;
  /** Impact figures (`/incident impact users=1200 revenue=4.2M`): plain numbers kept as numbers. */
  impact?: Record<string, number | string>;
  /** Lessons as recorded: good / bad / lucky by command, unsorted from a 💡 reaction. */
  lessons?: Lesson[];
  // issue 12: the 48-hour rule (postmortem-review.ts); cleared by a reopen
  /** When `/incident postmortem done` recorded the review of the postmortem. */
  postmortemReviewedAt?: string;
  postmortemReviewers?: Actor[];
  /** The review reminders of the latest resolve already sent (24, 48: hours after it). */
  postmortemReminded?: number[];
  /** Present when an alert group opened the incident. */
  alerts?: IncidentAlerts;
  /** Triage: paged from an alert, no channel until someone presses Declare. */
  triage?: boolean;
  /** When the impact began, when an alert said so (its startsAt). */
  detectedAt?: string;
  /** Paging: present once a policy started or someone was paged by hand. */
  escalation?: EscalationState;
  /** Number of events applied; the compare-and-set token of the store. */
  version: number;
}

export function incidentRef(number: number): string {
  return `INC-${number}`;
}

export function isTerminal(status: Status): boolean {
  return status === 'closed' || status === 'cancelled';
}

export function isActive(status: Status): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}
