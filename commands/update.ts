import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideUpdate } from '../src/core/guidance.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

/**
 * `/incident update <text>`: a status update for everyone following. Posted in the channel and
 * the announcement channel, on the timeline, shown as the summary's last update; the update
 * clock (and its reminders) starts again from it. Anyone in the channel may post one, as with
 * `status`.
 */
export const update: Command = {
  name: 'update',
  usage: 'usage.update',
  help: 'help.update',
  scope: 'incident',
  async run(ctx) {
    // Taken verbatim like a note: what someone writes for stakeholders is not parsed for flags.
    const schema = z.object({ text: limitedText(ctx.deps.config.limits.text, 'arg.update_text').pipe(z.string().min(1)) });
    const { text } = validate(schema, { text: ctx.args.trim() }, 'usage.update');
    const after = await change(ctx, (inc) => decideUpdate(inc, text, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.update_posted', { ref: after.ref }) };
  },
};
