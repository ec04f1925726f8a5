import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideCause, parseCause } from '../src/core/capture.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

export const cause: Command = {
  name: 'cause',
  usage: 'usage.cause',
  help: 'help.cause',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const parsed = parseCause(ctx.args);
    const { text } = validate(z.object({ text: limitedText(deps.config.limits.text, 'arg.cause') }), { text: parsed.text }, 'usage.cause');
    const after = await change(ctx, (inc) => decideCause(inc, parsed.underlying, text, inv.user, deps.clock.now()));
    return { text: deps.t(parsed.underlying ? 'reply.underlying_cause_recorded' : 'reply.cause_recorded', { ref: after.ref }) };
  },
};
