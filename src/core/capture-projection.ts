import type { IncidentEvent } from './events.js';
import type { Incident } from './model.js';

type CaptureEvent = IncidentEvent & { type: 'why_recorded' | 'cause_recorded' | 'impact_recorded' | 'lesson_recorded' | 'summary_set' };

/**
 * What the capture events (capture.ts) leave on the incident: the five whys, the causes, the
 * impact figures, the lessons and the summary, each as last typed. Part of `project`.
 */
export function applyCapture(s: Incident, e: CaptureEvent): Incident {
  switch (e.type) {
    case 'why_recorded': {
      const whys = [...(s.whys ?? [])];
      // decideWhy only writes an existing why or the next one; a gap could only come from a hand-made event.
      whys[e.n - 1] = e.text;
      return { ...s, whys: Array.from(whys, (w) => w ?? '') };
    }
    case 'cause_recorded':
      return e.underlying ? { ...s, underlyingCause: e.text } : { ...s, directCause: e.text };
    case 'impact_recorded':
      // Spread order keeps a replaced key where it first stood, so the postmortem lists figures as first recorded.
      return { ...s, impact: { ...s.impact, ...e.values } };
    case 'lesson_recorded': {
      const lesson = { kind: e.kind, text: e.text, by: e.actor, at: e.at, ...(e.messageId ? { messageId: e.messageId } : {}), ...(e.author ? { author: e.author } : {}) };
      return { ...s, lessons: [...(s.lessons ?? []), lesson] };
    }
    case 'summary_set':
      return { ...s, summary: e.text };
  }
}
