import { DISCORD_COMMANDS, type DiscordCommandLayout, type SubcommandPlace } from './command-layout.js';

/**
 * The catalogs name commands as typed on Slack and in the terminal (`/incident why …`,
 * `/incident postmortem INC-7 done`); on Discord some of them live elsewhere (command-layout.ts:
 * `/postmortem why`, `/postmortem done`). Before a message goes out, each mention of such a
 * command is rewritten to the one a Discord user can type, with an incident reference that stood
 * between the command and its fixed words moved after the subcommand
 * (`/incident postmortem INC-7 done` → `/postmortem done INC-7`). The rules come from the layout,
 * so a command moved there is rewritten without more code.
 *
 * Only code spans are rewritten: the catalogs write every command in backticks, while people's
 * words (notes, whys, titles) reach messages as typed and rarely hold backticks. What people put
 * in backticks themselves is rewritten on display too; what is stored is never changed.
 */

/** The command the catalogs write (Slack's slash command, the terminal's prefix). */
const TEXT_COMMAND = 'incident';

/** An incident reference as the bot writes it: `INC-7`, or a usage line's `[INC-n]` / `<INC-n>`. */
const REFERENCE = String.raw`INC-\d+|\[INC-n\]|<INC-n>|INC-n`;

interface MentionRule {
  pattern: RegExp;
  replace: (ref: string | undefined) => string;
  /** Words of the text command: longer ones are tried first (`postmortem done` before `postmortem`). */
  words: number;
}

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function ruleFor(command: DiscordCommandLayout, place: SubcommandPlace): MentionRule {
  const [name = place.text, ...fixed] = place.text.split(' ');
  const tail = fixed.map((w) => ` ${escape(w)}`).join('');
  return {
    pattern: new RegExp(`/${TEXT_COMMAND} ${escape(name)}(?: (${REFERENCE}))?${tail}(?![\\w-])`, 'g'),
    replace: (ref) => `/${command.name} ${place.name}${ref ? ` ${ref}` : ''}`,
    words: fixed.length + 1,
  };
}

/** Every subcommand whose Discord form is not `/incident <its text>`. */
export function mentionRules(layout: readonly DiscordCommandLayout[] = DISCORD_COMMANDS): MentionRule[] {
  return layout
    .flatMap((command) => command.subcommands.filter((p) => command.name !== TEXT_COMMAND || p.name !== p.text).map((p) => ruleFor(command, p)))
    .sort((a, b) => b.words - a.words);
}

const RULES = mentionRules();

/** Command mentions in one piece of text, in their Discord form. */
export function discordMentions(text: string, rules: readonly MentionRule[] = RULES): string {
  if (!text.includes(`/${TEXT_COMMAND} `)) return text;
  return rules.reduce((out, rule) => out.replace(rule.pattern, (_whole, ref: string | undefined) => rule.replace(ref)), text);
}

/** A line with the command mentions in its code spans (`` `…` ``) in their Discord form. */
export function discordCommandLine(line: string): string {
  if (!line.includes('`')) return line;
  return line.replace(/`[^`\n]+`/g, (span) => discordMentions(span));
}
