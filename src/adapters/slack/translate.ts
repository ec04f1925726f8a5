import { fromSlack } from './mrkdwn.js';

/**
 * Small translations between Slack's payloads and the neutral forms the core expects. Slack
 * escapes mentions as `<@U123|name>` and channels as `<#C123|name>` (with should_escape on the
 * command); the commands parse `<@U123>`, so the label goes. Message timestamps (`ts`) are
 * seconds with a sequence suffix and double as message ids.
 */

/**
 * `<@U123|alice>` → `<@U123>`, `<#C123|general>` → `<#C123>`, and the rest of Slack's markup as
 * fromSlack (mrkdwn.ts) reads it. Its labels stop at the next `<` as well as at `>`: Slack
 * escapes both inside text, so a label never holds one, and without that stop every unclosed
 * `<@A|` would scan to the end of the message (100 KB of them took seconds on every message event).
 */
export function neutralText(text: string): string {
  return fromSlack(text);
}

/** The moment a message was posted, from its `ts` ("1735171200.000100"). */
export function slackTime(ts: string | undefined, fallback: Date): Date {
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : fallback;
}

/** Workspace ids carry their platform, so the routing chat port sends replies back to Slack. */
export function workspaceOf(teamId: string | undefined): string {
  return `slack:${teamId ?? 'unknown'}`;
}
