import type { Command } from '../src/app/context.js';
import { acknowledge } from '../src/app/reactions.js';

export const ack: Command = {
  name: 'ack',
  usage: 'usage.ack',
  help: 'help.ack',
  scope: 'incident',
  async run({ deps, inv, incident }) {
    const after = await acknowledge(deps, incident, inv.user);
    return { text: deps.t('reply.acknowledged', { ref: after.ref }) };
  },
};
