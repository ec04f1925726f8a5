import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { decideAction, decideActionDone } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { horizon, limitedText } from '../src/app/schemas.js';
import { resolveMention } from '../src/app/users.js';

export const action: Command = {
  name: 'action',
  usage: 'usage.action',
  help: 'help.action',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const done = /^done\s+(a\d+)\s*$/i.exec(ctx.args);
    if (done) {
      await change(ctx, (inc) => decideActionDone(inc, done[1] ?? '', inv.user, deps.clock.now()));
      return { text: deps.t('reply.done') };
    }
    const raw = splitArgs(ctx.args, { owner: 'value', due: 'value' }, 'usage.action');
    const schema = z.object({ text: limitedText(deps.config.limits.text, 'arg.action_text').pipe(z.string().min(1)), owner: z.string().optional(), due: horizon.default('1m') });
    const input = validate(schema, { ...raw.flags, text: raw.positionals.join(' ') }, 'usage.action');
    const owner = input.owner ? await resolveMention(deps, inv.workspace, input.owner) : undefined;
    const item = { text: input.text, horizon: input.due, ...(owner ? { owner } : {}) };
    const after = await change(ctx, (inc) => decideAction(inc, item, inv.user, deps.clock.now()));
    const added = after.actionItems[after.actionItems.length - 1];
    return { text: deps.t('reply.action_added', { ref: after.ref, id: added?.id ?? '' }) };
  },
};
