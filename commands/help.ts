import type { Command } from '../src/app/context.js';
import { commands } from './index.js';

export const help: Command = {
  name: 'help',
  usage: 'usage.help',
  help: 'help.help',
  scope: 'anywhere',
  async run({ deps }) {
    const lines = commands.map((c) => `\`${deps.t(c.usage)}\`\n    ${deps.t(c.help)}`);
    return { text: [deps.t('help.title'), ...lines].join('\n') };
  },
};
