import { webApi } from '@slack/bolt';
import { PlatformError } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';

/**
 * Turns whatever the Slack WebClient threw into the PlatformError the outbound queue
 * understands: wait Retry-After (rate_limited), retry with backoff (transient: 5xx, timeouts,
 * network), or stop and tell an operator what to change (permanent). Retrying a missing scope
 * for 40 hours helps nobody; retrying a 503 does.
 */

/** Slack error codes that a person has to fix, with what to do about each. */
const FIXES: Record<string, string> = {
  missing_scope: 'add the missing scope to the bot in docs/slack/manifest.yaml (OAuth & Permissions), then reinstall the app',
  not_in_channel: 'invite the bot to that channel (/invite @incident-bot) or add the chat:write.public scope',
  channel_not_found: 'check the channel exists and the bot can see it; private channels need the bot invited',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid: copy the Bot User OAuth Token (xoxb-...) from the app settings',
  not_authed: 'SLACK_BOT_TOKEN is empty or was not sent: set it in the environment',
  account_inactive: 'the bot token belongs to a deleted app or user: reinstall the app and update SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN',
  is_archived: 'the channel is archived: unarchive it or choose another one in the config',
  restricted_action: 'a workspace admin restricts this action (channel creation or invites): ask them to allow it for the bot',
  user_not_found: 'a user id in the config or a mention is not a member of this Slack workspace: check rotations and policies',
  users_not_found: 'a user id in the config or a mention is not a member of this Slack workspace: check rotations and policies',
  message_not_found: 'the message was deleted, or the bot cannot see it in that channel',
  ekm_access_denied: 'Enterprise Key Management blocks this call: ask an admin',
};

/** Slack says ok:false but means "try again later". */
const TRANSIENT_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** A PlatformError that keeps Slack's own code (`name_taken`, `missing_scope`), for callers that expect some. */
export class SlackCallError extends PlatformError {
  constructor(
    message: string,
    kind: PlatformError['kind'],
    readonly slackCode?: string,
    retryAfterMs?: number,
    fix?: string,
  ) {
    super(message, kind, retryAfterMs, fix);
    this.name = 'SlackCallError';
  }
}

export function toPlatformError(method: string, err: unknown): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new PlatformError(`slack ${method}: rate limited`, 'rate_limited', err.retryAfter * 1000);
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    if (err.statusCode >= 500 || err.statusCode === 408) return new PlatformError(`slack ${method}: HTTP ${err.statusCode}`, 'transient');
    return new PlatformError(`slack ${method}: HTTP ${err.statusCode}`, 'permanent', undefined, 'check SLACK_API_URL points at the Slack Web API (https://slack.com/api/)');
  }
  if (err instanceof webApi.WebAPIRequestError) {
    return new PlatformError(`slack ${method}: ${err.original.name === 'TimeoutError' ? 'timed out' : 'request failed'}`, 'transient');
  }
  if (err instanceof webApi.WebAPIPlatformError) return platformError(method, err);
  return new PlatformError(`slack ${method}: ${(err as Error)?.message ?? String(err)}`, 'transient');
}

function platformError(method: string, err: InstanceType<typeof webApi.WebAPIPlatformError>): SlackCallError {
  const code = err.data.error;
  if (code === 'ratelimited') {
    const seconds = Number(err.data.response_metadata?.retryAfter ?? 1);
    return new SlackCallError(`slack ${method}: ratelimited`, 'rate_limited', code, seconds * 1000);
  }
  if (TRANSIENT_CODES.has(code)) return new SlackCallError(`slack ${method}: ${code}`, 'transient', code);
  const needed = (err.data as { needed?: unknown }).needed;
  const fix = code === 'missing_scope' && typeof needed === 'string'
    ? `add the ${needed} scope to the bot in docs/slack/manifest.yaml (OAuth & Permissions), then reinstall the app`
    : (FIXES[code] ?? `Slack refused ${method} with ${code}: see https://api.slack.com/methods/${method}`);
  return new SlackCallError(`slack ${method}: ${code}`, 'permanent', code, undefined, fix);
}

/** Slack's code of a failed call, if it was an ok:false answer. */
export function slackCode(err: unknown): string | undefined {
  return err instanceof SlackCallError ? err.slackCode : undefined;
}

/**
 * Calls Slack and maps its failure. A permanent failure is logged here, once, with what to fix
 * (the operator needs the method and the Slack code, never the token), unless its code is one
 * the caller expects and handles (`name_taken`, `already_in_channel`).
 */
export async function slackCall<T>(log: Logger, method: string, call: () => Promise<T>, expected: readonly string[] = []): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const mapped = toPlatformError(method, err);
    const code = slackCode(mapped);
    if (mapped.kind === 'permanent' && !(code && expected.includes(code))) {
      log.error({ method, error: code ?? mapped.message, fix: mapped.fix }, 'slack call failed: needs a fix');
    }
    throw mapped;
  }
}
