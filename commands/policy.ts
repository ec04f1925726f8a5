import { splitArgs } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { formatDuration, formatTime } from '../src/core/durations.js';
import { dryRun } from '../src/core/escalation.js';
import { choosePolicy, snapshotPolicy } from '../src/core/routing.js';
import { parseWhen } from '../src/core/rotation.js';
import type { Command } from '../src/app/context.js';

export const policy: Command = {
  name: 'policy',
  usage: 'usage.policy',
  help: 'help.policy',
  scope: 'anywhere',
  async run({ deps, inv, args }) {
    const { config, t } = deps;
    const { positionals, flags } = splitArgs(args, { at: 'value', service: 'value' }, 'usage.policy');
    const name = positionals[0] ?? config.defaultSeverity;
    const severity = config.severities.find((s) => s.id.toLowerCase() === name.toLowerCase());
    const chosen = severity
      ? choosePolicy(config, severity.id, typeof flags.service === 'string' ? flags.service : undefined)
      : config.policies.find((p) => p.id === name.toLowerCase());
    if (!chosen) {
      if (severity) return { text: t('reply.no_policy_on_declare', { severity: severity.id, service: '' }) };
      const allowed = config.policies.map((p) => p.id).join(', ') || '—';
      throw new IncidentError('unknown_policy', { value: name, allowed, severities: config.severities.map((s) => s.id).join(', ') });
    }
    const now = deps.clock.now();
    const start = typeof flags.at === 'string' ? parseWhen(flags.at, config.timeZone, now) : now;
    if (!start) throw new IncidentError('bad_time', { value: String(flags.at) });
    const overrides = await deps.oncall.overrides(inv.workspace, now);
    const lines = [t('reply.policy_head', { policy: chosen.name ?? chosen.id, at: formatTime(start.toISOString(), config.timeZone) })];
    for (const line of dryRun(snapshotPolicy(config, chosen), start, overrides)) {
      const who = line.resolved.userIds.map((id) => `<@${id}> (${line.resolved.via[id]})`);
      for (const r of line.resolved.uncovered) who.push(t('reply.policy_uncovered', { rotation: r }));
      lines.push(
        t('reply.policy_line', {
          offset: line.offsetMs === 0 ? 'T+0' : `T+${formatDuration(line.offsetMs, t)}`,
          time: formatTime(line.at.toISOString(), config.timeZone),
          tier: line.tier + 1,
          round: line.round + 1,
          who: who.join(', ') || t('summary.nobody'),
        }),
      );
    }
    return { text: lines.join('\n') };
  },
};
