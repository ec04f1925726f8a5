import { chatTime } from './chat-time.js';
import { drillScenario } from './drills.js';
import type { Effect } from './effects.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import type { Incident } from './model.js';
import { BOT } from './projection.js';

/**
 * What the guided response's events show (issue 11, docs/response.md): status updates in the
 * channel and the announcement channel, update reminders with their buttons, snoozes, reopening,
 * the roles reminder, a drill's symptoms. Pure, like effects.ts, which calls it for these events
 * and then arms the timers and refreshes the summary as the flags say.
 */

export interface GuidanceEffects {
  effects: Effect[];
  /** The summary shows something new (the last update, "overdue since", the status). */
  summaryChanged: boolean;
  /** The update clock moved: the next reminder's timer is armed again. */
  clockMoved: boolean;
}

const suffix = (t: Translate, text: string | undefined) => (text ? t('word.because', { text }) : '');

export function guidanceEffects(after: Incident, e: IncidentEvent, t: Translate, o: { timeZone: string; hasChannel: boolean }): GuidanceEffects {
  const effects: Effect[] = [];
  const post = (text: string) => o.hasChannel && effects.push({ kind: 'post', message: { text } });
  const actor = e.actor.id;
  const result = (summaryChanged: boolean, clockMoved: boolean): GuidanceEffects => ({ effects, summaryChanged, clockMoved });
  switch (e.type) {
    case 'update_posted':
      post(t('post.update', { actor, status: t(`word.status.${after.status}`), text: e.text }));
      effects.push({ kind: 'announce', message: { text: updateAnnouncement(after, e.text, t) } });
      return result(true, true);
    case 'update_reminded': {
      const who = [...new Set([after.roles.commander?.id ?? after.declaredBy.id, after.roles.comms?.id].filter((id): id is string => Boolean(id) && id !== BOT.id))];
      const value = String(after.number);
      const actions = [
        { id: 'update' as const, label: t('reminder.button_update'), value, style: 'primary' as const },
        { id: 'snooze_15' as const, label: t('reminder.button_snooze_15'), value },
        { id: 'snooze_60' as const, label: t('reminder.button_snooze_60'), value },
      ];
      if (o.hasChannel) {
        const text = t('post.update_reminder', { who: who.map((id) => `<@${id}>`).join(' ') || t('summary.nobody'), ref: after.ref, time: chatTime(e.dueAt, o.timeZone) });
        effects.push({ kind: 'post', message: { text, actions } });
      }
      return result(true, true);
    }
    case 'update_snoozed':
      post(t('post.update_snoozed', { actor, time: chatTime(e.until, o.timeZone) }));
      return result(false, true);
    case 'reopened': {
      post(t('post.reopened', { actor, ref: after.ref, reason: suffix(t, e.reason) }));
      if (e.page) post(t('post.reopened_paging'));
      const text = after.private ? t('announce.reopened_private', { ref: after.ref }) : t('announce.reopened', { ref: after.ref, title: after.title, reason: suffix(t, e.reason) });
      effects.push({ kind: 'announce', message: { text } });
      return result(true, true);
    }
    case 'drill_symptom': {
      const symptom = after.drill ? drillScenario(after.drill.scenario)?.symptoms[e.index] : undefined;
      if (symptom) post(t('post.drill_symptom', { text: t(symptom.text) }));
      effects.push({ kind: 'schedule_drill_step' });
      return result(false, false);
    }
    case 'roles_reminded': {
      const commander = after.roles.commander?.id ?? after.declaredBy.id;
      const actions = e.missing.map((role) => ({ id: role === 'comms' ? ('take_comms' as const) : ('take_scribe' as const), label: t(role === 'comms' ? 'roles.button_comms' : 'roles.button_scribe'), value: String(after.number) }));
      const roles = e.missing.map((r) => t(`word.role.${r}`)).join(t('word.and'));
      if (o.hasChannel) effects.push({ kind: 'post', message: { text: t('post.roles_reminder', { commander, ref: after.ref, severity: after.severity, roles }), actions } });
      return result(false, false);
    }
    default:
      return result(false, false);
  }
}

/** A status update as the announcement channel reads it; a private incident's says only that there is one. */
export function updateAnnouncement(after: Incident, text: string, t: Translate): string {
  if (after.private) return t('announce.update_private', { ref: after.ref });
  return t('announce.update', { ref: after.ref, title: after.title, severity: after.severity, status: t(`word.status.${after.status}`), text });
}
