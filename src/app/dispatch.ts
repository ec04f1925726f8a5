import { randomBytes } from 'node:crypto';
import { ConflictError, IncidentError } from '../core/errors.js';
import type { MessageKey, Params } from '../core/i18n/index.js';
import type { Incident } from '../core/model.js';
import type { Command, Deps, Invocation, Reply } from './context.js';

/**
 * The one door every platform's `/incident ...` goes through: finds the subcommand, finds the
 * incident of the channel when the subcommand needs one, runs it, and turns any error into a
 * short answer. This is the single place where errors become words.
 */
export async function dispatch(deps: Deps, commands: readonly Command[], inv: Invocation): Promise<Reply> {
  const text = inv.text.trim();
  const space = text.search(/\s/);
  const name = (space === -1 ? text : text.slice(0, space)).toLowerCase() || 'help';
  const args = space === -1 ? '' : text.slice(space + 1).trim();
  try {
    const command = commands.find((c) => c.name === name);
    if (!command) {
      throw new IncidentError('unknown_subcommand', { name, known: commands.map((c) => c.name).join(', ') });
    }
    let incident: Incident | null = null;
    if (command.scope === 'incident') {
      incident = await deps.store.findByChannel(inv.workspace, inv.channelId);
      if (!incident) throw new IncidentError('not_incident_channel', { name, open: await openIncidents(deps, inv.workspace) });
    }
    // Commands scoped to 'anywhere' never read ctx.incident; the cast keeps their context simple.
    return await command.run({ inv, deps, args, incident: incident as Incident });
  } catch (err) {
    return errorReply(deps, err, { platform: inv.platform, workspace: inv.workspace, command: name, user: inv.user.id });
  }
}

async function openIncidents(deps: Deps, workspace: string): Promise<string> {
  const open = await deps.store.list(workspace, { limit: 5 });
  if (open.length === 0) return deps.t('reply.list_empty');
  return open.map((i) => (i.channelId ? `${i.ref} <#${i.channelId}>` : i.ref)).join(', ');
}

/** Words for an error: the catalog's for a user error, a reference to the logs for anything else. */
export function errorReply(deps: Deps, err: unknown, logContext: object): Reply {
  if (err instanceof IncidentError) return { text: userErrorText(deps, err) };
  const ref = errorRef();
  if (err instanceof ConflictError) {
    deps.log.warn({ ...logContext, ref, key: err.key }, 'write conflict');
    return { text: deps.t('error.busy', { ref }) };
  }
  deps.log.error({ ...logContext, ref, err }, 'command failed');
  return { text: deps.t('error.unexpected', { ref }) };
}

/** A short id that ties what a person is told to the log line an operator searches for. */
export function errorRef(): string {
  return randomBytes(4).toString('hex');
}

export function userErrorText(deps: Deps, err: IncidentError): string {
  const { usageKey, whatKey, ...rest } = err.details;
  const params: Params = { ...rest };
  if (usageKey) params.usage = deps.t(usageKey as MessageKey);
  if (whatKey) params.what = deps.t(whatKey as MessageKey, rest);
  return deps.t(`error.${err.code}`, params);
}
