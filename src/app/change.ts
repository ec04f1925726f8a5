import type { IncidentEvent } from '../core/events.js';
import type { Incident } from '../core/model.js';
import { mutate } from '../store/mutate.js';
import type { CommandContext } from './context.js';
import { applyEffects } from './effects.js';

/**
 * Records what `decide` returns for the incident as it stands in the store (re-deciding when a
 * concurrent write got there first), then carries out the effects. A decide that throws writes nothing.
 */
export async function change(ctx: CommandContext, decide: (current: Incident) => IncidentEvent[]): Promise<Incident> {
  const { after, events } = await mutate(ctx.deps.store, ctx.incident, decide, { current: ctx.incident });
  return applyEffects(ctx.deps, after, events);
}
