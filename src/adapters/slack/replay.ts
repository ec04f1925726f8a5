import type { IncomingHttpHeaders } from 'node:http';
import type { SlackContext } from './context.js';

/**
 * Replays of signed requests. A slash command or an interaction (a button, a form) is signed
 * with its timestamp, and Bolt and our receiver accept that signature for 5 minutes either way
 * of this machine's clock: whoever captured one request (a proxy log, a leaked HAR file) could
 * send it again in that window, and `/incident declare` would declare a second incident. Slack
 * itself never resends commands or interactions, so a request seen before is a replay: it is
 * acknowledged (Slack, or whoever sent it, gets its 200) but not run again.
 *
 * A request is named by its signature and timestamp (HTTP mode) and by its trigger_id (every
 * command and interaction has one; in Socket Mode it is the only name). The names are claimed in
 * Redis, so a replay that reaches another bot process is caught too.
 */

/**
 * How long a request's names are kept: the 10 minutes its signature is accepted (5 minutes old
 * to 5 minutes ahead), plus as much again for clocks that disagree.
 */
export const REPLAY_TTL_S = 20 * 60;

/** The custom property our receiver adds to every Bolt context (receiver.ts). */
export const REQUEST_PROPERTY = 'slackRequest';

export interface SlackRequestId {
  timestamp: string;
  signature: string;
}

/** The signature and timestamp of a request Bolt verified. */
export function requestIdOf(headers: IncomingHttpHeaders): SlackRequestId | undefined {
  const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
  const timestamp = one(headers['x-slack-request-timestamp']);
  const signature = one(headers['x-slack-signature']);
  return timestamp && signature ? { timestamp, signature } : undefined;
}

/** The keys that name one delivery of a request. */
export function replayKeys(teamId: string | undefined, context: Record<string, unknown>, triggerId: string | undefined): string[] {
  const keys: string[] = [];
  const request = context[REQUEST_PROPERTY] as SlackRequestId | undefined;
  if (request) keys.push(`slack-req:${request.timestamp}:${request.signature}`);
  if (triggerId) keys.push(`slack-trigger:${teamId ?? ''}:${triggerId}`);
  return keys;
}

/**
 * True the first time a request is seen; false for a replay (logged). Every key is claimed, so a
 * request is a replay if any of its names was seen. Throws when Redis cannot say: then the
 * request is not run either (the caller answers with the error).
 */
export async function firstDelivery(ctx: SlackContext, keys: readonly string[], where: object): Promise<boolean> {
  const claimed = await Promise.all(keys.map((k) => ctx.deps.store.claim(k, REPLAY_TTL_S)));
  if (claimed.every(Boolean)) return true;
  ctx.log.warn(where, 'slack request seen before (a replay): acknowledged, not run again');
  return false;
}
