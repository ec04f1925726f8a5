import { formatDuration } from './durations.js';
import type { Effect } from './effects.js';
import { totalSteps } from './escalation.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import type { Incident } from './model.js';

export interface PagingOptions {
  /** Emoji that acknowledge a page when someone reacts with them on the page DM. */
  ackEmojis: readonly string[];
}

/** What follows a paging event: DMs, timers, and a line in the incident channel. */
export function pagingEffects(after: Incident, e: IncidentEvent, t: Translate, o: PagingOptions): Effect[] {
  const ref = { workspace: after.workspace, number: after.number };
  const post = (text: string): Effect[] => (after.channelId ? [{ kind: 'post', message: { text } }] : []);
  switch (e.type) {
    case 'escalation_started':
      return [{ kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: 0 }, dueAt: e.at }];
    case 'escalated':
      return [
        { kind: 'cancel_steps' },
        { kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: e.step }, dueAt: e.at },
        ...post(t('post.escalated', { actor: e.actor.id, ref: after.ref })),
      ];
    case 'paged': {
      const out: Effect[] = e.users.map((user) => ({
        kind: 'page',
        user,
        step: e.step,
        generation: e.generation,
        at: e.at,
        message: pageMessage(after, e, t, o),
      }));
      const users = e.users.map((u) => `<@${u.id}>`).join(', ');
      const policy = after.escalation?.snapshot?.policy;
      if (e.step < 0) out.push(...post(t('post.paged_by_hand', { actor: e.actor.id, users, message: e.message ? t('word.because', { text: e.message }) : '' })));
      else if (users) out.push(...post(t('post.paged', { users, tier: (e.tier ?? 0) + 1, tiers: policy?.tiers.length ?? 1, round: (e.round ?? 0) + 1 })));
      for (const rotation of e.uncovered ?? []) out.push(...post(t('post.uncovered', { rotation })));
      if (e.next) {
        out.push({ kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: e.next.step }, dueAt: e.next.at });
      }
      return out;
    }
    case 'acknowledged':
      return [
        { kind: 'cancel_steps' },
        ...post(t('post.acknowledged', { actor: e.actor.id, ref: after.ref, tta: formatDuration(e.ttaMs, t) })),
      ];
    case 'escalation_exhausted': {
      const pages = after.escalation?.snapshot ? totalSteps(after.escalation.snapshot.policy) : 0;
      return post(t('post.exhausted', { ref: after.ref, pages }));
    }
    case 'resolved':
    case 'cancelled':
      return after.escalation ? [{ kind: 'cancel_steps' }] : [];
    default:
      return [];
  }
}

function pageMessage(inc: Incident, e: IncidentEvent & { type: 'paged' }, t: Translate, o: PagingOptions) {
  const emojis = o.ackEmojis.map((x) => (/^[a-z_]+$/.test(x) ? `:${x}:` : x)).join(' or ');
  const lines = [t('page.dm', { ref: inc.ref, severity: inc.severity, title: inc.title })];
  if (e.message) lines.push(t('page.from', { actor: e.actor.id, message: e.message }));
  lines.push(inc.channelId ? t('page.how_to_ack', { emojis, channelId: inc.channelId }) : t('page.how_to_ack_no_channel', { emojis }));
  const value = String(inc.number);
  return {
    text: lines.join('\n'),
    actions: [
      { id: 'ack' as const, label: t('page.button_ack'), value, style: 'primary' as const },
      { id: 'escalate' as const, label: t('page.button_escalate'), value },
    ],
  };
}
