import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideCancel } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

export const cancel: Command = {
  name: 'cancel',
  usage: 'usage.cancel',
  help: 'help.cancel',
  scope: 'incident',
  guard: 'cancel',
  async run(ctx) {
    const { reason } = validate(z.object({ reason: limitedText(ctx.deps.config.limits.text, 'arg.reason') }), { reason: ctx.args }, 'usage.cancel');
    await change(ctx, (inc) => decideCancel(inc, reason || undefined, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
