import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideNote } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText, schemaPer } from '../src/app/schemas.js';

export const note: Command = {
  name: 'note',
  usage: 'usage.note',
  help: 'help.note',
  scope: 'incident',
  async run(ctx) {
    // The note is taken verbatim: no flags, quotes kept, so nothing someone writes is lost.
    const { text } = validate(noteSchema(ctx.deps.config.limits.text), { text: ctx.args }, 'usage.note');
    const after = await change(ctx, (inc) => decideNote(inc, text, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.note_added', { ref: after.ref }) };
  },
};

/** One per text limit (see schemaPer). */
const noteSchema = schemaPer((max: number) => z.object({ text: limitedText(max, 'arg.note').pipe(z.string().min(1)) }));
