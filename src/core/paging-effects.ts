import { chatTime } from './chat-time.js';
import { formatDuration } from './durations.js';
import type { Effect } from './effects.js';
import { totalSteps, type Page } from './escalation.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import type { Incident } from './model.js';
import { escalatePosition, findPage, pageIdsOf, type EscalatePosition } from './paging.js';
import type { OutboundMessage } from './ports.js';
import { alertLines, alertText, leadAlert } from './alerts/incident.js';
import { BOT } from './projection.js';

export interface PagingOptions {
  /** Emoji that acknowledge a page when someone reacts with them on the page DM. */
  ackEmojis: readonly string[];
  /** For the time in a page DM's outcome ("acknowledged by @x at 14:03"). */
  timeZone?: string;
}

/**
 * What follows a paging event: DMs, timers, and a line in the incident channel. `version` is
 * the incident version the event was recorded at (it names pages by hand).
 */
export function pagingEffects(after: Incident, e: IncidentEvent, version: number, t: Translate, o: PagingOptions): Effect[] {
  const ref = { workspace: after.workspace, number: after.number };
  const esc = after.escalation;
  const post = (text: string): Effect[] => (after.channelId ? [{ kind: 'post', message: { text } }] : []);
  // A timer is worth arming only while the incident still waits on it after the whole batch
  // (declare records the start and tier 1's page together: step 0 needs no timer then).
  const stillDue = (generation: number, step: number) => esc?.phase === 'paging' && esc.generation === generation && esc.nextStep === step;
  const outcomes = (): Effect[] => (esc?.pages ?? []).filter((p) => p.dm).map((p) => ({ kind: 'page_outcome', pageId: p.id }));
  switch (e.type) {
    case 'escalation_started': {
      // A policy started over an older one (a raised severity) supersedes the older one's timers.
      const out: Effect[] = e.generation > 1 ? [{ kind: 'cancel_steps', generation: e.generation - 1 }] : [];
      if (stillDue(e.generation, 0)) out.push({ kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: 0 }, dueAt: e.at });
      return out;
    }
    case 'escalated': {
      const out: Effect[] = [{ kind: 'cancel_steps', generation: e.generation - 1 }];
      if (stillDue(e.generation, e.step)) out.push({ kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: e.step }, dueAt: e.at });
      const text = e.reason === 'ack_timeout' ? t('post.ack_timed_out', { ref: after.ref }) : t('post.escalated', { actor: e.actor.id, ref: after.ref });
      return [...out, ...post(text)];
    }
    case 'paged': {
      const ids = pageIdsOf(e, version);
      const message = pageMessage(after, e, t, o);
      const out: Effect[] = e.users.map((user, i) => ({ kind: 'page', pageId: ids[i] ?? '', user, message }));
      // Nobody can join a private channel by themselves: the people paged are let in (docs/security.md).
      if (after.private && after.channelId && e.users.length) out.push({ kind: 'invite', userIds: e.users.map((u) => u.id) });
      const users = e.users.map((u) => `<@${u.id}>`).join(', ');
      const policy = esc?.snapshot?.policy;
      if (e.step < 0) out.push(...post(t('post.paged_by_hand', { actor: e.actor.id, users, message: e.message ? t('word.because', { text: e.message }) : '' })));
      else if (users) out.push(...post(t('post.paged', { users, tier: (e.tier ?? 0) + 1, tiers: policy?.tiers.length ?? 1, round: (e.round ?? 0) + 1 })));
      for (const rotation of e.uncovered ?? []) out.push(...post(t('post.uncovered', { rotation })));
      if (e.next && stillDue(e.generation, e.next.step)) {
        out.push({ kind: 'schedule_step', ref: { ...ref, generation: e.generation, step: e.next.step }, dueAt: e.next.at });
      }
      return out;
    }
    case 'acknowledged': {
      if (e.own) return post(t('post.acknowledged_own', { actor: e.actor.id, ref: after.ref }));
      const out: Effect[] = [{ kind: 'cancel_steps', generation: esc?.generation ?? e.generation }];
      const timeout = esc?.snapshot?.policy.ackTimeoutMs;
      if (timeout && esc?.phase === 'acknowledged') {
        const dueAt = new Date(Date.parse(e.at) + timeout).toISOString();
        out.push({ kind: 'schedule_step', ref: { ...ref, generation: esc.generation, step: 0, kind: 'ack_timeout' }, dueAt });
      }
      if (e.actor.id === BOT.id) out.push(...post(t('post.acknowledged_by_source', { source: alertText(e.actor.name, 40), ref: after.ref })));
      else out.push(...post(t('post.acknowledged', { actor: e.actor.id, ref: after.ref, tta: formatDuration(e.ttaMs, t) })));
      if (after.channelId && e.actor.id !== BOT.id) out.push({ kind: 'invite', userIds: [e.actor.id] });
      // People who were told (their DM went out) hear that they can stand down; the rest never will.
      for (const id of e.stoodDown ?? []) {
        const page = findPage(after, id);
        if (page?.dm) out.push({ kind: 'dm', user: page.user, message: { text: t('page.stand_down', { ref: after.ref, actor: e.actor.id }) } });
      }
      return [...out, ...outcomes()];
    }
    case 'page_sent': {
      // The DM raced an acknowledgement or the end of the incident: it shows the outcome at once.
      const page = findPage(after, e.pageId);
      return page && page.state !== 'sent' ? [{ kind: 'page_outcome', pageId: e.pageId }] : [];
    }
    case 'page_failed': {
      const page = findPage(after, e.pageId);
      return page ? post(t('post.page_failed', { user: page.user.id, reason: e.reason })) : [];
    }
    case 'escalation_exhausted': {
      const pages = esc?.snapshot ? totalSteps(esc.snapshot.policy) : 0;
      const undelivered = (esc?.pages ?? []).filter((p) => p.state === 'requested').length;
      return post(undelivered ? t('post.exhausted_undelivered', { ref: after.ref, pages, undelivered }) : t('post.exhausted', { ref: after.ref, pages }));
    }
    case 'resolved':
    case 'cancelled':
      return esc ? [{ kind: 'cancel_steps', generation: esc.generation }, ...outcomes()] : [];
    default:
      return [];
  }
}

