import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideResolve } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText, schemaPer } from '../src/app/schemas.js';

export const resolve: Command = {
  name: 'resolve',
  usage: 'usage.resolve',
  help: 'help.resolve',
  scope: 'incident',
  guard: 'resolve',
  async run(ctx) {
    // The summary is rewritten into the incident's state: a cap keeps every later write small.
    const { summary } = validate(resolveSchema(ctx.deps.config.limits.text), { summary: ctx.args }, 'usage.resolve');
    await change(ctx, (inc) => decideResolve(inc, summary || undefined, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};

/** One per text limit (see schemaPer). */
const resolveSchema = schemaPer((max: number) => z.object({ summary: limitedText(max, 'arg.summary') }));
