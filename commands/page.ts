import { z } from 'zod';
import { mentionId, tokenize, validate } from '../src/core/args.js';
import type { Actor, Incident } from '../src/core/model.js';
import { IncidentError } from '../src/core/errors.js';
import { decidePage } from '../src/core/paging.js';
import { change } from '../src/app/change.js';
import type { Command, CommandContext } from '../src/app/context.js';
import { pageTarget } from '../src/app/oncall.js';
import { limitedText } from '../src/app/schemas.js';

const HOUR_MS = 3_600_000;

export const page: Command = {
  name: 'page',
  usage: 'usage.page',
  help: 'help.page',
  scope: 'incident',
  async run(ctx) {
    const { deps, inv } = ctx;
    const { limits } = deps.config;
    const tokens = tokenize(ctx.args);
    if (!tokens[0]) throw new IncidentError('missing_argument', { whatKey: 'arg.target', usageKey: 'usage.page' });
    // Everyone named up front is paged (mentions, or one rotation); the rest is the message.
    let named = 1;
    while (named < tokens.length && tokens[named]?.startsWith('<@')) named++;
    // Counted before anyone is looked up: refusing a page that names 2,000 people costs nothing.
    // Someone named twice counts (and is paged) once.
    const wanted = [...new Map(tokens.slice(0, named).map((token) => [mentionId(token) ?? token, token])).values()];
    if (wanted.length > limits.pageTargets) throw new IncidentError('too_many_targets', { max: limits.pageTargets, count: wanted.length });
    const { message } = validate(z.object({ message: limitedText(limits.text, 'arg.message') }), { message: tokens.slice(named).join(' ') }, 'usage.page');
    const targets: Actor[] = [];
    for (const token of wanted) {
      const who = await pageTarget(deps, inv.workspace, token);
      // A rotation's person may also be named: still one page each.
      if (!targets.some((t) => t.id === who.id)) targets.push(who);
    }
    const decide = (inc: Incident) => decidePage(inc, targets, message || undefined, inv.user, deps.clock.now());
    // A page the incident refuses anyway (it is over) spends none of the quota.
    decide(ctx.incident);
    await spendQuota(ctx, targets.length);
    await change(ctx, decide);
    return { text: deps.t('reply.paged', { users: targets.map((u) => `<@${u.id}>`).join(', ') }) };
  },
};

/**
 * `limits.pagesPerHour`: how many people one person may page by hand in a sliding hour, per
 * workspace. The escalation policy's own pages are not counted: only what someone types.
 */
async function spendQuota(ctx: CommandContext, people: number): Promise<void> {
  const { deps, inv } = ctx;
  const max = deps.config.limits.pagesPerHour;
  const key = `page:${inv.workspace}:${inv.user.id}`;
  const quota = await deps.oncall.countRecent(key, { by: people, limit: max, windowMs: HOUR_MS, now: deps.clock.now() });
  if (!quota.added) throw new IncidentError('page_rate', { used: quota.count, max, count: people });
}
