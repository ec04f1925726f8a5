import fc from 'fast-check';
import { commands } from '../../commands/index.js';

/**
 * What the fuzz test (fuzz.test.ts) types: an `/incident` line built from the real subcommand
 * names and from fragments an attacker, a confused person or a broken client would send. Kept as
 * parts rather than one string so a failure can be shown short (see `describeInput`) even when
 * it carries a 100 KB run.
 */

export const USERS = ['carol', 'mallory', 'root', 'alice', 'lead'] as const;
export type Who = (typeof USERS)[number];
/** Resolved to channel ids when the line is sent: the incident channels change as incidents end. */
export const CHANNELS = ['incident', 'private', 'finished', 'other', 'general', 'nowhere', 'announce'] as const;
export type Where = (typeof CHANNELS)[number];

export interface FuzzInput {
  head: string;
  parts: string[];
  seps: string[];
  user: Who;
  channel: Where;
}

const HOSTILE = [
  // quoting and flags, balanced or not
  '"', "'", '“', '”', '"unbalanced', "it's", '""', '"a b"', '--', '---', '--=', '--sev', '--sev=P1', '--sev="', '--SEV', '--sev=',
  '--rotation', '--rotation=backend', '--private', '--summary', '--summary="', '--service', '--owner', '--due', '--at', '--all', '--x-y',
  '--constructor', '--proto', '=', '="',
  // mentions and channel references, well formed or not
  '<@x>', '<@alice>', '<@carol>', '<@mallory|m>', '<@!root>', '<@>', '<@', '@', '@alice', '@carol', '@bob', '@dave', '@ghost', '@everyone', '@here',
  '<!here>', '<!channel>', '<!subteam^S1>', '<#general>', '<#', '<>', '&amp;', '<script>', '[x](javascript:alert(1))', '\n## 3. Root cause',
  // incident references
  'INC-1', 'INC-2', 'inc-0', 'INC-999999999999999999999', 'INC-9007199254740993', 'INC--1', 'INC-1.5', 'inc-00001', 'INC-',
  // invisible, control and malformed characters
  '\u202e', '\u200b', '\u200d', '\ufeff', '\u0000', '\u0007', '\u001b[31m', '\ud800', '\udfff', '\udc00\ud800', '\u2028', '\r\n', '\t', '\u0301',
  '\u3164', '\u2800', 'ﷺ', '㈱',
  // emoji, with skin tones, joiners and variation selectors
  '👍🏽', '👩🏿‍🚒', '🏳️‍🌈', '✅', '✔️', '☑\ufe0f', '🔥',
  // words the subcommands know, and words JavaScript objects know
  'P1', 'p2', 'P4', 'P0', 'investigating', 'identified', 'monitoring', 'resolved', 'closed', 'commander', 'comms', 'scribe', 'done', 'A1', 'A0', 'A999',
  'backend', 'default', 'now', '+2h', 'tomorrow 09:00', 'mon 09:00', '2026-03-08T09:00', '9999-99-99T99:99', '1w', '1m', 'q',
  'constructor', '__proto__', 'toString', 'hasOwnProperty', ':constructor:', 'undefined', 'null', 'NaN',
];

const DURATIONS = ['90d', '8d', '7d', '1d', '2h', '30m', '1e309m', '0m', '-1h', '365d', '366d', '1.5h', '99999999999999999999d', '0.0000001m', '1w', '52w'];

/** Long runs of one hostile unit: at, just past and far past the 4,000-character limit. */
const run = fc
  .record({
    unit: fc.constantFrom('x', '"', "'", '“', '=', '-', '@', '<@', '<!here>', '\u200b', '\u202e', '🔥', 'é', 'ﷺ', ' ', '\n', 'a '),
    length: fc.oneof(fc.constantFrom(4000, 4001, 100_000), fc.integer({ min: 0, max: 5000 })),
  })
  .map(({ unit, length }) => unit.repeat(Math.max(0, Math.ceil(length / unit.length))));

