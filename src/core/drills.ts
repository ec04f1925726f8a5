import { checklistDone } from './checklist.js';
import { formatDuration } from './durations.js';
import { event, type IncidentEvent } from './events.js';
import type { MessageKey, Translate } from './i18n/index.js';
import { incidentTimes } from './metrics.js';
import { CHECKLIST_STEPS, isActive, type Incident } from './model.js';
import { BOT } from './projection.js';

/**
 * Drills (seed 001's quarterly drills): a whole incident, marked DRILL wherever people see it
 * (the title, hence the channel name, the summary, every page DM and the announcement), whose
 * scenario posts its symptoms in the channel over a few minutes, as monitoring and users would.
 * Drills are left out of every metric and figure (observe.ts, metrics.ts); the postmortem scores
 * the response instead.
 */

export interface DrillSymptom {
  /** Minutes after the channel opened. */
  afterMinutes: number;
  text: MessageKey;
}

export interface DrillScenario {
  id: string;
  title: MessageKey;
  summary: MessageKey;
  severity: string;
  service?: string;
  symptoms: readonly DrillSymptom[];
}

/** The scenarios of the seeds: 001's DB connection failure, 004's thread-pool exhaustion, 003's API latency. */
export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  {
    id: 'db-connection',
    title: 'drill.db.title',
    summary: 'drill.db.summary',
    severity: 'P1',
    symptoms: [
      { afterMinutes: 0, text: 'drill.db.s1' },
      { afterMinutes: 2, text: 'drill.db.s2' },
      { afterMinutes: 4, text: 'drill.db.s3' },
      { afterMinutes: 7, text: 'drill.db.s4' },
    ],
  },
  {
    id: 'thread-pool',
    title: 'drill.pool.title',
    summary: 'drill.pool.summary',
    severity: 'P1',
    symptoms: [
      { afterMinutes: 0, text: 'drill.pool.s1' },
      { afterMinutes: 2, text: 'drill.pool.s2' },
      { afterMinutes: 5, text: 'drill.pool.s3' },
      { afterMinutes: 8, text: 'drill.pool.s4' },
    ],
  },
  {
    id: 'api-latency',
    title: 'drill.latency.title',
    summary: 'drill.latency.summary',
    severity: 'P2',
    symptoms: [
      { afterMinutes: 0, text: 'drill.latency.s1' },
      { afterMinutes: 3, text: 'drill.latency.s2' },
      { afterMinutes: 6, text: 'drill.latency.s3' },
    ],
  },
];

export const DEFAULT_DRILL = 'db-connection';

export function drillScenario(id: string): DrillScenario | undefined {
  return DRILL_SCENARIOS.find((s) => s.id === id.toLowerCase());
}

export function isDrill(inc: Pick<Incident, 'drill'>): boolean {
  return inc.drill !== undefined;
}

/** When the scenario's next symptom is due (minutes after the declaration), if one is left. */
export function nextSymptom(inc: Incident): { index: number; at: Date } | undefined {
  const scenario = inc.drill ? drillScenario(inc.drill.scenario) : undefined;
  const index = inc.drill?.symptoms ?? 0;
  const symptom = scenario?.symptoms[index];
  // Once resolved, the scenario is over: a reopened drill posts no more symptoms.
  if (!symptom || !isActive(inc.status) || inc.statusHistory.some((s) => s.status === 'resolved')) return undefined;
  return { index, at: new Date(Date.parse(inc.declaredAt) + symptom.afterMinutes * 60_000) };
}

/** The symptom `index` falls due: posted once (a re-run of its timer finds it posted). */
export function decideDrillSymptom(inc: Incident, index: number, now: Date): IncidentEvent[] {
  if (nextSymptom(inc)?.index !== index) return [];
  return [event({ type: 'drill_symptom', index }, BOT, now)];
}

/** The drill's score for its postmortem: how fast it was acknowledged and first updated, how much of the checklist got done. */
export function drillScore(inc: Incident, events: readonly IncidentEvent[], t: Translate): string[] {
  const times = incidentTimes(events);
  const firstUpdate = events.find((e) => e.type === 'update_posted' || (e.type === 'status_changed' && e.message));
  const sinceDeclare = (at: string | undefined) => (at ? formatDuration(Date.parse(at) - Date.parse(inc.declaredAt), t) : t('drill.score_never'));
  const ack = sinceDeclare(times.acknowledgedAt);
  return [
    t('drill.score_head'),
    '',
    t('drill.score_ack', { value: ack }),
    t('drill.score_update', { value: sinceDeclare(firstUpdate?.at) }),
    t('drill.score_checklist', { done: checklistDone(inc), total: CHECKLIST_STEPS.length }),
  ];
}
