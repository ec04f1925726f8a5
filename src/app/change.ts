import type { IncidentEvent } from '../core/events.js';
import type { Incident } from '../core/model.js';
import type { CommandContext } from './context.js';
import { record } from './record.js';

/**
 * Records what `decide` returns for the incident as it stands in the store (re-deciding when a
 * concurrent write got there first), with its effects in the same atomic append, then carries
 * the effects out. A decide that throws writes nothing.
 */
export async function change(ctx: CommandContext, decide: (current: Incident) => IncidentEvent[]): Promise<Incident> {
  const { after } = await record(ctx.deps, ctx.incident, decide, { current: ctx.incident });
  return after;
}
