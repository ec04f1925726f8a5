import { z } from 'zod';
import { tokenize, validate } from '../src/core/args.js';
import { authorize } from '../src/core/authz.js';
import { checklistMessage } from '../src/core/checklist.js';
import { IncidentError } from '../src/core/errors.js';
import { decideChecklistTick } from '../src/core/guidance.js';
import { CHECKLIST_STEPS, type ChecklistStep } from '../src/core/model.js';
import { change } from '../src/app/change.js';
import type { Command } from '../src/app/context.js';
import { limitedText } from '../src/app/schemas.js';

/**
 * `/incident checklist` shows the response checklist; `/incident checklist tick <step> <reason>`
 * ticks a step by hand (the commander, the declarer or an admin), with why, on the timeline.
 */
export const checklist: Command = {
  name: 'checklist',
  usage: 'usage.checklist',
  help: 'help.checklist',
  scope: 'incident',
  async run(ctx) {
    const { deps, incident } = ctx;
    const [verb, step, ...rest] = tokenize(ctx.args);
    if (!verb) return checklistMessage(incident, deps.t, deps.config.timeZone);
    if (verb.toLowerCase() !== 'tick') throw new IncidentError('bad_argument', { problem: deps.t('arg.checklist_not_tick', { verb }), usageKey: 'usage.checklist' });
    const known = CHECKLIST_STEPS.find((s) => s === step?.toLowerCase());
    if (!step) throw new IncidentError('missing_argument', { whatKey: 'arg.checklist_step', usageKey: 'usage.checklist' });
    if (!known) throw new IncidentError('bad_checklist_step', { value: step, allowed: CHECKLIST_STEPS.join(', ') });
    const schema = z.object({ reason: limitedText(deps.config.limits.text, 'arg.checklist_reason').pipe(z.string().min(1)) });
    const { reason } = validate(schema, { reason: rest.join(' ') }, 'usage.checklist');
    authorize(incident, ctx.inv.user, 'checklist', { admins: deps.config.admins });
    const after = await change(ctx, (inc) => decideChecklistTick(inc, known as ChecklistStep, reason, ctx.inv.user, deps.clock.now()));
    return { text: deps.t('reply.checklist_ticked', { ref: after.ref, step: known }) };
  },
};
