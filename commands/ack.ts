import type { Command } from '../src/app/context.js';
import { acknowledgeReply } from '../src/app/reactions.js';

export const ack: Command = {
  name: 'ack',
  usage: 'usage.ack',
  help: 'help.ack',
  scope: 'incident',
  async run({ deps, inv, incident }) {
    return { text: await acknowledgeReply(deps, incident, inv.user) };
  },
};
