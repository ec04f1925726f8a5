import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideSeverity } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { severityId } from '../src/app/schemas.js';

export const sev: Command = {
  name: 'sev',
  usage: 'usage.sev',
  help: 'help.sev',
  scope: 'incident',
  async run(ctx) {
    const [word, ...rest] = ctx.args.split(/\s+/);
    const schema = z.object({ severity: severityId(ctx.deps.config), reason: z.string().trim().optional() });
    const input = validate(schema, { severity: word || undefined, reason: rest.join(' ') || undefined }, 'usage.sev');
    await change(ctx, (inc) => decideSeverity(inc, input.severity, input.reason, ctx.inv.user, ctx.deps.clock.now()));
    return { text: ctx.deps.t('reply.done') };
  },
};
