import type { Actor } from './model.js';
import type { Override, Rotation } from './rotation-schema.js';
import { onCallAt } from './rotation.js';

/**
 * Escalation policies and the pure rules of paging: who a step pages, when the next one falls
 * due, and what the policy would do from a given moment (the dry run). The step runner in
 * src/app applies these decisions; nothing here waits or sends.
 */

/** A person, whoever a rotation has on call, or the incident's service team (seed 001's tier 2). */
export type Target = { user: string } | { rotation: string } | { serviceTeam: true };

export interface PolicyTier {
  targets: Target[];
  /** How long this tier has to acknowledge before the next tier is paged. */
  delayMs: number;
}

export interface EscalationPolicy {
  id: string;
  name?: string;
  tiers: PolicyTier[];
  /** How many more times the whole policy runs after the first pass. */
  repeat: number;
  /** PagerDuty's acknowledgement timeout: an acknowledged incident still unresolved after this pages again. */
  ackTimeoutMs?: number;
}

/** The policy and the rotations it names, copied onto the incident at declare time. */
export interface PolicySnapshot {
  policy: EscalationPolicy;
  rotations: Rotation[];
  /** The team of the incident's service, for `{ serviceTeam: true }` targets. */
  serviceTeam?: string[];
}

/**
 * One person asked to respond, once. A page is an entity with its own state machine (the rules
 * are in paging.ts, `PAGE_TRANSITIONS`, and docs/paging.md):
 *
 *   requested ─page_sent→ sent ─acknowledged→ acknowledged
 *       │                  └──── someone else acknowledged ──→ stood_down
 *       ├── someone else acknowledged before the DM went out ──→ stood_down
 *       ├── the incident ended before the DM went out ─────────→ stood_down
 *       └── the platform refused the DM for good ──────────────→ failed
 */
export type PageState = 'requested' | 'sent' | 'acknowledged' | 'stood_down' | 'failed';

export interface Page {
  /** Stable id: `g<generation>s<step>-<user>` for policy pages, `m<version>-<user>` for pages by hand. */
  id: string;
  user: Actor;
  at: string;
  generation: number;
  /** The policy step (tier + round), or -1 for a page sent by hand. */
  step: number;
  state: PageState;
  /** Who asked for a page by hand (the policy asks for the others). */
  requestedBy?: string;
  /** The DM that carries the page, once it was delivered: reactions on it acknowledge this page. */
  dm?: { channelId: string; messageId: string };
  sentAt?: string;
  ackedAt?: string;
  /** Why a page ended without an acknowledgement (stood down, failed). */
  reason?: string;
  /** Who acknowledged when this page was stood down by it, and when a page ended unanswered. */
  endedBy?: string;
  endedAt?: string;
}

export type EscalationPhase = 'paging' | 'acknowledged' | 'exhausted' | 'stopped';

/** The incident's paging state, projected from its events. */
export interface EscalationState {
  policyId?: string;
  snapshot?: PolicySnapshot;
  /** Bumped by a manual escalate; step jobs of older generations do nothing. */
  generation: number;
  phase: EscalationPhase;
  /** The policy step whose job is pending, if any. */
  nextStep?: number;
  nextAt?: string;
  pages: Page[];
  acknowledgedBy?: Actor;
  acknowledgedAt?: string;
  /** First page to first acknowledgement: the incident's time to acknowledge. */
  ttaMs?: number;
}

export function totalSteps(policy: EscalationPolicy): number {
  return policy.tiers.length * (policy.repeat + 1);
}

export function tierOf(policy: EscalationPolicy, step: number): { tier: number; round: number } {
  return { tier: step % policy.tiers.length, round: Math.floor(step / policy.tiers.length) };
}

export interface ResolvedTier {
  userIds: string[];
  /** Rotations named by the tier that had nobody on call at that moment. */
  uncovered: string[];
  /** Where each person came from, for messages: `rotation backend-primary` or `direct`. */
  via: Record<string, string>;
}

