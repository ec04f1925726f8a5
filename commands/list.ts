import { splitArgs } from '../src/core/args.js';
import { canSee } from '../src/core/authz.js';
import type { Command } from '../src/app/context.js';

/** How many incidents a list shows; more are read, so private ones left out do not shorten it. */
const SHOWN = 25;

export const list: Command = {
  name: 'list',
  usage: 'usage.list',
  help: 'help.list',
  scope: 'anywhere',
  async run({ inv, deps, args }) {
    const { flags } = splitArgs(args, { all: 'boolean' }, 'usage.list');
    const read = await deps.store.list(inv.workspace, { all: flags.all === true, limit: SHOWN * 4 });
    // A private incident is listed only for its own people (src/core/authz.ts canSee).
    const incidents = read.filter((i) => canSee(i, inv.user.id, { admins: deps.config.admins })).slice(0, SHOWN);
    if (incidents.length === 0) return { text: deps.t('reply.list_empty') };
    const lines = incidents.map((i) =>
      deps.t('reply.list_item', { ref: i.ref, severity: i.severity, status: deps.t(`word.status.${i.status}`), title: i.title, channelId: i.channelId ?? '' }),
    );
    return { text: [deps.t('reply.list_header'), ...lines].join('\n') };
  },
};
