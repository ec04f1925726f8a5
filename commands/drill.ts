import { splitArgs } from '../src/core/args.js';
import { DEFAULT_DRILL, DRILL_SCENARIOS, drillScenario } from '../src/core/drills.js';
import { IncidentError } from '../src/core/errors.js';
import type { Command } from '../src/app/context.js';
import { declareIncident } from '../src/app/declare.js';

/**
 * `/incident drill [scenario] [--dry]`: a whole incident for practice (seed 001's quarterly
 * drills), marked DRILL in its title (so in its channel name, summary, page DMs and
 * announcement), paging the real policy unless `--dry` (then only whoever started it). Its
 * scenario posts symptoms in the channel over a few minutes; metrics and figures leave it out.
 */
export const drill: Command = {
  name: 'drill',
  usage: 'usage.drill',
  help: 'help.drill',
  scope: 'anywhere',
  async run(ctx) {
    const { deps, inv } = ctx;
    const { positionals, flags } = splitArgs(ctx.args, { dry: 'boolean' }, 'usage.drill');
    const [id = DEFAULT_DRILL, ...extra] = positionals;
    const scenario = drillScenario(id);
    if (!scenario || extra.length) throw new IncidentError('unknown_scenario', { value: [id, ...extra].join(' '), allowed: DRILL_SCENARIOS.map((s) => s.id).join(', ') });
    // A scenario's severity the config does not have falls back to the default one.
    const severity = deps.config.severities.some((s) => s.id === scenario.severity) ? scenario.severity : deps.config.defaultSeverity;
    const title = deps.t('drill.title', { title: deps.t(scenario.title) });
    return declareIncident(deps, inv.workspace, inv.user, { title, sev: severity, summary: deps.t(scenario.summary) }, { drill: { scenario: scenario.id, dry: flags['dry'] === true } });
  },
};
