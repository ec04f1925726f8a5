import { formatDuration } from './durations.js';
import { BOOKKEEPING_EVENTS, type IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import type { Actor, Incident, NoticeAudience } from './model.js';
import { isActive, isTerminal } from './model.js';
import { pagingEffects, type PagingOptions } from './paging-effects.js';
import { tierOf } from './escalation.js';
import type { OutboundMessage, StepRef } from './ports.js';
import { alertLines, alertText, firingItems, leadAlert } from './alerts/incident.js';
import { BOT } from './projection.js';
import { stepsTickedBy } from './checklist.js';
import { drillScenario } from './drills.js';
import { guidanceEffects, updateAnnouncement } from './guidance-effects.js';
import { captureText } from './capture-text.js';
import { changesReviewWait, reviewEffects } from './postmortem-review.js';
import { changesFollowups } from './followups.js';
import { doneNotices } from './followup-messages.js';
import { chatTime } from './chat-time.js';

/**
 * What the outside world should see after events were recorded. Pure: the runner in src/app
 * carries these out through the chat port. Keeping the mapping here means every platform shows
 * the same things at the same moments.
 */
export type Effect =
  | { kind: 'open_channel' }
  | { kind: 'invite'; userIds: string[] }
  | { kind: 'post'; message: OutboundMessage }
  | { kind: 'announce'; message: OutboundMessage }
  /** A stakeholder notice, to its audience's configured channel (`channels.stakeholders`, `channels.external`). */
  | { kind: 'notice'; audience: NoticeAudience; message: OutboundMessage }
  | { kind: 'refresh_summary' }
  /** The channel topic names the severity: rendered from the incident as it is when it runs. */
  | { kind: 'set_topic' }
  | { kind: 'write_postmortem'; actor: string }
  | { kind: 'schedule_step'; ref: StepRef; dueAt: string }
  /** Removes pending timers of generations up to `generation`: a late re-run never touches a newer one. */
  | { kind: 'cancel_steps'; generation: number }
  /** A page DM: delivered while the page is still `requested`, then linked to its page (page_sent). */
  | { kind: 'page'; pageId: string; user: Actor; message: OutboundMessage }
  /** Replaces the buttons of a delivered page DM with how its page ended. */
  | { kind: 'page_outcome'; pageId: string }
  /** A stand-down notice: not delivered if, by then, the person was paged again. */
  | { kind: 'dm'; user: Actor; message: OutboundMessage }
  /** Arms the timer of the next update reminder, computed from the incident when it runs (summary.ts nextReminderAt). */
  | { kind: 'schedule_reminder' }
  /** Arms the one check, ten minutes after declare, for roles nobody holds (P1, P2). */
  | { kind: 'schedule_roles_check' }
  /** Posts the response checklist in the channel and pins it (once). */
  | { kind: 'post_checklist' }
  /** Rewrites the pinned checklist from the incident as it is when it runs. */
  | { kind: 'refresh_checklist' }
  /** Arms the timer of a drill's next symptom (drills.ts nextSymptom), if one is left. */
  | { kind: 'schedule_drill_step' }
  /** (Re)writes the finished incident's record in the stats index, from the incident as it is when it runs (issue 12). */
  | { kind: 'index_stats' }
  /**
   * Arms the postmortem review reminders still due (24 h and 48 h after the resolve) and keeps the
   * workspace's set of incidents awaiting review in step (postmortem-review.ts), issue 12.
   */
  | { kind: 'schedule_review_reminders' }
  /** Writes the incident's open action items to the cross-incident index and arms their reminders (issue 12, followups.ts). */
  | { kind: 'sync_followups' }
  /** Tells an item's owner that someone else marked it done (issue 12, followup-messages.ts doneNotices). */
  | { kind: 'followup_done'; itemId: string; user: Actor; message: OutboundMessage };

/**
 * Effects that only write to the queues: done first in each batch, so tier 1's page DM and the
 * next timer never wait behind slow platform calls such as opening the channel.
 */
const QUEUE_KINDS: ReadonlySet<Effect['kind']> = new Set(['page', 'schedule_step', 'cancel_steps']);

const suffix = (t: Translate, text: string | undefined) => (text ? t('word.because', { text }) : '');

const DEFAULT_PAGING: PagingOptions = { ackEmojis: ['white_check_mark', 'eyes'] };

/**
 * Every effect of a batch of events, in the order they should happen (queue writes first, the
 * rest as the events came). The runner writes them to the outbox in the same atomic append as
 * the events, so none is lost to a crash between the two.
 */
export function effectsFor(after: Incident, events: readonly IncidentEvent[], t: Translate, paging: PagingOptions = DEFAULT_PAGING): Effect[] {
  const all = effectsInOrder(after, events, t, paging);
  return [...all.filter((e) => QUEUE_KINDS.has(e.kind)), ...all.filter((e) => !QUEUE_KINDS.has(e.kind))];
}

function effectsInOrder(after: Incident, events: readonly IncidentEvent[], t: Translate, paging: PagingOptions): Effect[] {
  const out: Effect[] = [];
  let summaryChanged = false;
  let channelOpened = false;
  let clockMoved = false;
  const hasChannel = Boolean(after.channelId);
  const post = (text: string) => hasChannel && out.push({ kind: 'post', message: { text } });
  const firstVersion = after.version - events.length + 1;
  for (const [i, e] of events.entries()) {
    const actor = e.actor.id;
    out.push(...pagingEffects(after, e, firstVersion + i, t, paging));
    switch (e.type) {
      case 'declared':
        // A triage incident (an alert route's `action: page`) opens its channel only when someone presses Declare.
        if (!e.triage) out.push({ kind: 'open_channel' });
        break;
      case 'triage_declared':
        out.push({ kind: 'open_channel' });
        break;
      case 'channel_created': {
        const commander = after.roles.commander?.id ?? after.declaredBy.id;
        const people = channelMembers(after);
        if (people.length) out.push({ kind: 'invite', userIds: people });
        const lead = leadAlert(after);
        const welcome = after.alerts && commander === BOT.id ? t('post.welcome_alert', { ref: after.ref, source: alertText(after.alerts.source, 40) }) : t('post.welcome', { ref: after.ref, commander });
        // One post opens the channel (each post is a request against the platform's rate limits):
        // the welcome, the alert it came from, and the pages sent with the declaration, before the
        // channel existed, which the channel hears now.
        const opening = [welcome, ...(lead ? [alertLines(lead, t).join('\n')] : []), ...pagedSoFar(after, t)];
        out.push({ kind: 'post', message: { text: opening.join('\n') } });
        summaryChanged = true;
        const announce = { ref: after.ref, title: after.title, severity: after.severity, commander, channelId: e.channelId };
        // A channel that opened only after the incident ended (it kept failing) invites nobody to join.
        const announceKey = after.private ? 'announce.declared_private' : commander === BOT.id ? 'announce.declared_alert' : 'announce.declared';
        if (isActive(after.status)) out.push({ kind: 'announce', message: { text: t(announceKey, announce) } });
        // The guided response starts with the channel: the checklist, the update clock, the roles check.
        channelOpened = true;
        if (after.drill) {
          const scenario = drillScenario(after.drill.scenario);
          out.push({ kind: 'post', message: { text: t('post.drill_intro', { scenario: scenario ? t(scenario.title) : after.drill.scenario }) } });
          out.push({ kind: 'schedule_drill_step' });
        }
        break;
      }
      case 'alert_fired': {
        // The alerts a declaration came with are in its welcome; later ones are news for the
        // channel: one message for all the alerts of a delivery (a storm is not a message per alert).
        summaryChanged = true;
        const fired = events.filter((x): x is IncidentEvent & { type: 'alert_fired' } => x.type === 'alert_fired');
        if (events[0]?.type === 'declared' || fired[0] !== e) break;
        if (fired.length === 1) post([t('post.alert_fired', { summary: alertText(e.summary) }), ...alertLines(e, t).slice(1)].join('\n'));
        else post([t('post.alerts_fired', { count: fired.length }), ...listed(fired, t)].join('\n'));
        break;
      }
      case 'alert_resolved': {
        summaryChanged = true;
        const resolved = events.filter((x): x is IncidentEvent & { type: 'alert_resolved' } => x.type === 'alert_resolved');
        if (resolved[resolved.length - 1] !== e) break;
        if (resolved.length === 1) post(t(e.quiet ? 'post.alert_resolved_quiet' : 'post.alert_resolved', { summary: alertText(e.summary) }));
        else post([t('post.alerts_resolved', { count: resolved.length }), ...listed(resolved, t)].join('\n'));
        const resolvesNow = events.some((x) => x.type === 'resolved');
        if (!resolvesNow && hasChannel && isActive(after.status) && firingItems(after).length === 0) {
          const resolve = { id: 'resolve' as const, label: t('page.button_resolve'), value: String(after.number), style: 'primary' as const };
          out.push({ kind: 'post', message: { text: t('post.alerts_all_resolved', { ref: after.ref }), actions: [resolve] } });
        }
        break;
      }
      case 'status_changed':
        post(t('post.status_changed', { actor, status: t(`word.status.${e.to}`), message: suffix(t, e.message) }));
        // With a message it is a status update: announced, and the update clock starts again.
        if (e.message) {
          out.push({ kind: 'announce', message: { text: updateAnnouncement(after, e.message, t) } });
          clockMoved = true;
        }
        summaryChanged = true;
        break;
      case 'severity_changed':
        post(t('post.severity_changed', { actor, from: e.from, to: e.to, reason: suffix(t, e.reason) }));
        if (hasChannel) out.push({ kind: 'set_topic' });
        summaryChanged = true;
        // A new severity, a new cadence.
        clockMoved = true;
        break;
      case 'update_posted':
      case 'update_reminded':
      case 'update_snoozed':
      case 'reopened':
      case 'drill_symptom':
      case 'roles_reminded': {
        const g = guidanceEffects(after, e, t, { timeZone: paging.timeZone ?? 'UTC', hasChannel });
        out.push(...g.effects);
        summaryChanged ||= g.summaryChanged;
        clockMoved ||= g.clockMoved;
        break;
      }
      case 'role_assigned':
        if (!hasChannel) break;
        out.push({ kind: 'invite', userIds: [e.user.id] });
        post(t('post.role_assigned', { actor, user: e.user.id, role: t(`word.role.${e.role}`) }));
        summaryChanged = true;
        break;
      case 'note_added':
        post(t('post.note', { actor, text: e.text }));
        break;
      // issue 12: what was captured is said in the channel too; a 💡 lesson is not (the reaction shows it).
      case 'why_recorded':
      case 'cause_recorded':
      case 'impact_recorded':
      case 'summary_set':
        post(t('post.captured', { actor, text: captureText(e, t) }));
        // The pinned summary shows the summary text.
        if (e.type === 'summary_set') summaryChanged = true;
        break;
      case 'lesson_recorded':
        if (!e.messageId) post(t('post.captured', { actor, text: captureText(e, t) }));
        break;
      // issue 12: the 48-hour rule
      case 'postmortem_reminded':
      case 'postmortem_reviewed':
        out.push(...reviewEffects(after, e, t, { timeZone: paging.timeZone ?? 'UTC', hasChannel }));
        break;
      case 'notice_posted':
        out.push({ kind: 'notice', audience: e.audience, message: { text: e.text } });
        post(t('post.notice_posted', { actor, audience: t(`word.audience.${e.audience}`) }));
        break;
      case 'action_added': {
        const owner = e.item.owner ? t('word.owner', { owner: `<@${e.item.owner.id}>` }) : '';
        // issue 12: a due date known already (typed, or added after the resolve) is shown as the date.
        const dueAt = after.actionItems.find((a) => a.id === e.item.id)?.dueAt;
        const horizon = dueAt ? chatTime(dueAt, paging.timeZone ?? 'UTC') : t(`word.horizon.${e.item.horizon}`);
        post(t('post.action_added', { actor, id: e.item.id, text: e.item.text, owner, horizon }));
        break;
      }
      case 'action_completed':
        post(t('post.action_completed', { actor, id: e.id }));
        break;
      case 'resolved': {
        const duration = formatDuration(Date.parse(e.at) - Date.parse(after.declaredAt), t);
        if (actor === BOT.id) post(t('post.auto_resolved', { ref: after.ref, duration }));
        else post(t('post.resolved', { actor, ref: after.ref, duration, summary: suffix(t, e.summary) }));
        if (e.stillFiring) post(t('post.resolved_still_firing', { count: e.stillFiring }));
        const resolved = after.private ? t('announce.resolved_private', { ref: after.ref, duration }) : t('announce.resolved', { ref: after.ref, title: after.title, duration, summary: suffix(t, e.summary) });
        out.push({ kind: 'announce', message: { text: resolved } });
        // issue 12: the 48-hour rule starts with the resolve.
        out.push({ kind: 'schedule_review_reminders' });
        summaryChanged = true;
        break;
      }
      case 'cancelled': {
        post(t('post.cancelled', { actor, ref: after.ref, reason: suffix(t, e.reason) }));
        const cancelled = after.private ? t('announce.cancelled_private', { ref: after.ref }) : t('announce.cancelled', { ref: after.ref, title: after.title, reason: suffix(t, e.reason) });
        out.push({ kind: 'announce', message: { text: cancelled } });
        summaryChanged = true;
        break;
      }
      case 'closed':
        out.push({ kind: 'write_postmortem', actor });
        summaryChanged = true;
        break;
      case 'paged':
      case 'acknowledged':
      case 'escalated':
      case 'escalation_exhausted':
      case 'page_failed':
        summaryChanged = true;
        break;
      default:
        break;
    }
  }
  if (summaryChanged && hasChannel) out.push({ kind: 'refresh_summary' });
  if (channelOpened) out.push({ kind: 'post_checklist' }, { kind: 'schedule_roles_check' });
  else if (hasChannel && ticksChecklist(after, events)) out.push({ kind: 'refresh_checklist' });
  if (hasChannel && (channelOpened || clockMoved)) out.push({ kind: 'schedule_reminder' });
  // issue 12: the 48-hour rule. A reminder sent, a review, a reopen move or end the wait (the resolve's is pushed above).
  if (!events.some((e) => e.type === 'resolved') && events.some(changesReviewWait)) out.push({ kind: 'schedule_review_reminders' });
  // issue 12: stats. A closed or cancelled incident that changes (its close, a review, a follow-up done) is indexed again.
  if (isTerminal(after.status) && events.some((e) => !BOOKKEEPING_EVENTS.has(e.type))) out.push({ kind: 'index_stats' });
  // issue 12: follow-ups. The index and the reminders follow every change to the action items.
  if (changesFollowups(after, events)) out.push({ kind: 'sync_followups' });
  for (const n of doneNotices(t, after, events)) out.push({ kind: 'followup_done', ...n });
  return out;
}

/**
 * Who is let into an incident's channel as it opens: the declarer and the commander and, in a
 * private channel (nobody can join one by themselves), whoever was paged before it existed.
 */
export function channelMembers(inc: Incident): string[] {
  const commander = inc.roles.commander?.id ?? inc.declaredBy.id;
  const paged = inc.private ? (inc.escalation?.pages ?? []).map((p) => p.user.id) : [];
  return [...new Set([inc.declaredBy.id, commander, ...paged])].filter((id) => id !== BOT.id);
}

/** Whether these events ticked a step of the checklist (its first tick came from one of them), or reopening unticked one. */
function ticksChecklist(after: Incident, events: readonly IncidentEvent[]): boolean {
  return events.some((e) => e.type === 'reopened' || stepsTickedBy(e).some((step) => after.checklist?.[step]?.at === e.at && after.checklist[step]?.by.id === e.actor.id));
}


const LISTED = 10;

/** `• summary` lines of a delivery's alerts, the first ten and how many more. */
function listed(events: readonly { summary: string }[], t: Translate): string[] {
  const lines = events.slice(0, LISTED).map((e) => `• ${alertText(e.summary, 200)}`);
  if (events.length > LISTED) lines.push(t('post.alerts_more', { count: events.length - LISTED }));
  return lines;
}

/**
 * The paging lines the channel missed: every page recorded before the channel existed (tier 1,
 * and any later tier when the channel took long to open) had no channel to be announced in.
 */
function pagedSoFar(inc: Incident, t: Translate): string[] {
  const esc = inc.escalation;
  const policy = esc?.snapshot?.policy;
  const groups = new Map<string, { step: number; users: string[] }>();
  for (const p of esc?.pages ?? []) {
    if (p.step < 0) continue;
    const key = `${p.generation}/${p.step}`;
    const group = groups.get(key) ?? { step: p.step, users: [] };
    if (!group.users.includes(`<@${p.user.id}>`)) group.users.push(`<@${p.user.id}>`);
    groups.set(key, group);
  }
  if (!policy) return [];
  return [...groups.values()].map(({ step, users }) => {
    const { tier, round } = tierOf(policy, step);
    return t('post.paged', { users: users.join(', '), tier: tier + 1, tiers: policy.tiers.length, round: round + 1 });
  });
}
