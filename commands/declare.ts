import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { declareEvents } from '../src/core/lifecycle.js';
import type { Command } from '../src/app/context.js';
import { applyEffects } from '../src/app/effects.js';
import { serviceId, severityId } from '../src/app/schemas.js';
import { createIncident } from '../src/store/mutate.js';

export const declare: Command = {
  name: 'declare',
  usage: 'usage.declare',
  help: 'help.declare',
  scope: 'anywhere',
  async run({ inv, deps, args }) {
    const raw = splitArgs(args, { sev: 'value', service: 'value', summary: 'value', private: 'boolean' }, 'usage.declare');
    const schema = z.object({
      title: z.string().trim().min(1),
      sev: severityId(deps.config).default(deps.config.defaultSeverity),
      service: serviceId(deps.config).optional(),
      summary: z.string().trim().default(''),
      private: z.boolean().default(false),
    });
    const input = validate(schema, { ...raw.flags, title: raw.positionals.join(' ') }, 'usage.declare');
    const number = await deps.store.nextNumber(inv.workspace);
    const events = declareEvents(
      { title: input.title, summary: input.summary, severity: input.sev, private: input.private, ...(input.service ? { service: input.service } : {}) },
      inv.user,
      deps.clock.now(),
    );
    const created = await createIncident(deps.store, { workspace: inv.workspace, number }, events);
    const incident = await applyEffects(deps, created, events);
    const params = { ref: incident.ref, title: incident.title, severity: incident.severity, channelId: incident.channelId ?? '' };
    return { text: deps.t(incident.channelId ? 'reply.declared' : 'reply.declared_no_channel', params) };
  },
};
