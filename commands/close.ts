import { decideClose } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import { errorRef as newErrorRef } from '../src/app/dispatch.js';
import type { Command } from '../src/app/context.js';

export const close: Command = {
  name: 'close',
  usage: 'usage.close',
  help: 'help.close',
  scope: 'incident',
  guard: 'close',
  async run(ctx) {
    const after = await change(ctx, (inc) => decideClose(inc, ctx.inv.user, ctx.deps.clock.now()));
    if (after.postmortemPath) return { text: ctx.deps.t('reply.closed', { ref: after.ref, path: after.postmortemPath }) };
    // The close is recorded; only the draft is missing. The effect's failure is in the log already.
    const errorRef = newErrorRef();
    ctx.deps.log.error({ ref: errorRef, incidentId: after.ref, workspace: after.workspace }, 'postmortem draft missing after close');
    return { text: ctx.deps.t('reply.postmortem_failed', { ref: after.ref, errorRef }) };
  },
};
