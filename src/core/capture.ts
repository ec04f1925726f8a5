import { tokenize } from './args.js';
import { IncidentError } from './errors.js';
import { event, type IncidentEvent } from './events.js';
import type { Actor, Incident, LessonKind } from './model.js';
import { isTerminal } from './model.js';
import { charLength, cleanText } from './text.js';

/**
 * Capture during the incident: the five whys, the causes, the impact figures, the lessons and
 * the summary, each typed while it is fresh and kept on the timeline, so the postmortem is mostly
 * written when it is opened (postmortem-capture.ts). Parsing and deciding are pure: a refusal
 * throws an IncidentError before anything is written.
 */

export const MAX_WHYS = 5;

/**
 * Impact keys that count things: their value must be a whole number (`users=1200`, `1,200`),
 * so a figure that will be summed or compared later is never `lots`. Other keys take any value;
 * a plain number (`4.2`) is kept as a number, anything with a unit (`4.2M`, `47m`) as typed.
 */
export const COUNT_KEYS: readonly string[] = ['users', 'customers', 'accounts', 'orders', 'requests', 'errors', 'transactions', 'payments', 'sessions', 'tickets'];

/** At most this many figures per incident: a postmortem table, not a data dump. */
export const MAX_IMPACT_KEYS = 30;
export const MAX_IMPACT_KEY_LENGTH = 40;
export const MAX_IMPACT_VALUE_LENGTH = 100;

export const LESSON_COMMAND_KINDS = ['good', 'bad', 'lucky'] as const satisfies readonly LessonKind[];

export type ImpactValues = Record<string, number | string>;

function assertOpen(inc: Incident): void {
  if (isTerminal(inc.status)) throw new IncidentError('incident_finished', { ref: inc.ref, status: inc.status });
}

function required(text: string, whatKey: string, usageKey: string): void {
  if (!text) throw new IncidentError('missing_argument', { whatKey, usageKey });
}

/**
 * `why 3 text` → why 3; `why text` → the next why. `3.`, `3)` and `3:` count as the number too.
 * Only one digit is a why number (`why 9 …` is refused as one): `why 500 errors a minute` is an answer.
 */
export function parseWhy(args: string): { n?: number; text: string } {
  const m = /^(\d)[.):]?(?:\s+|$)/.exec(args.trim());
  if (!m) return { text: args };
  return { n: Number(m[1]), text: args.trim().slice(m[0].length) };
}

/** Writes the next why, or rewrites why `n`: only one that exists, or the next one. */
export function decideWhy(inc: Incident, n: number | undefined, text: string, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  const count = inc.whys?.length ?? 0;
  if (n === undefined) {
    required(text, 'arg.why', 'usage.why');
    if (count >= MAX_WHYS) throw new IncidentError('whys_full', { ref: inc.ref, max: MAX_WHYS });
  }
  const last = Math.min(count + 1, MAX_WHYS);
  const which = n ?? count + 1;
  if (!Number.isSafeInteger(which) || which < 1 || which > last) {
    throw new IncidentError('bad_why_number', { ref: inc.ref, value: String(n), count, allowed: last === 1 ? '1' : `1–${last}`, max: MAX_WHYS });
  }
  required(text, 'arg.why', 'usage.why');
  return [event({ type: 'why_recorded', n: which, text, ...(which <= count ? { rewrite: true as const } : {}) }, actor, now)];
}

/** `cause text` → the direct cause; `cause --underlying text` → the underlying one. */
export function parseCause(args: string): { underlying: boolean; text: string } {
  const trimmed = args.trim();
  const flag = /^--([a-z-]*)(?:\s+|$)/i.exec(trimmed);
  if (!flag) return { underlying: false, text: trimmed };
  if ((flag[1] ?? '').toLowerCase() !== 'underlying') throw new IncidentError('unknown_flag', { flag: flag[1] ?? '', usageKey: 'usage.cause' });
  return { underlying: true, text: trimmed.slice(flag[0].length) };
}

export function decideCause(inc: Incident, underlying: boolean, text: string, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  required(text, 'arg.cause', 'usage.cause');
  return [event({ type: 'cause_recorded', text, ...(underlying ? { underlying: true as const } : {}) }, actor, now)];
}

