import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PlatformError } from '../../core/errors.js';

/**
 * Discord's failures in the outbound queue's terms: a 429 waits its Retry-After, a 5xx or a
 * network failure retries with backoff, and what retrying cannot fix (a missing permission, a
 * deleted channel, closed DMs, a bad token) stops with a line that says what to change.
 */

/** Discord JSON error codes that need a person, with what that person should do. */
const FIXES: Record<number, string> = {
  50001: 'Missing Access: give the bot the View Channel permission there (or re-invite it with the scopes bot and applications.commands).',
  50013: 'Missing Permissions: give the bot Manage Channels, Manage Roles, View Channels, Send Messages, Embed Links, Read Message History, Add Reactions and Manage Messages (to pin the summary).',
  50007: 'The person does not accept direct messages from this server: ask them to allow DMs from server members (Privacy Settings).',
  10003: 'Unknown Channel: the channel was deleted; recreate it or update the config.',
  10004: 'Unknown Guild: the bot is not in this server any more; re-invite it or fix DISCORD_GUILD_ID.',
  10008: 'Unknown Message: the message was deleted.',
  10013: 'Unknown User: the user id in the config (rotations, policies) is wrong.',
  30003: 'Maximum number of pins reached (50): unpin old messages in that channel.',
  50035: 'Invalid Form Body: check that people in the config (rotations, policies) are Discord user ids, and DISCORD_CATEGORY_ID a category id.',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function toPlatformError(err: unknown, what: string): unknown {
  if (err instanceof PlatformError) return err;
  if (err instanceof RateLimitError) {
    return new PlatformError(`discord ${what}: rate limited on ${err.route}`, 'rate_limited', Math.max(0, err.retryAfter));
  }
  if (err instanceof HTTPError) return new PlatformError(`discord ${what}: HTTP ${err.status}`, 'transient');
  if (err instanceof DiscordAPIError) return fromApiError(err, what);
  if (err instanceof Error && (err.name === 'AbortError' || NETWORK_CODES.has(String((err as { code?: unknown }).code ?? '')))) {
    return new PlatformError(`discord ${what}: ${err.message}`, 'transient');
  }
  return err;
}

function fromApiError(err: DiscordAPIError, what: string): PlatformError {
  const code = typeof err.code === 'number' ? err.code : 0;
  if (err.status >= 500) return new PlatformError(`discord ${what}: HTTP ${err.status}`, 'transient');
  if (err.status === 401) {
    return new PlatformError(`discord ${what}: 401 Unauthorized`, 'permanent', undefined, 'DISCORD_TOKEN is wrong or was reset: copy the bot token from the developer portal.');
  }
  const fix = FIXES[code] ?? (err.status === 403 ? FIXES[50013] : `Discord refused the request (HTTP ${err.status}, code ${code}); see the log.`);
  return new PlatformError(`discord ${what}: ${err.message} (HTTP ${err.status}, code ${code})`, 'permanent', undefined, fix);
}

/** Runs one platform call and rethrows its failure as a PlatformError where Discord's meaning is known. */
export async function platformCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toPlatformError(err, what);
  }
}
