import type { Translate } from './i18n/index.js';
import { formatDuration, formatTime } from './durations.js';
import { isOpenPage, totalSteps } from './escalation.js';
import type { Incident, SeverityLevel , ROLES } from './model.js';
import { isActive } from './model.js';
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
  return t('summary.paging_waiting', { users, at: formatTime(esc.nextAt, o.timeZone) });
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
    ? due.getTime() < o.now.getTime()
      ? t('summary.overdue', { time: formatTime(due.toISOString(), o.timeZone) })
      : formatTime(due.toISOString(), o.timeZone)
    : t('summary.none');
  const fields = [
    { label: t('summary.severity'), value: severityLabel(o.severities, inc.severity) },
    { label: t('summary.status'), value: t(`word.status.${inc.status}`) },
    { label: t('summary.commander'), value: person('commander') },
    { label: t('summary.comms'), value: person('comms') },
    { label: t('summary.scribe'), value: person('scribe') },
    { label: t('summary.service'), value: inc.service ?? t('summary.none') },
    { label: t('summary.declared'), value: formatTime(inc.declaredAt, o.timeZone) },
    inc.resolvedAt
      ? { label: t('summary.resolved'), value: formatTime(inc.resolvedAt, o.timeZone) }
      : { label: t('summary.next_update'), value: dueText },
  ];
  const paging = pagingText(inc, o);
  if (paging) fields.push({ label: t('summary.paging'), value: paging });
  const items = inc.alerts?.items ?? [];
  if (items.length) fields.push({ label: t('summary.alerts'), value: t('summary.alerts_count', { firing: firingItems(inc).length, total: items.length }) });
  const lead = inc.private ? undefined : leadAlert(inc);
  const head = `*${t('summary.title', { ref: inc.ref, title: inc.title })}*${inc.summary ? `\n${inc.summary}` : ''}`;
  const text = lead ? `${head}\n${alertLines(lead, t).join('\n')}` : head;
  return { text, fields, footer: t('summary.footer') };
}
