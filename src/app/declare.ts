import { z } from 'zod';
import { validate } from '../core/args.js';
import { declareEvents } from '../core/lifecycle.js';
import type { Actor, Incident } from '../core/model.js';
import { decideStartEscalation } from '../core/paging.js';
import { choosePolicy, snapshotPolicy } from '../core/routing.js';
import { createIncident, mutate } from '../store/mutate.js';
import type { AppConfig } from '../config.js';
import type { Deps, Reply } from './context.js';
import { errorRef } from './dispatch.js';
import { applyEffects } from './effects.js';
import { serviceId, severityId } from './schemas.js';

/** What a declaration needs, however it was typed (slash command text or a form). */
export const declareSchema = (config: AppConfig) =>
  z.object({
    title: z.string().trim().min(1).max(150),
    sev: severityId(config).default(config.defaultSeverity),
    service: serviceId(config).optional(),
    summary: z.string().trim().max(3000).default(''),
    private: z.boolean().default(false),
  });

export type DeclareForm = { title?: string; sev?: string; service?: string; summary?: string; private?: boolean };

/**
 * Declares an incident: records it, opens its channel (effects), starts the escalation policy its
 * severity and service choose, and returns the answer for the person who declared it.
 */
export async function declareIncident(deps: Deps, workspace: string, user: Actor, form: DeclareForm): Promise<Reply> {
  const input = validate(declareSchema(deps.config), form, 'usage.declare');
  const number = await deps.store.nextNumber(workspace);
  const events = declareEvents(
    { title: input.title, summary: input.summary, severity: input.sev, private: input.private, ...(input.service ? { service: input.service } : {}) },
    user,
    deps.clock.now(),
  );
  const created = await createIncident(deps.store, { workspace, number }, events);
  const opened = await applyEffects(deps, created, events);
  let incident = opened;
  let pagingFailed: string | undefined;
  try {
    incident = await startPaging(deps, opened);
  } catch (err) {
    // The incident and its channel exist: say so, and say that paging did not start.
    pagingFailed = errorRef();
    deps.log.error({ err, ref: pagingFailed, incidentId: opened.ref, workspace }, 'paging did not start');
  }
  const params = { ref: incident.ref, title: incident.title, severity: incident.severity, channelId: incident.channelId ?? '' };
  const lines = [deps.t(incident.channelId ? 'reply.declared' : 'reply.declared_no_channel', params)];
  if (pagingFailed) lines.push(deps.t('reply.paging_failed', { ref: pagingFailed }));
  else if (!incident.escalation) {
    lines.push(deps.t('reply.no_policy_on_declare', { severity: incident.severity, service: incident.service ? ` / ${incident.service}` : '' }));
  }
  return { text: lines.join('\n') };
}

/** Starts the escalation policy that the incident's severity and service choose, if any. */
async function startPaging(deps: Deps, incident: Incident): Promise<Incident> {
  const policy = choosePolicy(deps.config, incident.severity, incident.service);
  if (!policy) return incident;
  const snapshot = snapshotPolicy(deps.config, policy, incident.service);
  const { after, events } = await mutate(deps.store, incident, (inc) => decideStartEscalation(inc, policy.id, snapshot, deps.clock.now()));
  // A failed timer is re-armed by the minute sweep (the escalation state says a step is due).
  return applyEffects(deps, after, events);
}
