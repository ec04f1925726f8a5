import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { commands } from '../../../commands/index.js';
import { loadConfig, parseEnv, type AppConfig, type Env } from '../../config.js';
import { translator } from '../../core/i18n/index.js';
import { discordCommands } from './command-definition.js';
import { unplaced } from './command-layout.js';

/**
 * `npm run discord:register`: registers `/incident` and `/postmortem` (command-layout.ts) in each
 * guild of DISCORD_GUILD_ID. Guild commands appear at once (global ones take up to an hour) and
 * are registered by a person, not at every start: Discord allows 200 command creations a day per
 * guild. The call is a bulk
 * overwrite of the whole list, so running it again after changing the config (severities,
 * services and rotations become choices) replaces the commands in place, and removes any the
 * layout no longer has.
 */
export async function registerCommands(env: Env, config: AppConfig, print: (line: string) => void): Promise<number> {
  const guilds = (env.DISCORD_GUILD_ID ?? '').split(',').filter(Boolean);
  const missing = [!env.DISCORD_TOKEN && 'DISCORD_TOKEN', !env.DISCORD_APPLICATION_ID && 'DISCORD_APPLICATION_ID', guilds.length === 0 && 'DISCORD_GUILD_ID'].filter(Boolean);
  if (missing.length > 0 || !env.DISCORD_TOKEN || !env.DISCORD_APPLICATION_ID) throw new Error(`set ${missing.join(', ')} to register the commands`);
  const rest = new REST({ version: '10', ...(env.DISCORD_API_URL ? { api: env.DISCORD_API_URL } : {}) }).setToken(env.DISCORD_TOKEN);
  const body = discordCommands(commands, config, translator(config.locale));
  const missed = unplaced(commands);
  if (missed.length > 0) print(`Not on Discord (add to src/adapters/discord/command-layout.ts): ${missed.join(', ')}.`);
  const names = body.map((c) => `/${c.name} with ${c.options?.length ?? 0} subcommands`).join(' and ');
  for (const guild of guilds) {
    await rest.put(Routes.applicationGuildCommands(env.DISCORD_APPLICATION_ID, guild), { body });
    print(`Registered ${names} in guild ${guild}.`);
  }
  return guilds.length;
}

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  if (!env.ok) throw new Error(`Environment problems:\n${env.problems.map((p) => `  - ${p}`).join('\n')}`);
  const config = loadConfig(env.env.INCIDENT_CONFIG);
  if (!config.ok) throw new Error(`Config problems in ${env.env.INCIDENT_CONFIG}:\n${config.problems.map((p) => `  - ${p}`).join('\n')}`);
  await registerCommands(env.env, config.config, (line) => console.log(line));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`discord:register: ${err.message}\n`);
      process.exit(1);
    },
  );
}
