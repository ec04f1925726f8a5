import { MAX_WHYS } from './capture.js';
import type { Translate } from './i18n/index.js';
import { inline, prose } from './markdown.js';
import type { Incident, Lesson } from './model.js';

/**
 * The postmortem sections people filled in during the incident (capture.ts): root cause with the
 * five whys, impact with its figures, lessons. What was typed goes in as typed (escaped for where
 * it stands, markdown.ts); only what is still missing keeps its `_(fill in)_` prompt.
 */

const has = (text: string | undefined): text is string => Boolean(text?.trim());

export function rootCauseSection(inc: Incident, t: Translate): string[] {
  const whys = inc.whys ?? [];
  return [
    t('pm.root_cause'),
    '',
    has(inc.directCause) ? t('pm.direct_cause_value', { text: prose(inc.directCause) }) : t('pm.direct_cause'),
    has(inc.underlyingCause) ? t('pm.underlying_cause_value', { text: prose(inc.underlyingCause) }) : t('pm.underlying_cause'),
    t('pm.five_whys'),
    ...Array.from({ length: MAX_WHYS }, (_, i) => {
      const n = i + 1;
      const question = n === 1 ? t('pm.why_first', { title: inline(inc.title) }) : t('pm.why_next');
      const answer = whys[i];
      return has(answer) ? t('pm.why_answer', { n, question, answer: prose(answer) }) : t('pm.why', { n, question });
    }),
  ];
}

/** Numbers with digit grouping (1,200; 4.2); figures with units as typed. The same grouping reads right in Korean. */
export function formatFigure(value: number | string): string {
  return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 10 }) : inline(value);
}

/** `duration`: the service's time from declare to resolve, as the overview shows it. */
export function impactSection(inc: Incident, duration: string, t: Translate): string[] {
  const service = has(inc.service) ? inline(inc.service) : t('pm.fill_in');
  const figures = Object.entries(inc.impact ?? {});
  const users = inc.impact?.users;
  const serviceLine =
    users === undefined ? t('pm.service_impact', { service, duration }) : t('pm.service_impact_users', { service, duration, users: formatFigure(users) });
  if (figures.length === 0) return [t('pm.impact'), '', serviceLine, t('pm.business_impact')];
  return [
    t('pm.impact'),
    '',
    serviceLine,
    t('pm.impact_figures'),
    '',
    `| ${t('pm.col_figure')} | ${t('pm.col_value')} |`,
    '|---|---|',
    ...figures.map(([key, value]) => `| ${inline(key)} | ${formatFigure(value)} |`),
  ];
}

const SORTED_KINDS = [
  ['good', 'pm.went_well', 'pm.went_well_head'],
  ['bad', 'pm.went_badly', 'pm.went_badly_head'],
  ['lucky', 'pm.got_lucky', 'pm.got_lucky_head'],
] as const;

function lessonItem(l: Lesson, t: Translate, nested: boolean): string {
  // A 💡 lesson is someone's message: it names who wrote it, and who marked it when that was someone else.
  const line =
    l.author && l.author.id !== l.by.id
      ? t('pm.lesson_marked_item', { text: prose(l.text), author: inline(l.author.name), name: inline(l.by.name) })
      : t('pm.lesson_item', { text: prose(l.text), name: inline((l.author ?? l.by).name) });
  return nested ? `  ${line}` : line;
}

/** Went well / went badly / got lucky, each in the order typed; lessons marked 💡 under "to sort". */
export function lessonsSection(inc: Incident, t: Translate): string[] {
  const lessons = inc.lessons ?? [];
  const out = [t('pm.lessons'), ''];
  for (const [kind, empty, head] of SORTED_KINDS) {
    const items = lessons.filter((l) => l.kind === kind);
    if (items.length === 0) out.push(t(empty));
    else out.push(t(head), ...items.map((l) => lessonItem(l, t, true)));
  }
  out.push(t('pm.insights'));
  const unsorted = lessons.filter((l) => l.kind === 'unsorted');
  if (unsorted.length) out.push('', t('pm.to_sort'), '', t('pm.to_sort_hint'), '', ...unsorted.map((l) => lessonItem(l, t, false)));
  return out;
}
