import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideStatus } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { activeStatus, limitedText } from '../src/app/schemas.js';

export const status: Command = {
  name: 'status',
  usage: 'usage.status',
  help: 'help.status',
  scope: 'incident',
  async run(ctx) {
    const [word, ...rest] = ctx.args.split(/\s+/);
    const schema = z.object({ status: activeStatus, message: limitedText(ctx.deps.config.limits.text, 'arg.update').optional() });
    const input = validate(schema, { status: word || undefined, message: rest.join(' ') || undefined }, 'usage.status');
    await change(ctx, (inc) => decideStatus(inc, input.status, input.message || undefined, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
