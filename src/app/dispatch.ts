import { randomBytes } from 'node:crypto';
import { authorize, canSee } from '../core/authz.js';
import { ConflictError, IncidentError } from '../core/errors.js';
import type { MessageKey, Params } from '../core/i18n/index.js';
import { incidentRef, type Incident } from '../core/model.js';
import type { CommandOutcome } from '../infra/metrics.js';
import type { Command, Deps, Invocation, Reply } from './context.js';

/**
 * The one door every platform's `/incident ...` goes through: finds the subcommand, finds the
 * incident it is about when the subcommand needs one, runs it, and turns any error into a short
 * answer. This is the single place where errors become words.
 *
 * An incident-scoped subcommand is about the incident named by an `INC-n` reference right after
 * it (`/incident resolve INC-7 fixed`), from any channel, or else about the incident of the
 * channel it was typed in. The reference is what reaches an incident whose channel could not be
 * opened.
 */
export async function dispatch(deps: Deps, commands: readonly Command[], inv: Invocation): Promise<Reply> {
  const text = inv.text.trim();
  const space = text.search(/\s/);
  const name = (space === -1 ? text : text.slice(0, space)).toLowerCase() || 'help';
  const args = space === -1 ? '' : text.slice(space + 1).trim();
  const command = commands.find((c) => c.name === name);
  // Only names of real subcommands become a metric label: what people mistype is unbounded.
  const counted = command ? name : 'unknown';
  try {
    if (!command) {
      throw new IncidentError('unknown_subcommand', { name, known: commands.map((c) => c.name).join(', ') });
    }
    if (command.scope !== 'incident') {
      // Commands scoped to 'anywhere' never read ctx.incident; the cast keeps their context simple.
      return ran(deps, counted, 'ok', await command.run({ inv, deps, args, incident: null as unknown as Incident }));
    }
    const target = await targetIncident(deps, inv, name, command.referenceFirst ? command.referenceFirst(args) : args);
    // A private incident is reached from outside its channel by its own people only (docs/security.md).
    if (target.hidden) return ran(deps, counted, 'user_error', { text: deps.t('reply.private_incident', { ref: target.incident.ref, commander: commanderOf(target.incident) }) });
    // Who may do it is decided here, before the command decides anything: a refusal writes nothing.
    if (command.guard) authorize(target.incident, inv.user, command.guard, { admins: deps.config.admins });
    return ran(deps, counted, 'ok', await command.run({ inv, deps, args: target.args, incident: target.incident }));
  } catch (err) {
    deps.metrics?.commandRan(counted, err instanceof IncidentError ? 'user_error' : err instanceof ConflictError ? 'conflict' : 'error');
    return errorReply(deps, err, { platform: inv.platform, workspace: inv.workspace, command: name, user: inv.user.id });
  }
}

function ran(deps: Deps, command: string, outcome: CommandOutcome, reply: Reply): Reply {
  deps.metrics?.commandRan(command, outcome);
  return reply;
}

/** `INC-7`, `inc-7`: a reference to an incident by its number, as the first argument. */
const REFERENCE = /^inc-(\d+)$/i;

/**
 * The incident an incident-scoped command is about, and its arguments without the reference:
 * the one named by a leading `INC-n` (in this workspace, from any channel, even from another
 * incident's channel), or else the channel's own.
 */
async function targetIncident(deps: Deps, inv: Invocation, name: string, args: string): Promise<{ incident: Incident; args: string; hidden?: boolean }> {
  const space = args.search(/\s/);
  const first = space === -1 ? args : args.slice(0, space);
  const reference = REFERENCE.exec(first);
  if (reference) {
    const number = Number(reference[1]);
    const incident = Number.isSafeInteger(number) && number > 0 ? await deps.store.get({ workspace: inv.workspace, number }) : null;
    if (!incident) {
      const open = formatOpen(deps, await openFor(deps, inv));
      throw new IncidentError('incident_not_found', { ref: first.toUpperCase(), open, hintKey: 'error.hint.open_incidents' });
    }
    const hidden = incident.channelId !== inv.channelId && !canSee(incident, inv.user.id, { admins: deps.config.admins });
    return { incident, args: space === -1 ? '' : args.slice(space + 1).trim(), ...(hidden ? { hidden } : {}) };
  }
  const incident = await deps.store.findByChannel(inv.workspace, inv.channelId);
  if (incident) return { incident, args };
  const open = await openFor(deps, inv);
  throw new IncidentError('not_incident_channel', { name, open: formatOpen(deps, open), example: open[0]?.ref ?? incidentRef(1) });
}

/** The first few open incidents the person may see: a private one only for its own people. */
async function openFor(deps: Deps, inv: Invocation): Promise<Incident[]> {
  const open = await deps.store.list(inv.workspace, { limit: 25 });
  return open.filter((i) => canSee(i, inv.user.id, { admins: deps.config.admins })).slice(0, 5);
}

/** The first few open incidents, with their channels where they have one. */
function formatOpen(deps: Deps, open: readonly Incident[]): string {
  // The error templates end the list with their own full stop.
  if (open.length === 0) return deps.t('reply.list_empty').replace(/[.。]$/, '');
  return open.map((i) => (i.channelId ? `${i.ref} <#${i.channelId}>` : i.ref)).join(', ');
}

/** Who to ask about a private incident: its commander is announced, so naming them gives nothing away. */
function commanderOf(inc: Incident): string {
  return inc.roles.commander?.id ?? inc.declaredBy.id;
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

/**
 * The catalog message of a user error. `usageKey` and `whatKey` in the details fill `{usage}` and
 * `{what}`; `hintKey` adds a sentence after the message (filled from the same details), for a
 * code raised in more than one place where only one of them has more to say.
 */
const ECHO_MAX = 200;

export function userErrorText(deps: Deps, err: IncidentError): string {
  const { usageKey, whatKey, hintKey, ...details } = err.details;
  // What people typed is echoed back at most this long: a 100 KB bad value gets a short answer.
  const rest = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' && v.length > ECHO_MAX ? `${v.slice(0, ECHO_MAX)}…` : v]));
  const params: Params = { ...rest };
  if (usageKey) params.usage = deps.t(usageKey as MessageKey);
  if (whatKey) params.what = deps.t(whatKey as MessageKey, rest);
  const text = deps.t(`error.${err.code}`, params);
  return hintKey ? `${text} ${deps.t(hintKey as MessageKey, params)}` : text;
}
