import { SlashCommandBuilder, type RESTPostAPIChatInputApplicationCommandsJSONBody, type SlashCommandSubcommandBuilder } from 'discord.js';
import type { Command } from '../../app/context.js';
import type { AppConfig } from '../../config.js';
import type { Translate } from '../../core/i18n/index.js';
import { optionsOf, type OptionSpec } from './command-options.js';

/**
 * The `/incident` application command as Discord registers it: one subcommand per entry of
 * commands/index.ts, in help order, described by the catalog's help line, with the options of
 * command-options.ts. Choices taken from the config (severities, services, rotations) are fixed
 * at registration: run `npm run discord:register` again after changing them.
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

export function incidentCommand(commands: readonly Command[], config: AppConfig, t: Translate): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const builder = new SlashCommandBuilder().setName('incident').setDescription('Incident command: declare, page, record, write the postmortem');
  for (const command of commands) {
    builder.addSubcommand((sub) => {
      sub.setName(command.name).setDescription(clip(t(command.help), 100));
      // Discord wants required options first; the text keeps the table's order regardless.
      const specs = [...optionsOf(command.name)].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
      for (const spec of specs) addOption(sub, spec, config);
      return sub;
    });
  }
  return builder.toJSON();
}
