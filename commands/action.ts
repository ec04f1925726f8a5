import { z } from 'zod';
import { splitArgs, validate } from '../src/core/args.js';
import { chatTime } from '../src/core/chat-time.js';
import { doneItemId, parseDue } from '../src/core/followups.js';
import { decideAction, decideActionDone } from '../src/core/lifecycle.js';
import { change } from '../src/app/change.js';
import type { Command, CommandContext, Reply } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';
import { resolveMention } from '../src/app/users.js';

/** `done A3 INC-7` or `done INC-7 A3`: the reference moved first (from any channel, also after the close). */
const DONE_THEN_REFERENCE = /^done\s+(\S+)\s+(inc-\d+)\s*$/i;
const DONE_REFERENCE_FIRST = /^done\s+(inc-\d+)\s+(\S+)\s*$/i;
/** Arguments that start with the word `done` mark an item done: they never add one. */
const DONE = /^done(?:\s+|$)/i;

export const action: Command = {
  name: 'action',
  usage: 'usage.action',
  help: 'help.action',
  scope: 'incident',
  referenceFirst(args) {
    const trimmed = args.trim();
    const after = DONE_THEN_REFERENCE.exec(trimmed);
    if (after) return `${after[2] ?? ''} done ${after[1] ?? ''}`;
    const before = DONE_REFERENCE_FIRST.exec(trimmed);
    return before ? `${before[1] ?? ''} done ${before[2] ?? ''}` : args;
  },
  async run(ctx) {
    if (DONE.test(ctx.args.trim())) return markDone(ctx);
    const { deps, inv } = ctx;
    const raw = splitArgs(ctx.args, { owner: 'value', due: 'value' }, 'usage.action');
    const schema = z.object({ text: limitedText(deps.config.limits.text, 'arg.action_text').pipe(z.string().min(1)), owner: z.string().optional(), due: z.string().default('1m') });
    const input = validate(schema, { ...raw.flags, text: raw.positionals.join(' ') }, 'usage.action');
    // Refused before anything is written; a date also picks its horizon (from now) for the postmortem's prevention section.
    const due = parseDue(input.due, { timeZone: deps.config.timeZone, now: deps.clock.now() });
    const owner = input.owner ? await resolveMention(deps, inv.workspace, input.owner) : undefined;
    // A horizon's due date comes with the resolve, counted in the zone configured now (kept with the item).
    const when = due.dueAt ? { dueAt: due.dueAt } : { timeZone: deps.config.timeZone };
    const item = { text: input.text, horizon: due.horizon, ...when, ...(owner ? { owner } : {}) };
    const after = await change(ctx, (inc) => decideAction(inc, item, inv.user, deps.clock.now()));
    const added = after.actionItems[after.actionItems.length - 1];
    const params = { ref: after.ref, id: added?.id ?? '' };
    if (added?.dueAt) return { text: deps.t('reply.action_added_due', { ...params, due: chatTime(added.dueAt, deps.config.timeZone) }) };
    return { text: deps.t('reply.action_added', params) };
  },
};

/** `done <id>`: one item id (followups.ts doneItemId); anything else is refused, writing nothing. */
async function markDone(ctx: CommandContext): Promise<Reply> {
  const { deps, inv } = ctx;
  const id = doneItemId(ctx.args);
  const after = await change(ctx, (inc) => decideActionDone(inc, id, inv.user, deps.clock.now()));
  const item = after.actionItems.find((a) => a.id.toLowerCase() === id.toLowerCase());
  return { text: deps.t('reply.action_done', { id: item?.id ?? id, ref: after.ref }) };
}
