import type { Command } from '../../app/context.js';
import type { MessageKey } from '../../core/i18n/index.js';

/**
 * Which text commands live under which Discord application command. Slack and the terminal have
 * one `/incident` with free text after it; Discord registers typed subcommands and allows at most
 * 25 per application command, so the commands are spread over two: `/incident` keeps the 23 it
 * has always had (documented, and checked from outside), the postmortem and follow-up commands
 * of issue 12 live under `/postmortem`. Nothing is placed automatically: a new command must be
 * added here, and test/unit/discord-layout.test.ts fails until it is.
 */

/** Discord's limit of subcommands (and groups) per application command. */
export const MAX_SUBCOMMANDS = 25;

export interface SubcommandPlace {
  /** The Discord subcommand (`/postmortem done`). */
  name: string;
  /**
   * The text command line it runs, before its options (`postmortem done`): the first word is
   * the command of commands/index.ts, the rest fixed words; it also keys the option table.
   */
  text: string;
  /** Its description; the command's own help line when left out. */
  help?: MessageKey;
}

export interface DiscordCommandLayout {
  name: string;
  description: string;
  subcommands: readonly SubcommandPlace[];
}

const same = (name: string): SubcommandPlace => ({ name, text: name });

export const DISCORD_COMMANDS: readonly DiscordCommandLayout[] = [
  {
    name: 'incident',
    description: 'Incident command: declare, page, record, write the postmortem',
    subcommands: [
      'declare', 'status', 'update', 'notice', 'sev', 'role', 'note', 'timeline', 'action', 'ack', 'page', 'escalate',
      'resolve', 'reopen', 'close', 'cancel', 'checklist', 'list', 'drill', 'oncall', 'cover', 'policy', 'web', 'help',
    ].map(same),
  },
  {
    name: 'postmortem',
    description: 'After the incident: whys, cause, impact, lessons, the draft and its review, follow-ups, figures',
    subcommands: [
      ...['why', 'cause', 'impact', 'lesson', 'summary'].map(same),
      { name: 'draft', text: 'postmortem', help: 'discord.postmortem_draft' },
      { name: 'done', text: 'postmortem done', help: 'discord.postmortem_done' },
      ...['actions', 'stats'].map(same),
    ],
  },
];

/** The command of commands/index.ts a subcommand runs. */
export const commandOf = (place: SubcommandPlace): string => place.text.split(' ')[0] ?? place.text;

export function isDiscordCommand(name: string): boolean {
  return DISCORD_COMMANDS.some((c) => c.name === name);
}

/** The text a subcommand of a registered command runs; an unknown one runs under its own name. */
export function subcommandText(commandName: string, subcommand: string): string {
  const place = DISCORD_COMMANDS.find((c) => c.name === commandName)?.subcommands.find((s) => s.name === subcommand);
  return place?.text ?? subcommand;
}

/** Commands of commands/index.ts that no Discord command carries (register.ts says so). */
export function unplaced(commands: readonly Command[], layout: readonly DiscordCommandLayout[] = DISCORD_COMMANDS): string[] {
  const placed = new Set(layout.flatMap((c) => c.subcommands.map(commandOf)));
  return commands.map((c) => c.name).filter((name) => !placed.has(name));
}
