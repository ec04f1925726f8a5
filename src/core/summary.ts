import type { Translate } from './i18n/index.js';
import { chatTime } from './chat-time.js';
import { formatDuration } from './durations.js';
import { isOpenPage, totalSteps } from './escalation.js';
import type { Incident, SeverityLevel , ROLES } from './model.js';
import { isActive } from './model.js';
import { cutText } from './text.js';
import { drillScenario } from './drills.js';
import type { OutboundMessage } from './ports.js';
import { alertLines, firingItems, leadAlert } from './alerts/incident.js';

export interface SummaryOptions {
  t: Translate;
  severities: readonly SeverityLevel[];
  timeZone: string;
  now: Date;
}

export function severityLabel(severities: readonly SeverityLevel[], id: string): string {
  const level = severities.find((s) => s.id === id);
  return level ? `${level.id} ${level.name}` : id;
}

/** When the next status update is expected: the severity's cadence after the last one. */
export function nextUpdateDue(inc: Incident, severities: readonly SeverityLevel[]): Date | undefined {
  if (!isActive(inc.status)) return undefined;
  const level = severities.find((s) => s.id === inc.severity);
  if (!level) return undefined;
  return new Date(Date.parse(inc.lastUpdateAt) + level.updateEveryMinutes * 60_000);
}

/**
 * When the commander is next reminded to post an update: when it falls due; once reminded for
 * that, a cadence later (and so on while nobody posts one); after a Snooze, when it ends. None
 * while the incident is not active or has no channel to be reminded in.
 */
export function nextReminderAt(inc: Incident, severities: readonly SeverityLevel[]): Date | undefined {
  const due = nextUpdateDue(inc, severities);
  const level = severities.find((s) => s.id === inc.severity);
  if (!due || !level || !inc.channelId || inc.triage) return undefined;
  const cadence = level.updateEveryMinutes * 60_000;
  let at = due.getTime();
  const reminded = inc.remindedAt ? Date.parse(inc.remindedAt) : NaN;
  if (Number.isFinite(reminded) && reminded >= at) at = reminded + cadence;
  // A snooze pressed after the last reminder says when to be reminded again: then, not a cadence
  // after that reminder. Once the snoozed reminder came, the cadence goes on from it.
  const snoozed = inc.updateSnoozedUntil ? Date.parse(inc.updateSnoozedUntil) : NaN;
  if (Number.isFinite(snoozed) && !(reminded >= snoozed)) at = Math.max(due.getTime(), snoozed);
  return new Date(at);
}

function pagingText(inc: Incident, o: SummaryOptions): string | undefined {
  const esc = inc.escalation;
  if (!esc) return undefined;
  const { t } = o;
  if (esc.phase !== 'paging') {
    if (esc.acknowledgedBy && esc.ttaMs !== undefined) return t('summary.paging_acked', { user: esc.acknowledgedBy.id, tta: formatDuration(esc.ttaMs, t) });
    return t(esc.phase === 'exhausted' ? 'summary.paging_exhausted' : 'summary.paging_stopped');
  }
  const users = [...new Set(esc.pages.filter(isOpenPage).map((p) => `<@${p.user.id}>`))].join(', ') || t('summary.nobody');
  const last = esc.snapshot && esc.nextStep !== undefined && esc.nextStep >= totalSteps(esc.snapshot.policy);
  if (!esc.nextAt || last) return t('summary.paging_waiting_last', { users });
  return t('summary.paging_waiting', { users, at: chatTime(esc.nextAt, o.timeZone) });
}

/** The message pinned at the top of the incident channel and rewritten on every change. */
export function summaryMessage(inc: Incident, o: SummaryOptions): OutboundMessage {
  const { t } = o;
  const person = (role: (typeof ROLES)[number]) => {
    const a = inc.roles[role];
    return a ? `<@${a.id}>` : t('summary.nobody');
  };
  const due = nextUpdateDue(inc, o.severities);
  const dueText = due
    ? due.getTime() <= o.now.getTime()
      ? t('summary.overdue', { time: chatTime(due.toISOString(), o.timeZone) })
      : chatTime(due.toISOString(), o.timeZone)
    : t('summary.none');
  const fields = [
    { label: t('summary.severity'), value: severityLabel(o.severities, inc.severity) },
    { label: t('summary.status'), value: t(`word.status.${inc.status}`) },
    { label: t('summary.commander'), value: person('commander') },
    { label: t('summary.comms'), value: person('comms') },
    { label: t('summary.scribe'), value: person('scribe') },
    { label: t('summary.service'), value: inc.service ?? t('summary.none') },
    { label: t('summary.declared'), value: chatTime(inc.declaredAt, o.timeZone) },
    inc.resolvedAt
      ? { label: t('summary.resolved'), value: chatTime(inc.resolvedAt, o.timeZone) }
      : { label: t('summary.next_update'), value: dueText },
  ];
  if (inc.drill) {
    const scenario = drillScenario(inc.drill.scenario);
    fields.unshift({ label: t('summary.drill'), value: t('summary.drill_value', { scenario: scenario ? t(scenario.title) : inc.drill.scenario, dry: inc.drill.dry ? t('word.drill_dry') : '' }) });
  }
  if (inc.lastUpdate) {
    fields.push({ label: t('summary.last_update'), value: t('summary.last_update_value', { time: chatTime(inc.lastUpdate.at, o.timeZone), user: inc.lastUpdate.by.id, text: cutText(inc.lastUpdate.text, 300, '…') }) });
  }
  const paging = pagingText(inc, o);
  if (paging) fields.push({ label: t('summary.paging'), value: paging });
  const items = inc.alerts?.items ?? [];
  if (items.length) fields.push({ label: t('summary.alerts'), value: t('summary.alerts_count', { firing: firingItems(inc).length, total: items.length }) });
  const lead = inc.private ? undefined : leadAlert(inc);
  const head = `*${t('summary.title', { ref: inc.ref, title: inc.title })}*${inc.summary ? `\n${inc.summary}` : ''}`;
  const text = lead ? `${head}\n${alertLines(lead, t).join('\n')}` : head;
  return { text, fields, footer: t('summary.footer') };
}
