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
  statusHistory: StatusChange[];
  actionItems: ActionItem[];
  participants: Actor[];
  postmortemPath?: string;
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
