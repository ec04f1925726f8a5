import { IncidentError } from '../core/errors.js';
import { mentionId } from '../core/args.js';
import type { Actor } from '../core/model.js';
import { onCallAt } from '../core/rotation.js';
import type { Rotation } from '../core/rotation-schema.js';
import type { Deps } from './context.js';

export function findRotation(deps: Deps, id: string): Rotation {
  const rotation = deps.config.rotations.find((r) => r.id === id.toLowerCase());
  if (!rotation) throw new IncidentError('unknown_rotation', { value: id, allowed: rotationIds(deps) });
  return rotation;
}

export function rotationIds(deps: Deps): string {
  return deps.config.rotations.map((r) => r.id).join(', ') || '—';
}

/** A `<@user>` mention or a rotation id, turned into the person to page right now. */
export async function pageTarget(deps: Deps, workspace: string, token: string): Promise<Actor> {
  const id = mentionId(token);
  if (id) return { id, name: await deps.chat.userName(workspace, id) };
  const rotation = findRotation(deps, token);
  const now = deps.clock.now();
  const overrides = await deps.oncall.overrides(workspace, now);
  const who = onCallAt(rotation, now, overrides[rotation.id] ?? []);
  if (!who) throw new IncidentError('nobody_on_call', { rotation: rotation.id });
  return { id: who.userId, name: await deps.chat.userName(workspace, who.userId) };
}
