import { decideImpact, impactList, parseImpact } from '../src/core/capture.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';

export const impact: Command = {
  name: 'impact',
  usage: 'usage.impact',
  help: 'help.impact',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const values = parseImpact(ctx.args);
    const after = await change(ctx, (inc) => decideImpact(inc, values, inv.user, deps.clock.now()));
    return { text: deps.t('reply.impact_recorded', { ref: after.ref, values: impactList(after.impact ?? values) }) };
  },
};
