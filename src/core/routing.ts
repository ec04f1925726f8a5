import type { EscalationPolicy, PolicySnapshot } from './escalation.js';
import type { Rotation } from './rotation-schema.js';

/** The paging part of the configuration, as the core sees it. */
export interface PagingConfig {
  rotations: readonly Rotation[];
  services: readonly { id: string; team: readonly string[] }[];
  policies: readonly EscalationPolicy[];
  routes: readonly { severity?: string | string[]; service?: string; policy: string }[];
  defaultPolicy?: string;
}

/** The policy for an incident: the first route matching its severity and service, else the default. */
export function choosePolicy(c: PagingConfig, severity: string, service: string | undefined): EscalationPolicy | undefined {
  const route = c.routes.find(
    (r) => (r.severity === undefined || [r.severity].flat().includes(severity)) && (r.service === undefined || r.service === service),
  );
  const id = route?.policy ?? c.defaultPolicy;
  return c.policies.find((p) => p.id === id);
}

/**
 * Copies the policy, the rotations it names and the service's team, so later config edits leave
 * this incident alone.
 */
export function snapshotPolicy(c: PagingConfig, policy: EscalationPolicy, service?: string): PolicySnapshot {
  const names = new Set(policy.tiers.flatMap((t) => t.targets.flatMap((x) => ('rotation' in x ? [x.rotation] : []))));
  const team = c.services.find((s) => s.id === service)?.team ?? [];
  return structuredClone({ policy, rotations: c.rotations.filter((r) => names.has(r.id)), serviceTeam: [...team] });
}
