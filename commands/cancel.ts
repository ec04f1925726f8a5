import { decideCancel } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';

export const cancel: Command = {
  name: 'cancel',
  usage: 'usage.cancel',
  help: 'help.cancel',
  scope: 'incident',
  async run(ctx) {
    const reason = ctx.args.trim() || undefined;
    await change(ctx, (inc) => decideCancel(inc, reason, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