const KEY = /^\p{L}[\p{L}\p{N}_-]*$/u;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const GROUPED_NUMBER = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** `1200`, `4.2`, `1,200` as numbers; anything else (`4.2M`, `47m`, `45%`) stays as typed. */
export function impactValue(raw: string): number | string {
  if (!PLAIN_NUMBER.test(raw) && !GROUPED_NUMBER.test(raw)) return raw;
  const n = Number(raw.replace(/,/g, ''));
  return Number.isFinite(n) ? n : raw;
}

/**
 * `users=1200 orders=350 revenue=4.2M duration=47m`: keys are case-insensitive (kept lowercase),
 * a value may be quoted (`region="eu west"`), the same key twice keeps the last.
 */
export function parseImpact(args: string): ImpactValues {
  const tokens = tokenize(args);
  if (tokens.length === 0) throw new IncidentError('missing_argument', { whatKey: 'arg.impact', usageKey: 'usage.impact' });
  const values: ImpactValues = {};
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = token.slice(0, Math.max(eq, 0)).toLowerCase();
    const raw = cleanText(token.slice(eq + 1)).trim();
    if (eq <= 0 || !raw || !KEY.test(key) || charLength(key) > MAX_IMPACT_KEY_LENGTH) throw new IncidentError('bad_impact', { value: token, usageKey: 'usage.impact' });
    if (charLength(raw) > MAX_IMPACT_VALUE_LENGTH) {
      throw new IncidentError('too_long', { whatKey: 'arg.impact_value', key, max: MAX_IMPACT_VALUE_LENGTH, length: charLength(raw) });
    }
    const value = impactValue(raw);
    if (COUNT_KEYS.includes(key) && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
      throw new IncidentError('impact_not_number', { key, value: raw });
    }
    values[key] = value;
  }
  return values;
}

export function decideImpact(inc: Incident, values: ImpactValues, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  const keys = new Set([...Object.keys(inc.impact ?? {}), ...Object.keys(values)]);
  if (keys.size > MAX_IMPACT_KEYS) throw new IncidentError('impact_too_many', { ref: inc.ref, max: MAX_IMPACT_KEYS });
  return [event({ type: 'impact_recorded', values }, actor, now)];
}

/** `lesson good text`: the kind first (any case), then the lesson as typed. */
export function parseLesson(args: string): { kind: (typeof LESSON_COMMAND_KINDS)[number]; text: string } {
  const trimmed = args.trim();
  const m = /^(\S+)(?:\s+|$)/.exec(trimmed);
  if (!m) throw new IncidentError('missing_argument', { whatKey: 'arg.lesson_kind', usageKey: 'usage.lesson' });
  const word = (m[1] ?? '').toLowerCase();
  const kind = LESSON_COMMAND_KINDS.find((k) => k === word);
  if (!kind) throw new IncidentError('bad_lesson_kind', { value: m[1] ?? '' });
  return { kind, text: trimmed.slice(m[0].length) };
}

export function decideLesson(inc: Incident, kind: LessonKind, text: string, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  required(text, 'arg.lesson', 'usage.lesson');
  return [event({ type: 'lesson_recorded', kind, text }, actor, now)];
}

/**
 * A message marked 💡 becomes a lesson to sort later, once per message; nothing when the incident
 * is over or the message has no text the bot knows (a reaction is no place for an error).
 */
export function decideMarkedLesson(inc: Incident, marked: { messageId: string; text: string; author?: Actor }, actor: Actor, now: Date): IncidentEvent[] {
  const text = marked.text.trim();
  if (isTerminal(inc.status) || !text) return [];
  if (inc.lessons?.some((l) => l.messageId === marked.messageId)) return [];
  const author = marked.author ? { author: marked.author } : {};
  return [event({ type: 'lesson_recorded', kind: 'unsorted', text, messageId: marked.messageId, ...author }, actor, now)];
}

export function decideSummary(inc: Incident, text: string, actor: Actor, now: Date): IncidentEvent[] {
  assertOpen(inc);
  required(text, 'arg.summary', 'usage.summary');
  return [event({ type: 'summary_set', text }, actor, now)];
}

/** Impact figures as typed again: `users=1200, revenue=4.2M`. */
export function impactList(values: ImpactValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}
