import { CHECKLIST_STEPS, type Actor, type Incident } from './model.js';
import { checklistDone } from './checklist.js';
import type { IncidentEvent } from './events.js';
import { incidentTimes, type IncidentTimes } from './metrics.js';
import { withLatestNames } from './names.js';
import { participantsOf, type Participant } from './participants.js';
import { reviewDueAt } from './postmortem-review.js';

/**
 * The postmortem as data (`npm run export -- INC-7`, src/export-cli.ts): the incident as it
 * stands, every event as recorded, and the figures the postmortem shows, computed the same way
 * (metrics.ts incidentTimes, participants.ts, with each person under their latest name as the
 * draft has them). Pure: the figures come from the events, never from the clock.
 */

/** Bumped when a field changes meaning or goes away; added fields keep the version. */
export const EXPORT_FORMAT = 'incident-export/1';

export interface IncidentExport {
  format: typeof EXPORT_FORMAT;
  workspace: string;
  ref: string;
  incident: Incident;
  events: readonly IncidentEvent[];
  figures: ExportFigures;
}

export interface ExportFigures {
  /** Declared, resolved, closed; time to detect, acknowledge (overall and per tier), mitigate, resolve; status durations; severity changes. */
  times: IncidentTimes;
  participants: Participant[];
  actionItems: { total: number; open: number; done: number };
  checklist: { done: number; total: number };
  /** The 48-hour rule: when the review was due, when it took place and with whom. */
  review: {
    dueAt?: string;
    reviewedAt?: string;
    reviewers: Actor[];
    /** Whether the review took place by the deadline; absent until it took place. */
    withinDeadline?: boolean;
    /** Reminders sent after the latest resolve (hours after it). */
    reminded: number[];
  };
  drill: boolean;
}

export function incidentExport(incident: Incident, events: readonly IncidentEvent[]): IncidentExport {
  const named = withLatestNames(events);
  const done = incident.actionItems.filter((a) => a.status === 'done').length;
  const dueAt = reviewDueAt(incident);
  const reviewedAt = incident.postmortemReviewedAt;
  return {
    format: EXPORT_FORMAT,
    workspace: incident.workspace,
    ref: incident.ref,
    incident,
    events,
    figures: {
      times: incidentTimes(named),
      participants: participantsOf(named),
      actionItems: { total: incident.actionItems.length, open: incident.actionItems.length - done, done },
      checklist: { done: checklistDone(incident), total: CHECKLIST_STEPS.length },
      review: {
        ...(dueAt ? { dueAt } : {}),
        ...(reviewedAt ? { reviewedAt } : {}),
        reviewers: incident.postmortemReviewers ?? [],
        ...(reviewedAt && dueAt ? { withinDeadline: Date.parse(reviewedAt) <= Date.parse(dueAt) } : {}),
        reminded: incident.postmortemReminded ?? [],
      },
      drill: Boolean(incident.drill),
    },
  };
}

/** `INC-7`, `inc-7` or `7`: the incident number, or undefined when it is not a reference. */
export function parseIncidentReference(text: string): number | undefined {
  const m = /^(?:inc-)?(\d{1,15})$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The workspace prefixes of the platforms (src/adapters/slack/translate.ts, src/adapters/discord/workspace.ts). */
const PLATFORM_PREFIXES = ['slack', 'discord'] as const;

/**
 * The workspaces `--workspace <id>` may mean, in the order they are tried: the id as given (the
 * stored form, `slack:T0123` or `discord:<guild id>`, or `local`), then, for a bare id (the
 * Slack team id or the Discord guild id as the platform shows it), that id under each
 * platform's prefix. Slack team ids start with `T` and guild ids are numbers, so at most one matches.
 */
export function workspaceCandidates(given: string): string[] {
  const id = given.trim() || 'local';
  if (id === 'local' || id.includes(':')) return [id];
  return [id, ...PLATFORM_PREFIXES.map((p) => `${p}:${id}`)];
}
