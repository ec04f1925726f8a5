import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { declareEvents } from '../src/core/lifecycle.js';
import type { Incident } from '../src/core/model.js';
import { decideStartEscalation } from '../src/core/paging.js';
import { choosePolicy, snapshotPolicy } from '../src/core/routing.js';
import type { Command, Deps } from '../src/app/context.js';
import { applyEffects } from '../src/app/effects.js';
import { serviceId, severityId } from '../src/app/schemas.js';
import { createIncident, mutate } from '../src/store/mutate.js';

/** Starts the escalation policy that the incident's severity and service choose, if any. */
async function startPaging(deps: Deps, incident: Incident): Promise<Incident> {
  const policy = choosePolicy(deps.config, incident.severity, incident.service);
  if (!policy) return incident;
  const snapshot = snapshotPolicy(deps.config, policy);
  const { after, events } = await mutate(deps.store, incident, (inc) => decideStartEscalation(inc, policy.id, snapshot, deps.clock.now()));
  return applyEffects(deps, after, events);
}

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
    const incident = await startPaging(deps, await applyEffects(deps, created, events));
    const params = { ref: incident.ref, title: incident.title, severity: incident.severity, channelId: incident.channelId ?? '' };
    const lines = [deps.t(incident.channelId ? 'reply.declared' : 'reply.declared_no_channel', params)];
    if (!incident.escalation) {
      lines.push(deps.t('reply.no_policy_on_declare', { severity: incident.severity, service: incident.service ? ` / ${incident.service}` : '' }));
    }
    return { text: lines.join('\n') };
  },
};
