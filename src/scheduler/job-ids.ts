import type { StepRef } from '../core/ports.js';

/**
 * Deterministic BullMQ job ids. BullMQ treats an id that already exists as a no-op add, so the
 * id IS the dedupe key: the same escalation step or the same logical message enqueued twice (a
 * retried command, a job that ran twice after a stall) must map to the same id, and different
 * ones must never collide. BullMQ also rejects ids containing ':' and treats all-digit ids as
 * its own counters, so every id here starts with a letter prefix and contains no ':'.
 *
 * Encoding: ASCII letters and digits stay as they are (ids stay readable in redis-cli); every
 * other UTF-8 byte, including '-', '_' and ':', becomes `_` + two hex digits. The encoding is
 * injective and never produces '-', so '-' is an unambiguous separator and an id prefix such as
 * `esc-<ws>-<n>-` matches the steps of exactly one incident.
 */

const SAFE = /^[A-Za-z0-9]$/;

/** Encodes one id part so that any string is safe and distinct parts stay distinct. */
export function encodePart(part: string | number): string {
  let out = '';
  for (const ch of String(part)) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function checkInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** The id prefix shared by every step job of one incident; used to find them for cancellation. */
export function stepJobIdPrefix(workspace: string, number: number): string {
  return `esc-${encodePart(workspace)}-${checkInt('number', number)}-`;
}

/**
 * `rem-<ws>-<n>-`: the guided response's timers of one incident (update reminders, the roles
 * check), apart from its escalation steps so that cancelling those never touches these.
 * `rem-<ws>-<n>-u<due seconds>` is one reminder, `rem-<ws>-<n>-roles` the roles check,
 * `rem-<ws>-<n>-d<index>` a drill's symptom, `rem-<ws>-<n>-p<due seconds>` a postmortem review reminder.
 */
export function reminderJobIdPrefix(workspace: string, number: number): string {
  return `rem-${encodePart(workspace)}-${checkInt('number', number)}-`;
}

/**
 * `esc-<ws>-<n>-g<gen>-s<step>`: one id per step of one escalation generation;
 * `esc-<ws>-<n>-g<gen>-ack`: the acknowledgement timeout of a generation.
 */
export function stepJobId(ref: StepRef): string {
  if (ref.kind === 'update_due') return `${reminderJobIdPrefix(ref.workspace, ref.number)}u${checkInt('step', ref.step)}`;
  if (ref.kind === 'roles_due') return `${reminderJobIdPrefix(ref.workspace, ref.number)}roles`;
  if (ref.kind === 'drill_step') return `${reminderJobIdPrefix(ref.workspace, ref.number)}d${checkInt('step', ref.step)}`;
  if (ref.kind === 'postmortem_due') return `${reminderJobIdPrefix(ref.workspace, ref.number)}p${checkInt('step', ref.step)}`;
  const head = `${stepJobIdPrefix(ref.workspace, ref.number)}g${checkInt('generation', ref.generation)}`;
  return ref.kind === 'ack_timeout' ? `${head}-ack` : `${head}-s${checkInt('step', ref.step)}`;
}

/** The generation a step job id names (`…-g<gen>-s<step>` or `…-g<gen>-ack`); NaN for other ids. */
export function stepGenerationOf(id: string): number {
  const m = /-g(\d+)-(?:s\d+|ack)$/.exec(id);
  return m ? Number(m[1]) : NaN;
}

/**
 * `out-<part>-<part>...` for outbound messages, e.g. `outboundJobId(['page', ws, 42, 'g1', 's2', user])`.
 * A number and its decimal string are the same part on purpose (`7` and `'7'` mean one thing).
 */
export function outboundJobId(parts: readonly (string | number)[]): string {
  if (parts.length === 0) throw new RangeError('outboundJobId needs at least one part');
  return ['out', ...parts.map(encodePart)].join('-');
}

/** True when BullMQ accepts `id` as a custom job id (non-empty, no ':', not all digits). */
export function isValidJobId(id: string): boolean {
  return id.length > 0 && !id.includes(':') && !/^\d+$/.test(id);
}
