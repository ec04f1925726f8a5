import type { Logger, ChatPort } from '../core/ports.js';
import type { StatsChartRenderer, StatsChartTarget, StatsSeries } from '../core/stats-types.js';
import type { StatsChartLabels } from '../infra/stats-chart.js';

/**
 * The `/incident stats` chart on Slack and Discord (Deps.charts): the weekly series drawn as a PNG
 * (src/infra/stats-chart.ts) and sent as a file to the person who asked, by DM (the answer is
 * theirs alone: the chart never goes into the channel the command was typed in), through the chat
 * port (RoutingChat finds the platform from the workspace id). A failure to draw or to
 * upload is thrown to the caller, which has already answered in text and says so in one line.
 * The renderer (Chart.js on @napi-rs/canvas, a native module) is loaded on first use: a machine
 * whose install lacks the native binary still starts, and only the chart fails, logged.
 */
export function statsChartRenderer(deps: { chat: ChatPort; log: Logger }): StatsChartRenderer {
  const warned = new Set<string>();
  return {
    async render(series: StatsSeries, target: StatsChartTarget): Promise<void> {
      const labels: StatsChartLabels = { title: target.title, incidents: target.labels.incidents, mttr: target.labels.mttr, hours: target.labels.hours };
      const { renderStatsChart, unrenderable } = await import('../infra/stats-chart.js');
      warnMissingGlyphs(deps.log, warned, unrenderable(labels).join(''));
      const png = await renderStatsChart(series, labels);
      const first = series.weeks[0]?.start;
      const name = first ? `incident-stats-${first}.png` : 'incident-stats.png';
      await deps.chat.dmFile(target.workspace, target.userId, { name, data: png, title: target.title, alt: target.title });
    },
  };
}

/** Once per process and set of characters: the words the chart leaves out, and what would draw them. */
function warnMissingGlyphs(log: Logger, warned: Set<string>, missing: string): void {
  if (!missing || warned.has(missing)) return;
  warned.add(missing);
  log.warn({ missing, fix: 'install a font that has these characters (Korean: apt-get install fonts-nanum); see docs/operations.md' }, 'stats chart words left out: no installed font draws them');
}
