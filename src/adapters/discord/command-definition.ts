import { SlashCommandBuilder, type RESTPostAPIChatInputApplicationCommandsJSONBody, type SlashCommandSubcommandBuilder } from 'discord.js';
import type { Command } from '../../app/context.js';
import type { AppConfig } from '../../config.js';
import type { Translate } from '../../core/i18n/index.js';
import { commandOf, DISCORD_COMMANDS, MAX_SUBCOMMANDS, type DiscordCommandLayout } from './command-layout.js';
import { optionsOf, type OptionSpec } from './command-options.js';

/**
 * The application commands as Discord registers them (`/incident`, `/postmortem`): the
 * subcommands command-layout.ts places under each, in its order, described by the catalog's help
 * line, with the options of command-options.ts. Choices taken from the config (severities,
 * services, rotations) are fixed at registration: run `npm run discord:register` again after
 * changing them.
 */

/** Discord allows 25 choices per option; longer lists stay free text. */
const MAX_CHOICES = 25;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function addOption(sub: SlashCommandSubcommandBuilder, spec: OptionSpec, config: AppConfig): void {
  const description = clip(spec.description, 100);
  const required = spec.required ?? false;
  if (spec.kind === 'user') {
    sub.addUserOption((o) => o.setName(spec.name).setDescription(description).setRequired(required));
    return;
  }
  if (spec.kind === 'boolean') {
    sub.addBooleanOption((o) => o.setName(spec.name).setDescription(description).setRequired(required));
    return;
  }
  const choices = spec.choices?.(config) ?? [];
  sub.addStringOption((o) => {
    o.setName(spec.name).setDescription(description).setRequired(required);
    if (choices.length > 0 && choices.length <= MAX_CHOICES) o.addChoices(...choices.map((c) => ({ name: c, value: c })));
    return o;
  });
}

/** One application command; a subcommand whose command is not in `commands` is left out. */
export function applicationCommand(layout: DiscordCommandLayout, commands: readonly Command[], config: AppConfig, t: Translate): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const places = layout.subcommands.flatMap((place) => {
    const command = commands.find((c) => c.name === commandOf(place));
    return command ? [{ place, command }] : [];
  });
  // Said plainly here rather than as discord.js's "Invalid Array length" from the builder.
  if (places.length > MAX_SUBCOMMANDS) {
    throw new Error(`/${layout.name} would have ${places.length} subcommands; Discord allows ${MAX_SUBCOMMANDS}: move some to another command in src/adapters/discord/command-layout.ts`);
  }
  const builder = new SlashCommandBuilder().setName(layout.name).setDescription(clip(layout.description, 100));
  for (const { place, command } of places) {
    builder.addSubcommand((sub) => {
      sub.setName(place.name).setDescription(clip(t(place.help ?? command.help), 100));
      // Discord wants required options first; the text keeps the table's order regardless.
      const specs = [...optionsOf(place.text)].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
      for (const spec of specs) addOption(sub, spec, config);
      return sub;
    });
  }
  return builder.toJSON();
}

/** Every application command of the layout, for one bulk overwrite. */
export function discordCommands(commands: readonly Command[], config: AppConfig, t: Translate, layout: readonly DiscordCommandLayout[] = DISCORD_COMMANDS): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return layout.map((l) => applicationCommand(l, commands, config, t));
}
