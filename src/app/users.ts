import { IncidentError } from '../core/errors.js';
import { mentionId } from '../core/args.js';
import type { Actor } from '../core/model.js';
import type { Deps } from './context.js';

/** The person a `<@id>` mention names, with their display name for records outside the chat. */
export async function resolveMention(deps: Deps, workspace: string, token: string): Promise<Actor> {
  const id = mentionId(token);
  if (!id) throw new IncidentError('bad_user', { value: token });
  return { id, name: await deps.chat.userName(workspace, id) };
}