/**
 * The first line of a page DM and of its outcome. A private incident's title stays in its
 * channel: a DM shows on lock screens and in notifications, and the person is invited anyway.
 */
function pageHead(inc: Incident, t: Translate): string {
  const params = { ref: inc.ref, severity: inc.severity, title: inc.title };
  return t(inc.private ? 'page.dm_private' : 'page.dm', params);
}

function pageMessage(inc: Incident, e: IncidentEvent & { type: 'paged' }, t: Translate, o: PagingOptions): OutboundMessage {
  const emojis = o.ackEmojis.map((x) => (/^[a-z_]+$/.test(x) ? `:${x}:` : x)).join(' or ');
  const lines = [pageHead(inc, t)];
  if (e.message) lines.push(t('page.from', { actor: e.actor.id, message: e.message }));
  // What the alert says, its labels and its links (generator, dashboard, silence): not for a private incident's DM.
  const lead = inc.private ? undefined : leadAlert(inc);
  if (lead) lines.push(...alertLines(lead, t));
  const join = inc.private ? 'page.how_to_ack_private' : 'page.how_to_ack';
  lines.push(inc.channelId ? t(join, { emojis, channelId: inc.channelId }) : t('page.how_to_ack_no_channel', { emojis }));
  if (inc.triage) lines.push(t('page.triage_hint'));
  // A policy page escalates from its own step; a page by hand from wherever the policy stood.
  const from = e.step >= 0 ? { generation: e.generation, step: e.step } : escalatePosition(inc.escalation);
  return {
    text: lines.join('\n'),
    actions: [
      { id: 'ack' as const, label: t('page.button_ack'), value: String(inc.number), style: 'primary' as const },
      { id: 'escalate' as const, label: t('page.button_escalate'), value: escalateValue(inc.number, from) },
      ...(inc.triage ? [{ id: 'declare' as const, label: t('page.button_declare'), value: String(inc.number) }] : []),
    ],
  };
}

/**
 * The Escalate button's value, `<number>.<generation>.<step>` (no `:`, which Discord's button
 * ids use as their separator). A replay of the press, or a press of an older DM, names a step the
 * incident has moved past, and decideEscalate does nothing.
 */
export function escalateValue(number: number, from: EscalatePosition): string {
  return `${number}.${from.generation}.${from.step}`;
}

/** A button's value: the incident number and, for Escalate buttons made since they carry it, where it escalates from. */
export function parseButtonValue(value: string): { number: number; from?: EscalatePosition } | null {
  const m = /^(\d{1,15})(?:\.(\d{1,15})\.(-1|\d{1,15}))?$/.exec(value.trim());
  if (!m) return null;
  const number = Number(m[1]);
  if (m[2] === undefined || m[3] === undefined) return { number };
  return { number, from: { generation: Number(m[2]), step: Number(m[3]) } };
}

/**
 * What a page DM shows once its page is over, in place of its buttons: who acknowledged and
 * when, or that the incident ended. Undefined while the page still waits for an answer (a page
 * by hand after the acknowledgement keeps its buttons).
 */
export function pageOutcomeMessage(inc: Incident, page: Page, t: Translate, o: PagingOptions): OutboundMessage | undefined {
  const head = pageHead(inc, t);
  if (inc.status === 'resolved' || inc.status === 'closed' || inc.status === 'cancelled') {
    return { text: `${head}\n${t(inc.status === 'cancelled' ? 'page.outcome_cancelled' : 'page.outcome_resolved', { ref: inc.ref })}` };
  }
  // From the page itself: who answered this page's round, even once a later round (an ack
  // timeout paging again) has moved the incident's own "acknowledged by" on.
  const by = page.state === 'acknowledged' ? page.user.id : page.state === 'stood_down' ? page.endedBy : undefined;
  const when = page.state === 'acknowledged' ? page.ackedAt : page.endedAt;
  if (!by || !when) return undefined;
  return { text: `${head}\n${t('page.outcome_acknowledged', { user: by, at: chatTime(when, o.timeZone ?? 'UTC') })}` };
}
