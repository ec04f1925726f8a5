import { splitArgs } from '../src/core/args.js';
import type { Command } from '../src/app/context.js';

export const list: Command = {
  name: 'list',
  usage: 'usage.list',
  help: 'help.list',
  scope: 'anywhere',
  async run({ inv, deps, args }) {
    const { flags } = splitArgs(args, { all: 'boolean' }, 'usage.list');
    const incidents = await deps.store.list(inv.workspace, { all: flags.all === true, limit: 25 });
    if (incidents.length === 0) return { text: deps.t('reply.list_empty') };
    const lines = incidents.map((i) =>
      deps.t('reply.list_item', { ref: i.ref, severity: i.severity, status: deps.t(`word.status.${i.status}`), title: i.title, channelId: i.channelId ?? '' }),
    );
    return { text: [deps.t('reply.list_header'), ...lines].join('\n') };
  },
};
