import { renderTimes, type ChatTime } from '../../core/chat-time.js';

/**
 * The one escaping step between the neutral markup and Slack's mrkdwn, both ways.
 *
 * Out: in a Slack message `&`, `<` and `>` are control characters: `<!channel>`, `<!here>`,
 * `<!everyone>` and `<!subteam^S1>` notify whole groups, `<url|label>` makes a link. The neutral
 * markup has exactly two angle-bracket forms, `<@U123>` (a person the bot means to mention) and
 * `<#C123>` (a channel); everything else in a message, user text included, is escaped, so no
 * title, note or summary can become a broadcast mention or a link in disguise. The core's time
 * tokens (chat-time.ts) become `<!date^…>`, which Slack shows in each reader's own zone; people
 * cannot type one (it is delimited by control characters that cleanText removes), and a
 * `<!date^…>` someone did type is escaped like all text.
 *
 * In: Slack hands text over escaped (`&lt;`) and with its own markup for mentions of groups and
 * links; the core wants the text as the person meant it, with broadcasts as plain words.
 */

const NEUTRAL_TOKEN = /<[@#][A-Z0-9]+>/g;
/** Slack's date tokens: the reader's own date (`Dec 26, 2025`, or today/yesterday) and clock. */
const SLACK_DATE_FORMAT: Record<ChatTime['style'], string> = { datetime: '{date_short_pretty} {time}', time: '{time}' };

/** A neutral time as Slack's date markup, with the configured zone's text (escaped already) as the fallback. */
function slackDate(time: ChatTime): string {
  return `<!date^${time.unix}^${SLACK_DATE_FORMAT[time.style]}|${time.fallback}>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Neutral text → Slack mrkdwn: only `<@U…>`, `<#C…>` and the core's times survive as markup. */
export function escapeForSlack(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(NEUTRAL_TOKEN)) {
    out += escapeText(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  // Escaping leaves the time tokens whole (they hold no `&`, `<` or `>`): rendered after it.
  return renderTimes(out + escapeText(text.slice(last)), slackDate);
}

/**
 * Slack text → neutral text: `<@U1|a>` → `<@U1>`, `<#C1|general>` → `<#C1>`, `<!here>` → `@here`,
 * `<!subteam^S1|@oncall>` → `@oncall`, `<https://x|label>` → `label (https://x)`, then Slack's
 * entities back to characters. Every pattern stops at the next `<` or `>`, so it stays linear.
 */
export function fromSlack(text: string): string {
  return text
    .replace(/<([@#])([A-Z0-9]+)(?:\|[^<>]*)?>/g, '<$1$2>')
    .replace(/<!(here|channel|everyone)(?:\|[^<>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^<>]*))?>/g, (_, label: string | undefined) => label ?? '@group')
    .replace(/<!date\^[^<>|]*\|([^<>]*)>/g, '$1')
    .replace(/<!([^<>|]*)(?:\|([^<>]*))?>/g, (_, name: string, label: string | undefined) => label ?? `@${name}`)
    .replace(/<((?:https?|mailto):[^<>|]*)\|([^<>]*)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^<>|]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