/** The people a tier names at an instant: direct users plus whoever each rotation has on call. */
export function resolveTier(snapshot: PolicySnapshot, tier: PolicyTier, at: Date, overrides: Record<string, Override[]> = {}): ResolvedTier {
  const userIds: string[] = [];
  const uncovered: string[] = [];
  const via: Record<string, string> = {};
  const add = (id: string, how: string) => {
    if (!userIds.includes(id)) userIds.push(id);
    via[id] ??= how;
  };
  for (const target of tier.targets) {
    if ('user' in target) {
      add(target.user, 'direct');
      continue;
    }
    if ('serviceTeam' in target) {
      if (!snapshot.serviceTeam?.length) uncovered.push('service team');
      for (const id of snapshot.serviceTeam ?? []) add(id, 'service team');
      continue;
    }
    const rotation = snapshot.rotations.find((r) => r.id === target.rotation);
    const who = rotation ? onCallAt(rotation, at, overrides[rotation.id] ?? []) : null;
    if (!who) {
      uncovered.push(target.rotation);
      continue;
    }
    add(who.userId, `rotation ${target.rotation}`);
  }
  return { userIds, uncovered, via };
}

export interface StepPlan {
  step: number;
  tier: number;
  round: number;
  resolved: ResolvedTier;
  /** The step after this one and how long until it, or undefined after the last. */
  next?: { step: number; delayMs: number };
}

/**
 * What policy step `step` does at `at`. The step after the last tier is the "exhausted" marker:
 * it fires after the last tier's delay so the channel learns that nobody answered.
 */
export function planStep(snapshot: PolicySnapshot, step: number, at: Date, overrides: Record<string, Override[]> = {}): StepPlan | 'exhausted' {
  const { policy } = snapshot;
  if (step >= totalSteps(policy)) return 'exhausted';
  const { tier, round } = tierOf(policy, step);
  const def = policy.tiers[tier];
  if (!def) return 'exhausted';
  const resolved = resolveTier(snapshot, def, at, overrides);
  // A tier that reaches nobody should not hold up the next one.
  const delayMs = resolved.userIds.length === 0 ? 0 : def.delayMs;
  return { step, tier, round, resolved, next: { step: step + 1, delayMs } };
}

export interface DryRunLine {
  offsetMs: number;
  at: Date;
  tier: number;
  round: number;
  resolved: ResolvedTier;
}

/** Who would be paged, and when, if nobody acknowledged: for people editing policies. */
export function dryRun(snapshot: PolicySnapshot, start: Date, overrides: Record<string, Override[]> = {}): DryRunLine[] {
  const lines: DryRunLine[] = [];
  let at = start;
  for (let step = 0; step < totalSteps(snapshot.policy); step++) {
    const plan = planStep(snapshot, step, at, overrides);
    if (plan === 'exhausted') break;
    lines.push({ offsetMs: at.getTime() - start.getTime(), at, tier: plan.tier, round: plan.round, resolved: plan.resolved });
    at = new Date(at.getTime() + (plan.next?.delayMs ?? 0));
  }
  return lines;
}

/** A page that still waits for an answer: asked for or delivered, and neither answered nor ended. */
export function isOpenPage(p: Page): boolean {
  return p.state === 'requested' || p.state === 'sent';
}

/** Pages of `userId` that still wait for an answer. */
export function openPagesOf(state: EscalationState | undefined, userId: string): Page[] {
  return state?.pages.filter((p) => p.user.id === userId && isOpenPage(p)) ?? [];
}

/** Everyone paged and not yet answered, for the "who can ack" message. */
export function waitingOn(state: EscalationState | undefined): Actor[] {
  const out: Actor[] = [];
  for (const p of state?.pages ?? []) if (isOpenPage(p) && !out.some((a) => a.id === p.user.id)) out.push(p.user);
  return out;
}
