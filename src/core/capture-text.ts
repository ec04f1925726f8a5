import { impactList } from './capture.js';
import type { IncidentEvent } from './events.js';
import type { Translate } from './i18n/index.js';

type CaptureEvent = IncidentEvent & { type: 'why_recorded' | 'cause_recorded' | 'impact_recorded' | 'lesson_recorded' | 'summary_set' };

/** A capture event as one timeline line (timeline.ts), also what the channel is told (effects.ts). */
export function captureText(e: CaptureEvent, t: Translate): string {
  switch (e.type) {
    case 'why_recorded':
      return t(e.rewrite ? 'timeline.why_rewritten' : 'timeline.why_recorded', { n: e.n, text: e.text });
    case 'cause_recorded':
      return t(e.underlying ? 'timeline.cause_underlying' : 'timeline.cause_direct', { text: e.text });
    case 'impact_recorded':
      return t('timeline.impact_recorded', { values: impactList(e.values) });
    case 'lesson_recorded':
      if (e.kind === 'unsorted') return t('timeline.lesson_marked', { text: e.text });
      return t('timeline.lesson_recorded', { kind: t(`word.lesson.${e.kind}`), text: e.text });
    case 'summary_set':
      return t('timeline.summary_set', { text: e.text });
  }
}

/** Whether an event is one of the capture events. */
export function isCaptureEvent(e: IncidentEvent): e is CaptureEvent {
  return e.type === 'why_recorded' || e.type === 'cause_recorded' || e.type === 'impact_recorded' || e.type === 'lesson_recorded' || e.type === 'summary_set';
}
