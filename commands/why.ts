import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { MAX_WHYS, decideWhy, parseWhy } from '../src/core/capture.js';
import type { IncidentEvent } from '../src/core/events.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

export const why: Command = {
  name: 'why',
  usage: 'usage.why',
  help: 'help.why',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    // The answer is taken verbatim, like a note; a leading number says which why it is.
    const parsed = parseWhy(ctx.args);
    const { text } = validate(z.object({ text: limitedText(deps.config.limits.text, 'arg.why') }), { text: parsed.text }, 'usage.why');
    let written: IncidentEvent | undefined;
    const after = await change(ctx, (inc) => {
      const events = decideWhy(inc, parsed.n, text, inv.user, deps.clock.now());
      written = events[0];
      return events;
    });
    const n = written?.type === 'why_recorded' ? written.n : (after.whys?.length ?? 0);
    const rewrite = written?.type === 'why_recorded' && written.rewrite;
    return { text: deps.t(rewrite ? 'reply.why_rewritten' : 'reply.why_recorded', { ref: after.ref, n, max: MAX_WHYS }) };
  },
};
