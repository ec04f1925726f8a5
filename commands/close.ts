import type { Command } from '../src/app/context.js';
import { closeOrAsk } from '../src/app/close-question.js';

export const close: Command = {
  name: 'close',
  usage: 'usage.close',
  help: 'help.close',
  scope: 'incident',
  guard: 'close',
  // issue 12: the first close of an incident without follow-ups asks whether that is deliberate.
  run: (ctx) => closeOrAsk(ctx.deps, ctx.incident, ctx.inv.user),
};
