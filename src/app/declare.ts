import { z } from 'zod';
import { validate } from '../core/args.js';
import { declareEvents } from '../core/lifecycle.js';
import type { Actor } from '../core/model.js';
import { project } from '../core/projection.js';
import { decideStartEscalation } from '../core/paging.js';
import { choosePolicy, snapshotPolicy } from '../core/routing.js';
import { parseStarted } from '../core/started.js';
import { createIncident } from '../store/mutate.js';
import type { AppConfig } from '../config.js';
import type { Deps, Reply } from './context.js';
import { lookupNames } from './escalation.js';
import { outboxOptions } from './record.js';
import { runEntries } from './relay.js';
import { limitedText, schemaPer, serviceId, severityId, titleText } from './schemas.js';

/** Longest title: it heads announcements, lists and the channel topic (the Slack form allows the same). */
const MAX_TITLE = 150;

/**
 * What a declaration needs, however it was typed (slash command text or a form). The title is
 * normalized and must keep something visible; the summary is capped at `limits.text`.
 */
export const declareSchema = schemaPer((config: AppConfig) =>
  z.object({
    title: titleText(MAX_TITLE),
    sev: severityId(config).default(config.defaultSeverity),
    service: serviceId(config).optional(),
    summary: limitedText(config.limits.text, 'arg.summary').default(''),
    private: z.boolean().default(false),
    started: z.string().optional(),
  }),
);

export type DeclareForm = { title?: string; sev?: string; service?: string; summary?: string; private?: boolean; started?: string };

/**
 * Declares an incident: records it together with the start of the escalation policy its severity
 * and service choose and tier 1's page, and the effects of all that (the channel to open, the
 * page DMs, the next timer) in the same atomic append, then runs those effects: the page DMs go
 * to the queue first and do not wait for the channel. Returns the answer for the declarer.
 */
export interface DeclareOptions {
  /** A drill (commands/drill.ts): marked as one; `dry` pages only whoever started it instead of the policy. */
  drill?: { scenario: string; dry: boolean };
}

export async function declareIncident(deps: Deps, workspace: string, user: Actor, form: DeclareForm, options: DeclareOptions = {}): Promise<Reply> {
  const input = validate(declareSchema(deps.config), form, 'usage.declare');
  const now = deps.clock.now();
  // Refused before anything is written (no number taken): a start time in the future is a typo.
  const detectedAt = input.started === undefined ? undefined : parseStarted(input.started, deps.config.timeZone, now).toISOString();
  const { drill } = options;
  const declared = declareEvents(
    {
      title: input.title,
      summary: input.summary,
      severity: input.sev,
      private: input.private,
      ...(input.service ? { service: input.service } : {}),
      ...(detectedAt ? { detectedAt } : {}),
      ...(drill ? { drill: { scenario: drill.scenario, ...(drill.dry ? { dry: true as const } : {}) } } : {}),
    },
    user,
    now,
  );
  // A dry drill pages whoever started it instead of the policy: a one-tier policy of its own, so
  // the acknowledgement is practised (and timed) as a real one.
  const paging = drill?.dry ? dryPaging(deps, user) : await pagingStart(deps, workspace, input.sev, input.service, now);
  const number = await deps.store.nextNumber(workspace);
  const key = { workspace, number };
  const draft = project(null, declared, key);
  const start = paging ? decideStartEscalation(draft, paging.policy.id, paging.snapshot, now, paging.overrides, (id) => paging.names.get(id) ?? id) : [];
  const events = [...declared, ...start];
  const created = await createIncident(deps.store, key, events, outboxOptions(deps));
  const incident = (await runEntries(deps, created.entries ?? [], created.after)) ?? created.after;
  const params = { ref: incident.ref, title: incident.title, severity: incident.severity, channelId: incident.channelId ?? '' };
  const lines = [deps.t(incident.channelId ? 'reply.declared' : 'reply.declared_no_channel', params)];
  if (drill?.dry) lines.push(deps.t('reply.drill_dry'));
  else if (!incident.escalation) {
    lines.push(deps.t('reply.no_policy_on_declare', { severity: incident.severity, service: incident.service ? ` / ${incident.service}` : '' }));
  }
  return { text: lines.join('\n') };
}

/** The policy of a dry drill: one tier, paging whoever started it. */
export function dryPaging(deps: Deps, user: Actor) {
  const policy = { id: 'drill-dry', name: deps.t('drill.dry_policy'), tiers: [{ targets: [{ user: user.id }], delayMs: 300_000 }], repeat: 0 };
  return { policy, snapshot: snapshotPolicy(deps.config, policy), overrides: {}, names: new Map([[user.id, user.name]]) };
}

/** The policy an incident of this severity and service starts, and who its first tier pages now. */
export async function pagingStart(deps: Deps, workspace: string, severity: string, service: string | undefined, now: Date, policyId?: string) {
  const policy = policyId ? deps.config.policies.find((p) => p.id === policyId) : choosePolicy(deps.config, severity, service);
  if (!policy) return undefined;
  const snapshot = snapshotPolicy(deps.config, policy, service);
  const overrides = await deps.oncall.overrides(workspace, now);
  const names = await lookupNames(deps, workspace, snapshot, 0, now, overrides);
  return { policy, snapshot, overrides, names };
}
