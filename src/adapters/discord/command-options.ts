import type { AppConfig } from '../../config.js';
import { DRILL_SCENARIOS } from '../../core/drills.js';
import { ACTIONS_FILTERS } from '../../core/followups.js';
import { ACTIVE_STATUSES, CHECKLIST_STEPS, NOTICE_AUDIENCES, ROLES } from '../../core/model.js';

/**
 * The options of each subcommand on Discord (`/incident …`, `/postmortem …`), keyed by the text
 * it runs (command-layout.ts), and how their values become the text the command's own parser
 * reads (`declare "DB down" --sev P1`). One table serves both the
 * registration (npm run discord:register) and the translation of an interaction, so the two
 * cannot drift apart. The table follows each command's usage line in the en catalog.
 */

export interface OptionSpec {
  name: string;
  kind: 'string' | 'user' | 'boolean';
  /**
   * Where the value goes: `positional` in order, `flag` as `--name value` (`--name` for a true
   * boolean), `rest` as free text at the end, `keyword` alone as `<name> <value>` (action done A1),
   * `reference` right after the subcommand (`resolve INC-7 …`: the incident, from any channel).
   */
  place: 'positional' | 'flag' | 'rest' | 'keyword' | 'reference';
  description: string;
  required?: boolean;
  /** Fixed choices, from the config where they live there; none means free text. */
  choices?: (config: AppConfig) => readonly string[];
}

const severities = (c: AppConfig) => c.severities.map((s) => s.id);
const services = (c: AppConfig) => c.services.map((s) => s.id);
const rotations = (c: AppConfig) => c.rotations.map((r) => r.id);

const opt = (name: string, kind: OptionSpec['kind'], place: OptionSpec['place'], description: string, more: Partial<OptionSpec> = {}): OptionSpec => ({
  name,
  kind,
  place,
  description,
  ...more,
});

/** The incident a command is about when it is typed outside its channel (last: Discord lists required options first). */
const INCIDENT = opt('incident', 'string', 'reference', 'The incident, e.g. INC-7 (outside its channel)');

const TABLE: Readonly<Record<string, readonly OptionSpec[]>> = {
  declare: [
    opt('title', 'string', 'positional', 'What is broken, in a few words', { required: true }),
    opt('sev', 'string', 'flag', 'Severity (default from the config)', { choices: severities }),
    opt('service', 'string', 'flag', 'The affected service', { choices: services }),
    opt('summary', 'string', 'flag', 'A longer description'),
    opt('private', 'boolean', 'flag', 'Only invited people see the channel'),
    opt('started', 'string', 'flag', 'When the impact began: 14:02, 2026-12-01T14:02 or 20m (ago)'),
  ],
  status: [
    opt('status', 'string', 'positional', 'The new status', { required: true, choices: () => ACTIVE_STATUSES }),
    opt('message', 'string', 'rest', 'Why, for everyone following'),
  ],
  sev: [opt('severity', 'string', 'positional', 'The new severity', { required: true, choices: severities }), opt('reason', 'string', 'rest', 'Why')],
  role: [
    opt('role', 'string', 'positional', 'The role', { required: true, choices: () => ROLES }),
    opt('user', 'user', 'positional', 'Who takes it', { required: true }),
  ],
  note: [opt('text', 'string', 'rest', 'The note', { required: true })],
  // issue 12: capture during the incident
  why: [
    opt('number', 'string', 'positional', 'Rewrite this why (default: the next one)', { choices: () => ['1', '2', '3', '4', '5'] }),
    opt('answer', 'string', 'rest', 'The answer to the why', { required: true }),
  ],
  cause: [opt('text', 'string', 'rest', 'The cause', { required: true }), opt('underlying', 'boolean', 'flag', 'The underlying cause, not the direct one')],
  impact: [opt('figures', 'string', 'rest', 'key=value pairs, e.g. users=1200 orders=350 revenue=4.2M', { required: true })],
  lesson: [
    opt('kind', 'string', 'positional', 'What kind of lesson', { required: true, choices: () => ['good', 'bad', 'lucky'] }),
    opt('text', 'string', 'rest', 'The lesson', { required: true }),
  ],
  summary: [opt('text', 'string', 'rest', 'The incident summary', { required: true })],
  timeline: [],
  action: [
    opt('text', 'string', 'positional', 'The follow-up to do'),
    opt('owner', 'user', 'flag', 'Who owns it'),
    opt('due', 'string', 'flag', 'When: 1w, 1m, q (default 1m) or a date such as 2026-12-15'),
    opt('done', 'string', 'keyword', 'Instead: mark this item done, e.g. A1'),
  ],
  // issue 12: follow-ups across incidents
  actions: [
    opt('filter', 'string', 'positional', 'Which: open (default), mine or overdue', { choices: () => ACTIONS_FILTERS }),
    opt('service', 'string', 'flag', 'Only this service', { choices: services }),
  ],
  ack: [],
  page: [
    opt('rotation', 'string', 'positional', 'Page whoever this rotation has on call', { choices: rotations }),
    opt('user', 'user', 'positional', 'Page this person'),
    opt('user2', 'user', 'positional', 'And this person'),
    opt('user3', 'user', 'positional', 'And this person'),
    opt('message', 'string', 'rest', 'What they should know'),
  ],
  escalate: [],
  resolve: [opt('summary', 'string', 'rest', 'How it was fixed')],
  close: [],
  // issue 12: /postmortem draft and /postmortem done on Discord (command-layout.ts)
  postmortem: [],
  'postmortem done': [opt('reviewers', 'string', 'rest', 'Who reviewed it, as @mentions (default: you)')],
  cancel: [opt('reason', 'string', 'rest', 'Why it was not an incident')],
  list: [opt('all', 'boolean', 'flag', 'Include closed and cancelled incidents')],
  // issue 12: stats
  stats: [
    opt('since', 'string', 'flag', 'The period: 30d (default), 90d, 12w or a date such as 2026-10-01'),
    opt('service', 'string', 'flag', 'Only this service', { choices: services }),
    opt('sev', 'string', 'flag', 'Only this severity', { choices: severities }),
  ],
  oncall: [
    opt('rotation', 'string', 'positional', 'Only this rotation', { choices: rotations }),
    opt('at', 'string', 'flag', 'At another time: +2h, tomorrow 09:00, mon 09:00'),
  ],
  cover: [
    opt('user', 'user', 'positional', 'Who covers', { required: true }),
    opt('duration', 'string', 'positional', 'For how long: 30m, 2h, 1d', { required: true }),
    opt('rotation', 'string', 'flag', 'Which rotation (default: yours)', { choices: rotations }),
  ],
  policy: [
    opt('policy', 'string', 'positional', 'A policy id or a severity'),
    opt('service', 'string', 'flag', 'As if for this service', { choices: services }),
    opt('at', 'string', 'flag', 'Starting at another time: +2h, mon 09:00'),
  ],
  // No text: the update form opens (a Discord modal).
  update: [opt('text', 'string', 'rest', 'What changed, what is next (leave out to write it in a form)')],
  notice: [
    opt('audience', 'string', 'positional', 'Who it is for', { required: true, choices: () => NOTICE_AUDIENCES }),
    opt('post', 'boolean', 'flag', 'Post at once instead of showing the draft'),
    opt('text', 'string', 'rest', 'With post: these words instead of the draft'),
  ],
  reopen: [opt('reason', 'string', 'rest', 'Why it is back'), opt('page', 'boolean', 'flag', 'Page its policy again from the first tier')],
  checklist: [
    opt('tick', 'string', 'keyword', 'Instead: tick this step by hand, then the reason', { choices: () => CHECKLIST_STEPS }),
    opt('reason', 'string', 'rest', 'Why it is ticked by hand'),
  ],
  drill: [
    opt('scenario', 'string', 'positional', 'The scenario (default db-connection)', { choices: () => DRILL_SCENARIOS.map((s) => s.id) }),
    opt('dry', 'boolean', 'flag', 'Page only yourself, not the policy'),
  ],
  web: [],
  help: [],
};

