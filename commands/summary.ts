import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideSummary } from '../src/core/capture.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

export const summary: Command = {
  name: 'summary',
  usage: 'usage.summary',
  help: 'help.summary',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    // Taken verbatim, like a note: it becomes the postmortem's summary as written.
    const { text } = validate(z.object({ text: limitedText(deps.config.limits.text, 'arg.summary') }), { text: ctx.args }, 'usage.summary');
    const after = await change(ctx, (inc) => decideSummary(inc, text, inv.user, deps.clock.now()));
    return { text: deps.t('reply.summary_set', { ref: after.ref }) };
  },
};