const number = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
);

const fragment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 8 },
  { arbitrary: fc.constantFrom(...DURATIONS), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.stringMatching(/^[a-z]{1,10}$/), weight: 2 },
  { arbitrary: number, weight: 1 },
  { arbitrary: run, weight: 1 },
);

const sep = fc.oneof(
  { arbitrary: fc.constant(' '), weight: 12 },
  { arbitrary: fc.constantFrom('', '  ', '\n', '\t', '\u3000', '\u00a0', '\u2028', '\r\n'), weight: 1 },
);

const names = commands.map((c) => c.name);
const head = fc.oneof(
  { arbitrary: fc.constantFrom(...names), weight: 8 },
  { arbitrary: fc.constantFrom(...names).map((n) => n.toUpperCase()), weight: 1 },
  { arbitrary: fc.constantFrom('', ' ', '\t', '\u3000', '\u200b'), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  { arbitrary: fc.constantFrom('declares', 'ack!', 'hel', 'constructor', '__proto__', 'INC-1'), weight: 1 },
);

/**
 * Lines shaped like each subcommand's usage, with hostile fragments in every free slot: random
 * words alone are refused at the first argument and never reach the code that stores, pages or
 * covers. Each is a subcommand name and its parts.
 */
const ref = fc.option(fc.integer({ min: 1, max: 12 }).map((n) => `INC-${n}`), { freq: 3 });
const person = fc.constantFrom('@alice', '@bob', '@carol', '@dave', '@mallory', '@root', '@lead', '@ghost', '<@alice>', '<@x>', '<@bob|Bob>');
const free = fc.array(fragment, { maxLength: 4 });
const some = fc.array(fragment, { minLength: 1, maxLength: 4 });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const flag = (name: string, value: fc.Arbitrary<string>) => opt(fc.oneof(value.map((v) => [`--${name}`, v]), value.map((v) => [`--${name}=${v}`])));
/** A valid value most of the time, a hostile fragment otherwise. */
const mostly = (...valid: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 3 }, { arbitrary: fragment, weight: 1 });
const sev = mostly('P1', 'P2', 'P3', 'P4', 'p1');
const quoted = fc.oneof(some.map((f) => `"${f.join(' ')}"`), fragment);
const shaped = (name: string, ...slots: fc.Arbitrary<string | string[] | undefined | null>[]) =>
  fc.tuple(...slots).map((parts) => [name, ...parts.flat().filter((p): p is string => typeof p === 'string')]);

const GRAMMAR: fc.Arbitrary<string[]>[] = [
  shaped('declare', some, flag('sev', sev), flag('service', fragment), flag('summary', quoted), opt(fc.constant('--private'))),
  shaped('status', ref, mostly('investigating', 'identified', 'monitoring'), free),
  shaped('sev', ref, sev, free),
  shaped('role', ref, mostly('commander', 'comms', 'scribe'), fc.oneof({ arbitrary: person, weight: 3 }, fragment)),
  shaped('note', ref, some),
  shaped('timeline', ref),
  shaped('action', ref, some, flag('owner', person), flag('due', fc.constantFrom('1w', '1m', 'q', 'week', '2w', ''))),
  shaped('action', ref, fc.constant('done'), mostly('A1', 'A2', 'a1', 'A0')),
  shaped('ack', ref, free),
  shaped('page', ref, fc.array(fc.oneof(person, fc.constant('backend')), { minLength: 1, maxLength: 12 }), free),
  shaped('escalate', ref, free),
  shaped('resolve', ref, free),
  shaped('close', ref),
  shaped('cancel', ref, free),
  shaped('list', opt(fc.constant('--all'))),
  shaped('oncall', opt(fc.constantFrom('backend', 'nope')), flag('at', fc.oneof(fc.constantFrom('now', '+2h', 'tomorrow 09:00', 'mon 09:00', '2026-03-08T09:00'), fragment))),
  shaped('cover', fc.oneof({ arbitrary: person, weight: 3 }, fragment), mostly(...DURATIONS), flag('rotation', mostly('backend'))),
  shaped('policy', opt(mostly('default', 'P1', 'P4')), flag('at', fragment), flag('service', fragment)),
];

