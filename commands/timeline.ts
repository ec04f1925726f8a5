import { formatTimeline, timelineEntries } from '../src/core/timeline.js';
import type { Command } from '../src/app/context.js';

export const timeline: Command = {
  name: 'timeline',
  usage: 'usage.timeline',
  help: 'help.timeline',
  scope: 'incident',
  async run({ deps, incident }) {
    const events = await deps.store.events(incident);
    const body = formatTimeline(timelineEntries(events, deps.t, { mention: true }), deps.config.timeZone, { mention: true });
    const items = incident.actionItems.map((a) => `${a.status === 'done' ? '☑' : '☐'} ${a.id} ${a.text}`);
    const text = [deps.t('reply.timeline_header', { ref: incident.ref, title: incident.title, tz: deps.config.timeZone }), body, ...items].join('\n');
    return { text };
  },
};
