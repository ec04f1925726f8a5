import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { canSee } from '../src/core/authz.js';
import { byDue, entryLine, MAX_LISTED } from '../src/core/followup-messages.js';
import { actionsFilter, filterEntries, type FollowupEntry } from '../src/core/followups.js';
import type { Command, Deps } from '../src/app/context.js';
import { openFollowups } from '../src/app/followups.js';
import { serviceId } from '../src/app/schemas.js';

/**
 * `/incident actions [mine|open|overdue] [--service x]`: open follow-ups across every incident of
 * the workspace, closed ones included, from the index (src/app/followups.ts). A private
 * incident's items are listed only for its own people.
 */
export const actions: Command = {
  name: 'actions',
  usage: 'usage.actions',
  help: 'help.actions',
  scope: 'anywhere',
  async run({ inv, deps, args }) {
    const raw = splitArgs(args, { service: 'value' }, 'usage.actions');
    const filter = actionsFilter(raw.positionals.join(' ') || undefined);
    const { service } = validate(z.object({ service: serviceId(deps.config).optional() }), raw.flags, 'usage.actions');
    const now = deps.clock.now();
    const all = filterEntries(await openFollowups(deps, inv.workspace), filter, { userId: inv.user.id, now, ...(service ? { service } : {}) });
    const entries = (await visible(deps, inv.user.id, all)).sort(byDue);
    const scope = service ? deps.t('actions.of_service', { service }) : '';
    if (entries.length === 0) return { text: deps.t(`actions.none.${filter}`, { service: scope }) };
    const lines = [deps.t(`actions.head.${filter}`, { service: scope, count: entries.length })];
    for (const e of entries.slice(0, MAX_LISTED)) lines.push(entryLine(deps.t, e, { timeZone: deps.config.timeZone, now, owner: filter !== 'mine' }));
    if (entries.length > MAX_LISTED) lines.push(deps.t('actions.more', { count: entries.length - MAX_LISTED }));
    lines.push(deps.t('actions.hint'));
    return { text: lines.join('\n') };
  },
};

/** The entries of private incidents only for people who may see them (src/core/authz.ts canSee). */
async function visible(deps: Deps, userId: string, entries: readonly FollowupEntry[]): Promise<FollowupEntry[]> {
  const numbers = [...new Set(entries.filter((e) => e.private).map((e) => e.number))];
  const allowed = new Set<number>();
  for (const number of numbers) {
    const inc = await deps.store.get({ workspace: entries.find((e) => e.number === number)?.workspace ?? '', number });
    if (inc && canSee(inc, userId, { admins: deps.config.admins })) allowed.add(number);
  }
  return entries.filter((e) => !e.private || allowed.has(e.number));
}
