import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { decideSeverity } from '../src/core/lifecycle.js';
import { decideStartEscalation, policyStartsOnRaise } from '../src/core/paging.js';
import { project } from '../src/core/projection.js';
import { choosePolicy } from '../src/core/routing.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { pagingStart } from '../src/app/declare.js';
import { limitedText, severityId } from '../src/app/schemas.js';

export const sev: Command = {
  name: 'sev',
  usage: 'usage.sev',
  help: 'help.sev',
  scope: 'incident',
  guard: 'severity',
  async run(ctx) {
    const { deps, incident } = ctx;
    const [word, ...rest] = ctx.args.split(/\s+/);
    const schema = z.object({ severity: severityId(deps.config), reason: limitedText(deps.config.limits.text, 'arg.reason').optional() });
    const input = validate(schema, { severity: word || undefined, reason: rest.join(' ') || undefined }, 'usage.sev');
    const now = deps.clock.now();
    const rank = (id: string) => deps.config.severities.findIndex((s) => s.id === id);
    const policy = choosePolicy(deps.config, input.severity, incident.service);
    // Who the new policy's first tier pages is looked up before the write, not inside it.
    // A dry drill never pages the real policy, whatever its severity becomes.
    const start = policy && !incident.drill?.dry && policyStartsOnRaise(incident, policy.id, rank, input.severity) ? await pagingStart(deps, incident.workspace, input.severity, incident.service, now) : undefined;
    await change(ctx, (inc) => {
      const events = decideSeverity(inc, input.severity, input.reason || undefined, ctx.inv.user, now);
      if (!start || !policyStartsOnRaise(inc, start.policy.id, rank, input.severity)) return events;
      const raised = project(inc, events);
      return [...events, ...decideStartEscalation(raised, start.policy.id, start.snapshot, now, start.overrides, (id) => start.names.get(id) ?? id)];
    });
    return { text: deps.t('reply.done') };
  },
};
