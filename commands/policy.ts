import { splitArgs } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { parseWhen } from '../src/core/when.js';
import type { Command } from '../src/app/context.js';
import { policyDryRun } from '../src/app/policy-dry-run.js';

export const policy: Command = {
  name: 'policy',
  usage: 'usage.policy',
  help: 'help.policy',
  scope: 'anywhere',
  async run({ deps, inv, args }) {
    const { positionals, flags } = splitArgs(args, { at: 'value', service: 'value' }, 'usage.policy');
    const now = deps.clock.now();
    const start = typeof flags.at === 'string' ? parseWhen(flags.at, deps.config.timeZone, now) : now;
    if (!start) throw new IncidentError('bad_time', { value: String(flags.at) });
    const text = policyDryRun(deps.config, deps.t, {
      name: positionals[0] ?? deps.config.defaultSeverity,
      ...(typeof flags.service === 'string' ? { service: flags.service } : {}),
      start,
      covers: await deps.oncall.overrides(inv.workspace, now),
    });
    return { text };
  },
};
