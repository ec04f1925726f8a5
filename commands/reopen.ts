import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { decideReopen } from '../src/core/guidance.js';
import { decideStartEscalation } from '../src/core/paging.js';
import { project } from '../src/core/projection.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { dryPaging, pagingStart } from '../src/app/declare.js';
import { limitedText } from '../src/app/schemas.js';

/**
 * `/incident reopen [reason] [--page]`: a resolved incident (not a closed one) is back to
 * investigating. Paging starts again from the policy's first tier only with `--page`: the
 * people who worked it are usually still there.
 */
export const reopen: Command = {
  name: 'reopen',
  usage: 'usage.reopen',
  help: 'help.reopen',
  scope: 'incident',
  guard: 'reopen',
  async run(ctx) {
    const { deps, incident } = ctx;
    const { positionals, flags } = splitArgs(ctx.args, { page: 'boolean' }, 'usage.reopen');
    const { reason } = validate(z.object({ reason: limitedText(deps.config.limits.text, 'arg.reason') }), { reason: positionals.join(' ') }, 'usage.reopen');
    const page = flags['page'] === true;
    const now = deps.clock.now();
    // Who the policy's first tier pages is looked up before the write, not inside it.
    // A dry drill pages whoever started it again, never the real policy.
    const start = !page ? undefined : incident.drill?.dry ? dryPaging(deps, incident.declaredBy) : await pagingStart(deps, incident.workspace, incident.severity, incident.service, now);
    const after = await change(ctx, (inc) => {
      const events = decideReopen(inc, reason || undefined, page, ctx.inv.user, now);
      if (!start) return events;
      const reopened = project(inc, events);
      return [...events, ...decideStartEscalation(reopened, start.policy.id, start.snapshot, now, start.overrides, (id) => start.names.get(id) ?? id)];
    });
    return { text: deps.t(page && !start ? 'reply.reopened_no_policy' : 'reply.reopened', { ref: after.ref }) };
  },
};