/** Every subcommand about one incident takes the `incident` option. */
const ABOUT_AN_INCIDENT = ['status', 'sev', 'role', 'note', 'why', 'cause', 'impact', 'lesson', 'summary', 'timeline', 'action', 'ack', 'page', 'escalate', 'resolve', 'close', 'postmortem', 'postmortem done', 'cancel', 'update', 'notice', 'reopen', 'checklist'];

export const SUBCOMMAND_OPTIONS: Readonly<Record<string, readonly OptionSpec[]>> = Object.fromEntries(
  Object.entries(TABLE).map(([name, specs]) => [name, ABOUT_AN_INCIDENT.includes(name) ? [...specs, INCIDENT] : specs]),
);

/** A subcommand added to commands/ but not to the table still works: everything in one text option. */
const FALLBACK: readonly OptionSpec[] = [opt('args', 'string', 'rest', 'Arguments, as you would type them after the subcommand')];

export function optionsOf(subcommand: string): readonly OptionSpec[] {
  return SUBCOMMAND_OPTIONS[subcommand] ?? FALLBACK;
}

/**
 * Quotes a value so the core's tokenizer keeps it one token: `"..."`, or `'...'` when it holds a
 * double quote, or `“...”` when it holds both.
 */
export function quote(value: string): string {
  if (value && !/[\s"'“]/.test(value)) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return value.includes('”') ? value.replace(/\s+/g, ' ') : `“${value}”`;
}

/**
 * The text command line for a subcommand and its option values (user options hold ids).
 * `subcommand` is the text it runs (command-layout.ts): a command and any fixed words after it
 * (`postmortem done`); the reference goes right after the command (`postmortem INC-7 done`).
 */
export function invocationText(subcommand: string, values: ReadonlyMap<string, string | number | boolean>): string {
  const specs = optionsOf(subcommand);
  const reference = specs.find((s) => s.place === 'reference' && values.get(s.name));
  const [command = subcommand, ...words] = subcommand.split(' ');
  const ref = reference ? [String(values.get(reference.name)).trim().split(/\s+/)[0] ?? ''] : [];
  const start = [command, ...ref, ...words].join(' ');
  const keyword = specs.find((s) => s.place === 'keyword' && values.has(s.name));
  if (keyword) {
    // Free text after a keyword stays (checklist tick <step> <reason>); other options do not apply.
    const rest = specs.filter((s) => s.place === 'rest' && values.get(s.name)).map((s) => String(values.get(s.name)));
    return [`${start} ${keyword.name} ${quote(String(values.get(keyword.name)))}`, ...rest].join(' ');
  }
  const head = [start];
  const tail: string[] = [];
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (value === undefined || value === false || value === '' || spec.place === 'reference') continue;
    const text = spec.kind === 'user' ? `<@${String(value)}>` : String(value);
    if (spec.place === 'rest') tail.push(text);
    else if (spec.place === 'flag') head.push(value === true ? `--${spec.name}` : `--${spec.name} ${spec.kind === 'user' ? text : quote(text)}`);
    else head.push(spec.kind === 'user' ? text : quote(text));
  }
  return [...head, ...tail].join(' ');
}
