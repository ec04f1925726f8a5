import { decideResolve } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';

export const resolve: Command = {
  name: 'resolve',
  usage: 'usage.resolve',
  help: 'help.resolve',
  scope: 'incident',
  async run(ctx) {
    const summary = ctx.args.trim() || undefined;
    await change(ctx, (inc) => decideResolve(inc, summary, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
