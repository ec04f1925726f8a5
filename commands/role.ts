import { z } from 'zod';
import { tokenize, validate } from '../src/core/args.js';
import { decideRole } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { role as roleSchema } from '../src/app/schemas.js';
import { resolveMention } from '../src/app/users.js';

export const role: Command = {
  name: 'role',
  usage: 'usage.role',
  help: 'help.role',
  scope: 'incident',
  guard: 'role',
  async run(ctx) {
    const [roleWord, userWord] = tokenize(ctx.args);
    const input = validate(z.object({ role: roleSchema, user: z.string() }), { role: roleWord, user: userWord }, 'usage.role');
    const user = await resolveMention(ctx.deps, ctx.inv.workspace, input.user);
    await change(ctx, (inc) => decideRole(inc, input.role, user, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
