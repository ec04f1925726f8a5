/**
 * Errors a user caused and can fix. Each code maps to a message in the catalogs (en, ko); the
 * details fill its placeholders. Anything thrown that is not an IncidentError is a bug and is
 * shown as "something went wrong (ref X)".
 */
export type ErrorCode =
  | 'unknown_subcommand'
  | 'missing_argument'
  | 'bad_argument'
  | 'bad_severity'
  | 'bad_status'
  | 'bad_role'
  | 'bad_horizon'
  | 'bad_user'
  | 'unknown_flag'
  | 'unknown_service'
  | 'not_incident_channel'
  | 'incident_not_found'
  | 'illegal_transition'
  | 'same_status'
  | 'same_severity'
  | 'not_resolved'
  | 'incident_finished'
  | 'unknown_action_item'
  | 'action_already_done'
  | 'not_paged'
  | 'already_acknowledged'
  | 'no_policy'
  | 'nothing_to_escalate'
  | 'unknown_rotation'
  | 'unknown_policy'
  | 'bad_duration'
  | 'bad_time'
  | 'nobody_on_call'
  | 'not_allowed'
  | 'cover_too_long'
  | 'cover_not_member'
  | 'cover_outsider'
  | 'cover_limit'
  | 'unknown_user'
  | 'too_long'
  | 'too_many_targets'
  | 'page_rate'
  | 'invisible_title'
  | 'triage_already'
  | 'not_active_update'
  | 'reopen_not_resolved'
  | 'role_taken'
  | 'checklist_already'
  | 'bad_checklist_step'
  | 'unknown_scenario'
  | 'bad_audience'
  | 'notice_no_channel'
  | 'notice_changed'
  // issue 12: capture during the incident (capture.ts)
  | 'whys_full'
  | 'bad_why_number'
  | 'bad_impact'
  | 'impact_not_number'
  | 'impact_too_many'
  | 'bad_lesson_kind'
  // issue 12: stats
  | 'bad_since'
  // issue 12: durations (declare --started)
  | 'bad_started'
  | 'started_in_future'
  | 'started_too_early'
  // issue 12: follow-ups
  | 'due_in_past'
  | 'bad_actions_filter'
  | 'bad_action_done'
  // issue 12: the 48-hour rule (postmortem-review.ts)
  | 'postmortem_not_resolved'
  | 'postmortem_already_reviewed';

export type ErrorDetails = Record<string, string | number>;

export class IncidentError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
  ) {
    super(`${code} ${JSON.stringify(details)}`);
    this.name = 'IncidentError';
  }
}

/** The store lost a compare-and-set race too many times in a row; retrying later is safe. */
export class ConflictError extends Error {
  constructor(readonly key: string) {
    super(`too many concurrent writes to ${key}`);
    this.name = 'ConflictError';
  }
}

/**
 * A chat platform refused or failed a call. The outbound queue reads these fields to decide:
 * wait `retryAfterMs` (rate limits), retry with backoff (transient), or give up and log (permanent:
 * a missing scope, an unknown channel: retrying cannot help, a person has to fix something).
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly kind: 'rate_limited' | 'transient' | 'permanent',
    readonly retryAfterMs?: number,
    /** What an operator should do, for the log line of a permanent failure. */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}
