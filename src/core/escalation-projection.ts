import { isOpenPage, type EscalationState, type Page } from './escalation.js';
import type { IncidentEvent } from './events.js';
import { canMove, pageIdsOf } from './paging.js';

/**
 * Folds one event into the paging state; events that do not concern paging leave it as it is.
 * `version` is the incident version this event is applied at (pages by hand are named by it).
 * Page states only move along PAGE_TRANSITIONS (paging.ts).
 */
export function applyEscalation(state: EscalationState | undefined, e: IncidentEvent, version: number): EscalationState | undefined {
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
      const ids = pageIdsOf(e, version);
      const by = e.step < 0 ? { requestedBy: e.actor.id } : {};
      const created: Page[] = e.users.map((user, i) => ({ id: ids[i] ?? '', user, at: e.at, generation: e.generation, step: e.step, state: 'requested', ...by }));
      const pages = [...base.pages, ...created];
      if (e.step < 0) return { ...base, pages };
      const { nextStep: _s, nextAt: _a, ...rest } = base;
      return { ...rest, pages, ...(e.next ? { nextStep: e.next.step, nextAt: e.next.at } : {}) };
    }
    case 'page_sent':
      return state && withPage(state, e.pageId, (p) => ({ ...p, dm: { channelId: e.channelId, messageId: e.messageId }, sentAt: e.at, ...(p.state === 'requested' || p.state === 'failed' ? { state: 'sent' } : {}) }));
    case 'page_failed':
      return state && withPage(state, e.pageId, (p) => (canMove(p.state, 'failed') ? { ...p, state: 'failed', reason: e.reason } : p));
    case 'acknowledged': {
      if (!state) return state;
      const stoodDown = new Set(e.stoodDown ?? []);
      const pages = state.pages.map((p): Page => {
        if (!isOpenPage(p)) return p;
        if (p.user.id === e.actor.id) return { ...p, state: 'acknowledged', ackedAt: e.at };
        if (stoodDown.has(p.id)) return { ...p, state: 'stood_down', reason: `acknowledged by ${e.actor.id}`, endedBy: e.actor.id, endedAt: e.at };
        return p;
      });
      // Answering a page you sent yourself is no acknowledgement of the incident (docs/security.md).
      if (e.own) return { ...state, pages };
      if (state.phase !== 'paging') return { ...state, pages, ...firstAck(state, e) };
      const { nextStep: _s, nextAt: _a, ...rest } = state;
      return { ...rest, pages, phase: 'acknowledged', ...firstAck(state, e) };
    }
    case 'escalated': {
      if (!state) return state;
      const next: EscalationState = { ...state, generation: e.generation, phase: 'paging', nextStep: e.step, nextAt: e.at };
      if (e.reason !== 'ack_timeout') return next;
      // Paging again after an acknowledgement timed out: whoever answers this round is the one
      // page DMs and the summary name (the incident's time to acknowledge stays the first).
      const { acknowledgedBy: _b, acknowledgedAt: _a, ...rest } = next;
      return rest;
    }
    case 'escalation_exhausted':
      return state ? withoutNext({ ...state, phase: 'exhausted' }) : state;
    case 'resolved':
    case 'cancelled':
    case 'closed': {
      if (!state) return state;
      // Nobody is waited on once the incident is over: open pages end, and their DMs (if any) say so.
      const pages = state.pages.map((p): Page => (isOpenPage(p) ? { ...p, state: 'stood_down', reason: e.type, endedAt: e.at } : p));
      return state.phase === 'paging' ? withoutNext({ ...state, pages, phase: 'stopped' }) : { ...state, pages };
    }
    default:
      return state;
  }
}

function withPage(state: EscalationState, pageId: string, change: (p: Page) => Page): EscalationState {
  return { ...state, pages: state.pages.map((p) => (p.id === pageId ? change(p) : p)) };
}

function firstAck(state: EscalationState, e: IncidentEvent & { type: 'acknowledged' }): Partial<EscalationState> {
  if (state.acknowledgedBy) return {};
  return { acknowledgedBy: e.actor, acknowledgedAt: e.at, ttaMs: e.ttaMs };
}

function withoutNext(state: EscalationState): EscalationState {
  const { nextStep: _s, nextAt: _a, ...rest } = state;
  return rest;
}
