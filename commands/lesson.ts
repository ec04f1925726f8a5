import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideLesson, parseLesson } from '../src/core/capture.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

export const lesson: Command = {
  name: 'lesson',
  usage: 'usage.lesson',
  help: 'help.lesson',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const parsed = parseLesson(ctx.args);
    const { text } = validate(z.object({ text: limitedText(deps.config.limits.text, 'arg.lesson') }), { text: parsed.text }, 'usage.lesson');
    const after = await change(ctx, (inc) => decideLesson(inc, parsed.kind, text, inv.user, deps.clock.now()));
    return { text: deps.t('reply.lesson_recorded', { ref: after.ref, kind: deps.t(`word.lesson.${parsed.kind}`) }) };
  },
};
