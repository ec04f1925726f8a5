/**
 * The one escaping step between the neutral markup and Slack's mrkdwn, both ways.
 *
 * Out: in a Slack message `&`, `<` and `>` are control characters: `<!channel>`, `<!here>`,
 * `<!everyone>` and `<!subteam^S1>` notify whole groups, `<url|label>` makes a link. The neutral
 * markup has exactly two angle-bracket forms, `<@U123>` (a person the bot means to mention) and
 * `<#C123>` (a channel); everything else in a message, user text included, is escaped, so no
 * title, note or summary can become a broadcast mention or a link in disguise.
 *
 * In: Slack hands text over escaped (`&lt;`) and with its own markup for mentions of groups and
 * links; the core wants the text as the person meant it, with broadcasts as plain words.
 */

const NEUTRAL_TOKEN = /<[@#][A-Z0-9]+>/g;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Neutral text → Slack mrkdwn: only `<@U…>` and `<#C…>` survive as markup. */
export function escapeForSlack(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(NEUTRAL_TOKEN)) {
    out += escapeText(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeText(text.slice(last));
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
