import { formatClock, formatDate, formatTime } from './durations.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';
import { inline } from './markdown.js';
import { participantsOf } from './participants.js';

/**
 * The postmortem's participants table, right after the overview: who took part, in which roles,
 * from when, and how much they wrote in the channel. Names are user text, escaped for a cell.
 */
export function peopleSection(events: readonly IncidentEvent[], declaredAt: string, t: Translate, tz: string): string[] {
  const people = participantsOf(events);
  const head = [t('pm.people'), ''];
  if (!people.length) return [...head, t('pm.people_none')];
  const day = formatDate(declaredAt, tz);
  const rows = people.map((p) => {
    const roles = p.roles.map((r) => t(`word.role.${r}`)).join(', ') || t('pm.none');
    // The day is left out while it is the declaration's, as in the immediate actions.
    const joined = formatDate(p.joinedAt, tz) === day ? formatClock(p.joinedAt, tz) : formatTime(p.joinedAt, tz);
    return `| ${inline(p.actor.name)} | ${roles} | ${joined} | ${p.messages} |`;
  });
  return [
    ...head,
    `| ${t('pm.people_name')} | ${t('pm.people_roles')} | ${t('pm.people_joined')} | ${t('pm.people_messages')} |`,
    '|---|---|---:|---:|',
    ...rows,
  ];
}
