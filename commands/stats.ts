import { splitArgs, validate } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { isAdmin } from '../src/core/authz.js';
import { computeStats, MAX_DAYS, parseSince, visibleRecords, type Since, type Stats, type StatsQuery } from '../src/core/stats.js';
import { chartTitle, statsHeading, statsText } from '../src/core/stats-text.js';
import type { StatsRecord } from '../src/core/stats-types.js';
import type { Command, CommandContext, Deps, Reply } from '../src/app/context.js';
import { serviceId, severityId } from '../src/app/schemas.js';

/**
 * `/incident stats [--since 30d|90d|2026-10-01] [--service x] [--sev P1]`: reliability figures
 * from the index of closed incidents (src/store/redis-stats.ts), never from a scan of timelines.
 * Works anywhere; the answer, and the chart (by DM), are for the person who asked. Figures are
 * aggregates only: no title or reference of any incident is shown, and private incidents count
 * only for admins (visibleRecords), so a narrow filter cannot reveal one's duration.
 */
export const stats: Command = {
  name: 'stats',
  usage: 'usage.stats',
  help: 'help.stats',
  scope: 'anywhere',
  async run(ctx) {
    const { deps, inv } = ctx;
    const { flags, positionals } = splitArgs(ctx.args, { since: 'value', service: 'value', sev: 'value' }, 'usage.stats');
    // `/incident stats 90d` reads as `--since 90d`; words besides a `--since` are refused as a period.
    if (positionals.length && flags.since !== undefined) throw new IncidentError('bad_since', { value: positionals.join(' '), max: MAX_DAYS });
    const sinceText = typeof flags.since === 'string' ? flags.since : positionals.length ? positionals.join(' ') : undefined;
    const now = deps.clock.now();
    const since = parseSince(sinceText, now, deps.config.timeZone);
    const severity = typeof flags.sev === 'string' ? validate(severityId(deps.config), flags.sev, 'usage.stats') : undefined;
    const service = typeof flags.service === 'string' ? validate(serviceId(deps.config), flags.service, 'usage.stats') : undefined;
    const query = { sinceMs: since.sinceMs, untilMs: now.getTime() + 1, ...(service ? { service } : {}), ...(severity ? { severity } : {}) };
    const indexed = deps.stats ? await deps.stats.since(inv.workspace, query.sinceMs, query.untilMs) : [];
    const records = visibleRecords(indexed, isAdmin(deps.config, inv.user.id));
    // Without configured services any name is accepted: one nobody used is answered with those that were.
    if (service && deps.config.services.length === 0 && !records.some((r) => r.service === service)) {
      return { text: [statsHeading({ t: deps.t, timeZone: deps.config.timeZone, since, query }), noSuchService(deps, service, records)].join('\n') };
    }
    const figures = computeStats(records, query, { severities: deps.config.severities, timeZone: deps.config.timeZone, now });
    const charted = inv.platform !== 'local' && deps.charts !== undefined && figures.count > 0;
    const text = statsText(figures, { t: deps.t, timeZone: deps.config.timeZone, since, query, sparklines: !charted });
    // The chart follows the text answer (Reply.followUp), so the figures never wait for an upload.
    return charted ? { text, followUp: () => sendChart(ctx, figures, since, query) } : { text };
  },
};

function noSuchService(deps: Deps, service: string, records: readonly StatsRecord[]): string {
  const seen = [...new Set(records.filter((r) => !r.drill && !r.cancelled && r.service).map((r) => r.service ?? ''))].sort();
  return deps.t('stats.none_service', { service, services: seen.length ? seen.join(', ') : deps.t('stats.no_services') });
}

/**
 * The chart renderer (Deps.charts) draws the weekly series and sends it to the person who asked
 * by DM, never into the channel the command was typed in (the answer is theirs alone). One line
 * after the figures says it was sent; a chart that fails is logged and that line says so instead.
 */
async function sendChart(ctx: CommandContext, figures: Stats, since: Since, query: Pick<StatsQuery, 'service' | 'severity'>): Promise<Reply | undefined> {
  const { deps, inv } = ctx;
  if (!deps.charts || inv.platform === 'local') return undefined;
  const title = chartTitle({ t: deps.t, since, query });
  const labels = { incidents: deps.t('stats.chart_incidents'), mttr: deps.t('stats.chart_mttr'), hours: deps.t('stats.chart_hours') };
  try {
    await deps.charts.render(figures.series, { platform: inv.platform, workspace: inv.workspace, userId: inv.user.id, title, labels });
    return { text: deps.t('stats.chart_sent') };
  } catch (err) {
    deps.log.warn({ platform: inv.platform, workspace: inv.workspace, err: (err as Error).message }, 'stats chart not attached');
    return { text: deps.t('stats.chart_failed') };
  }
}
