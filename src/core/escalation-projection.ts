import type { EscalationState } from './escalation.js';
import type { IncidentEvent } from './events.js';

/** Folds one event into the paging state; events that do not concern paging leave it as it is. */
export function applyEscalation(state: EscalationState | undefined, e: IncidentEvent): EscalationState | undefined {
  switch (e.type) {
    case 'escalation_started':
      return {
        policyId: e.policyId,
        snapshot: e.snapshot,
        generation: e.generation,
        phase: 'paging',
        nextStep: 0,
        nextAt: e.at,
        pages: state?.pages ?? [],
        ...(state?.acknowledgedBy ? { acknowledgedBy: state.acknowledgedBy, acknowledgedAt: state.acknowledgedAt, ttaMs: state.ttaMs } : {}),
      };
    case 'paged': {
      const base: EscalationState = state ?? { generation: e.generation, phase: 'stopped', pages: [] };
      const pages = [...base.pages, ...e.users.map((user) => ({ user, at: e.at, generation: e.generation, step: e.step }))];
      if (e.step < 0) return { ...base, pages };
      const { nextStep: _s, nextAt: _a, ...rest } = base;
      return { ...rest, pages, ...(e.next ? { nextStep: e.next.step, nextAt: e.next.at } : {}) };
    }
    case 'acknowledged': {
      if (!state) return state;
      const pages = state.pages.map((p) => (p.user.id === e.actor.id && !p.ackedAt ? { ...p, ackedAt: e.at } : p));
      if (state.phase !== 'paging') return { ...state, pages, ...firstAck(state, e) };
      const { nextStep: _s, nextAt: _a, ...rest } = state;
      return { ...rest, pages, phase: 'acknowledged', ...firstAck(state, e) };
    }
    case 'escalated':
      if (!state) return state;
      return { ...state, generation: e.generation, phase: 'paging', nextStep: e.step, nextAt: e.at };
    case 'escalation_exhausted':
      return state ? withoutNext({ ...state, phase: 'exhausted' }) : state;
    case 'resolved':
    case 'cancelled':
    case 'closed':
      return state && state.phase === 'paging' ? withoutNext({ ...state, phase: 'stopped' }) : state;
    default:
      return state;
  }
}

function firstAck(state: EscalationState, e: IncidentEvent & { type: 'acknowledged' }): Partial<EscalationState> {
  if (state.acknowledgedBy) return {};
  return { acknowledgedBy: e.actor, acknowledgedAt: e.at, ttaMs: e.ttaMs };
}

function withoutNext(state: EscalationState): EscalationState {
  const { nextStep: _s, nextAt: _a, ...rest } = state;
  return rest;
}
