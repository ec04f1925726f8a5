import { decideEscalate } from '../src/core/paging.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';

export const escalate: Command = {
  name: 'escalate',
  usage: 'usage.escalate',
  help: 'help.escalate',
  scope: 'incident',
  async run(ctx) {
    const after = await change(ctx, (inc) => decideEscalate(inc, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.escalated', { ref: after.ref }) };
  },
};
