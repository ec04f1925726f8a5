import { tokenize } from '../src/core/args.js';
import type { Actor } from '../src/core/model.js';
import { IncidentError } from '../src/core/errors.js';
import { decidePage } from '../src/core/paging.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { pageTarget } from '../src/app/oncall.js';

export const page: Command = {
  name: 'page',
  usage: 'usage.page',
  help: 'help.page',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const tokens = tokenize(ctx.args);
    const first = tokens[0];
    if (!first) throw new IncidentError('missing_argument', { whatKey: 'arg.target', usageKey: 'usage.page' });
    // Everyone named up front is paged (mentions, or one rotation); the rest is the message.
    const targets: Actor[] = [];
    let i = 0;
    for (; i < tokens.length && (i === 0 || tokens[i]?.startsWith('<@')); i++) targets.push(await pageTarget(deps, inv.workspace, tokens[i] ?? ''));
    const message = tokens.slice(i).join(' ') || undefined;
    await change(ctx, (inc) => decidePage(inc, targets, message, inv.user, deps.clock.now()));
    return { text: deps.t('reply.paged', { users: targets.map((u) => `<@${u.id}>`).join(', ') }) };
  },
};
