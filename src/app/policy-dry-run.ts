import type { AppConfig } from '../config.js';
import { IncidentError } from '../core/errors.js';
import { chatTime } from '../core/chat-time.js';
import { formatDuration } from '../core/durations.js';
import { dryRun } from '../core/escalation.js';
import type { Translate } from '../core/i18n/index.js';
import type { CoverOverride } from '../core/ports.js';
import { choosePolicy, snapshotPolicy } from '../core/routing.js';

/**
 * Who a policy would page and when, if nobody acknowledged, from the rotations as they stand
 * (config overrides plus the covers given). `name` is a policy id or a severity (then the
 * routes choose the policy, as they would at declare).
 */
export function policyDryRun(
  config: AppConfig,
  t: Translate,
  q: { name: string; service?: string; start: Date; covers: Record<string, CoverOverride[]> },
): string {
  const severity = config.severities.find((s) => s.id.toLowerCase() === q.name.toLowerCase());
  const chosen = severity ? choosePolicy(config, severity.id, q.service) : config.policies.find((p) => p.id === q.name.toLowerCase());
  if (!chosen) {
    if (severity) return t('reply.no_policy_on_declare', { severity: severity.id, service: q.service ? ` / ${q.service}` : '' });
    const allowed = config.policies.map((p) => p.id).join(', ') || '—';
    throw new IncidentError('unknown_policy', { value: q.name, allowed, severities: config.severities.map((s) => s.id).join(', ') });
  }
  const lines = [t('reply.policy_head', { policy: chosen.name ?? chosen.id, at: chatTime(q.start.toISOString(), config.timeZone) })];
  for (const line of dryRun(snapshotPolicy(config, chosen, q.service), q.start, q.covers)) {
    const who = line.resolved.userIds.map((id) => `<@${id}> (${line.resolved.via[id]})`);
    for (const r of line.resolved.uncovered) who.push(t('reply.policy_uncovered', { rotation: r }));
    lines.push(
      t('reply.policy_line', {
        offset: line.offsetMs === 0 ? 'T+0' : `T+${formatDuration(line.offsetMs, t)}`,
        time: chatTime(line.at.toISOString(), config.timeZone),
        tier: line.tier + 1,
        round: line.round + 1,
        who: who.join(', ') || t('summary.nobody'),
      }),
    );
  }
  return lines.join('\n');
}
