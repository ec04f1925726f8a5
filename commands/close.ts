import { decideClose } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';

export const close: Command = {
  name: 'close',
  usage: 'usage.close',
  help: 'help.close',
  scope: 'incident',
  async run(ctx) {
    const after = await change(ctx, (inc) => decideClose(inc, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.closed', { ref: after.ref, path: after.postmortemPath ?? '' }) };
  },
};