/** Mostly the commander in the incident's channel, where most commands are allowed and do something. */
const weighted = <T>(pairs: [T, number][]) => fc.oneof(...pairs.map(([v, weight]) => ({ arbitrary: fc.constant(v), weight })));
const who = {
  user: weighted<Who>([['carol', 4], ['mallory', 1], ['root', 1], ['alice', 2], ['lead', 1]]),
  channel: weighted<Where>([['incident', 5], ['private', 2], ['finished', 1], ['other', 1], ['general', 1], ['nowhere', 1], ['announce', 1]]),
  seps: fc.array(sep, { minLength: 16, maxLength: 16 }) };

export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  { arbitrary: fc.record({ head, parts: fc.array(fragment, { maxLength: 7 }), ...who }), weight: 2 },
  { arbitrary: fc.record({ shape: fc.oneof(...GRAMMAR), ...who }).map(({ shape: [name = '', ...parts], ...rest }) => ({ head: name, parts, ...rest })), weight: 3 },
);

/** The text after `/incident`: the head, then each part after its separator. */
export function inputText(input: FuzzInput): string {
  return input.parts.reduce((text, part, i) => `${text}${input.seps[i] ?? ' '}${part}`, input.head);
}

/** A string as a short, exact JavaScript expression: runs of one unit repeated 20 times or more become `unit.repeat(n)`. */
function recipe(s: string): string {
  const pieces: string[] = [];
  let last = 0;
  for (const m of s.matchAll(/([\s\S]{1,8}?)\1{19,}/gu)) {
    if (m.index > last) pieces.push(JSON.stringify(s.slice(last, m.index)));
    pieces.push(`${JSON.stringify(m[1])}.repeat(${m[0].length / (m[1]?.length ?? 1)})`);
    last = m.index + m[0].length;
  }
  if (last < s.length || pieces.length === 0) pieces.push(JSON.stringify(s.slice(last)));
  return pieces.join(' + ');
}

/** The input as a short, exact recipe, each part after its separator. */
export function describeInput(input: FuzzInput): string {
  const pieces = [recipe(input.head), ...input.parts.flatMap((p, i) => [JSON.stringify(input.seps[i] ?? ' '), recipe(p)])];
  return `as @${input.user} in ${input.channel}: /incident ${pieces.join(' + ')}`;
}

/** Reactions: how every platform spells the ack emoji, short names, JavaScript property names, noise. */
const EMOJI = [
  '✅', '✔️', '☑️', '✅\ufe0f', '✔', '☑', '✓', '🗸', '👍🏽', '👀', '📌', '🔥', 'white_check_mark', ':white_check_mark:', 'white_check_mark::skin-tone-2',
  'heavy_check_mark', 'ballot_box_with_check', 'eyes', 'pushpin', '+1', '::', ':', 'constructor', '__proto__', ':constructor:', ':__proto__:', 'toString',
  'hasOwnProperty', 'valueOf', '\u0000', '\u202e✅', 'ﷺ',
];

export interface ReactionInput {
  /** The page DM of the person on call, a message in the incident channel, or an id nobody gave out. */
  target: 'page' | 'message' | 'missing';
  user: Who;
  emoji: string;
}

export const reactionInput: fc.Arbitrary<ReactionInput> = fc.record({
  target: fc.constantFrom('page', 'message', 'missing'),
  user: weighted<Who>([['alice', 3], ['carol', 1], ['mallory', 1], ['root', 1]]),
  emoji: fc.oneof({ arbitrary: fc.constantFrom(...EMOJI), weight: 6 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 2 }, { arbitrary: run, weight: 1 }),
});
