import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.js';
import type { Deps } from '../../src/app/context.js';
import { userErrorText } from '../../src/app/dispatch.js';
import { activeStatus, horizon, limitedText, role, serviceId, severityId, titleText } from '../../src/app/schemas.js';
import { resolveMention } from '../../src/app/users.js';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { splitArgs, validate } from '../../src/core/args.js';
import { IncidentError, type ErrorCode } from '../../src/core/errors.js';
import { en } from '../../src/core/i18n/en.js';
import { translator } from '../../src/core/i18n/index.js';
import {
  decideActionDone,
  decideClose,
  decideResolve,
  decideSeverity,
  decideStatus,
  declareEvents,
  decideAction,
  decideTriageDeclare,
} from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { event } from '../../src/core/events.js';
import { decideChecklistTick, decideReopen, decideTakeRole, decideUpdate } from '../../src/core/guidance.js';
import { decideAck, decideEscalate, decidePage } from '../../src/core/paging.js';
import { decidePostmortemReviewed } from '../../src/core/postmortem-review.js';
import { decideWhy, parseImpact, parseLesson } from '../../src/core/capture.js';
import { parseStarted } from '../../src/core/started.js';
import { actionsFilter, doneItemId, parseDue } from '../../src/core/followups.js';
import { parseSince } from '../../src/core/stats.js';

const ERROR_CODES = [
  'unknown_subcommand',
  'missing_argument',
  'bad_argument',
  'bad_severity',
  'bad_status',
  'bad_role',
  'bad_horizon',
  'bad_user',
  'unknown_flag',
  'unknown_service',
  'not_incident_channel',
  'incident_not_found',
  'illegal_transition',
  'same_status',
  'same_severity',
  'not_resolved',
  'incident_finished',
  'unknown_action_item',
  'action_already_done',
  'not_paged',
  'already_acknowledged',
  'no_policy',
  'nothing_to_escalate',
  'unknown_rotation',
  'unknown_policy',
  'bad_duration',
  'bad_time',
  'nobody_on_call',
  'too_long',
  'too_many_targets',
  'page_rate',
  'invisible_title',
  'not_allowed',
  'cover_too_long',
  'cover_not_member',
  'cover_outsider',
  'cover_limit',
  'unknown_user',
  'triage_already',
  'not_active_update',
  'reopen_not_resolved',
  'role_taken',
  'checklist_already',
  'bad_checklist_step',
  'bad_audience',
  'notice_no_channel',
  'notice_changed',
  'unknown_scenario',
  // issue 12: capture
  'whys_full',
  'bad_why_number',
  'bad_impact',
  'impact_not_number',
  'impact_too_many',
  'bad_lesson_kind',
  // issue 12: durations
  'bad_started',
  'started_in_future',
  'started_too_early',
  // issue 12: the 48-hour rule
  'postmortem_not_resolved',
  'postmortem_already_reviewed',
  // issue 12: follow-ups
  'due_in_past',
  'bad_actions_filter',
  'bad_action_done',
  // issue 12: stats
  'bad_since',
] as const satisfies readonly ErrorCode[];

// Compile-time: the array names every member of the union.
type Unlisted = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
const everyCodeListed: [Unlisted] extends [never] ? true : false = true;

const catalog: Record<string, string> = en;
const t = translator('en');
const deps = { t } as unknown as Deps;

describe('error codes', () => {
  it('the list in this test matches the ErrorCode union in src/core/errors.ts', () => {
    expect(everyCodeListed).toBe(true);
    const source = readFileSync(new URL('../../src/core/errors.ts', import.meta.url), 'utf8');
    const union = /export type ErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const members = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(members.length).toBeGreaterThan(0);
    expect([...members].sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES)('error.%s has a message', (code) => {
    expect(catalog[`error.${code}`]?.trim()).toBeTruthy();
  });

  it('has the messages for errors that are not user errors', () => {
    expect(catalog['error.unexpected']).toContain('{ref}');
    expect(catalog['error.busy']).toContain('{ref}');
  });
});

describe('catalog', () => {
  it('has no empty value', () => {
    const empty = Object.entries(catalog).filter(([, v]) => v.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(commands.map((c) => [c.name, c.usage, c.help] as const))('/incident %s has its usage (%s) and help (%s)', (_name, usage, help) => {
    expect(catalog[usage]?.trim()).toBeTruthy();
    expect(catalog[help]?.trim()).toBeTruthy();
  });

  it('has every word the effects and summary look up by status, role and horizon', () => {
    const keys = [
      ...['investigating', 'identified', 'monitoring', 'resolved', 'closed', 'cancelled'].map((s) => `word.status.${s}`),
      ...['commander', 'comms', 'scribe'].map((r) => `word.role.${r}`),
      ...['1w', '1m', 'q'].map((h) => `word.horizon.${h}`),
    ];
    expect(keys.filter((k) => !catalog[k])).toEqual([]);
  });
});

describe('userErrorText fills every placeholder', () => {
  const parsed = parseConfig({ services: [{ id: 'payments' }, { id: 'search' }] });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const config: AppConfig = parsed.config;
  const alice: Actor = { id: 'U1', name: 'Alice' };
  const at = (min: number) => new Date(Date.UTC(2025, 11, 26, 9, min));
  const fresh = (): Incident =>
    project(null, declareEvents({ title: 'Down', summary: '', severity: 'P2', private: false }, alice, at(0)), { workspace: 'T1', number: 4 });
  const resolved = (): Incident => project(fresh(), decideResolve(fresh(), undefined, alice, at(5)));
  const closed = (): Incident => project(resolved(), decideClose(resolved(), alice, at(6)));
  const withDoneItem = (): Incident => {
    let inc = fresh();
    inc = project(inc, decideAction(inc, { text: 'x', horizon: '1w' }, alice, at(1)));
    return project(inc, decideActionDone(inc, 'A1', alice, at(2)));
  };

  function caught(fn: () => unknown): IncidentError {
    try {
      fn();
    } catch (err) {
      if (err instanceof IncidentError) return err;
      throw err;
    }
    throw new Error('nothing thrown');
  }

  async function rejected(promise: Promise<unknown>): Promise<IncidentError> {
    const err: unknown = await promise.then(
      () => new Error('nothing thrown'),
      (e: unknown) => e,
    );
    if (err instanceof IncidentError) return err;
    throw err;
  }

  /** Each error raised the way the source raises it (or, for the app's own, with the details it passes). */
  const representative: [string, () => IncidentError | Promise<IncidentError>][] = [
    ['unknown_subcommand', () => new IncidentError('unknown_subcommand', { name: 'frob', known: commands.map((c) => c.name).join(', ') })],
    ['missing_argument (flag value)', () => caught(() => splitArgs('x --sev', { sev: 'value' }, 'usage.declare'))],
    ['missing_argument (title)', () => caught(() => validate(z.object({ title: z.string().trim().min(1) }), { title: '' }, 'usage.declare'))],
    ['missing_argument (user)', () => caught(() => validate(z.object({ role, user: z.string() }), { role: 'scribe' }, 'usage.role'))],
    ['bad_argument', () => caught(() => validate(z.object({ text: z.string().max(2) }), { text: 'long' }, 'usage.note'))],
    ['bad_severity', () => caught(() => validate(z.object({ s: severityId(config) }), { s: 'P9' }, 'usage.sev'))],
    ['bad_status', () => caught(() => validate(z.object({ s: activeStatus }), { s: 'done' }, 'usage.status'))],
    ['bad_role', () => caught(() => validate(z.object({ r: role }), { r: 'boss' }, 'usage.role'))],
    ['bad_horizon', () => caught(() => validate(z.object({ h: horizon }), { h: 'soon' }, 'usage.action'))],
    ['bad_user', () => rejected(resolveMention(deps, 'T1', 'alice'))],
    ['unknown_flag', () => caught(() => splitArgs('x --nope', {}, 'usage.list'))],
    ['unknown_service', () => caught(() => validate(z.object({ s: serviceId(config) }), { s: 'billing' }, 'usage.declare'))],
    ['not_incident_channel', () => new IncidentError('not_incident_channel', { name: 'status', open: 'INC-1 <#C1>', example: 'INC-1' })],
    ['incident_not_found', () => new IncidentError('incident_not_found', { ref: 'INC-9' })],
    [
      'incident_not_found (a reference, with the open incidents)',
      () => new IncidentError('incident_not_found', { ref: 'INC-99', open: 'INC-1 <#C1>, INC-2', hintKey: 'error.hint.open_incidents' }),
    ],
    ['illegal_transition', () => caught(() => decideStatus(resolved(), 'identified', undefined, alice, at(9)))],
    ['same_status', () => caught(() => decideStatus(fresh(), 'investigating', undefined, alice, at(9)))],
    ['same_severity', () => caught(() => decideSeverity(fresh(), 'P2', undefined, alice, at(9)))],
    ['not_resolved', () => caught(() => decideClose(fresh(), alice, at(9)))],
    ['incident_finished', () => caught(() => decideStatus(closed(), 'identified', undefined, alice, at(9)))],
    ['unknown_action_item', () => caught(() => decideActionDone(fresh(), 'A7', alice, at(9)))],
    ['action_already_done', () => caught(() => decideActionDone(withDoneItem(), 'A1', alice, at(9)))],
    ['not_paged', () => caught(() => decideAck(fresh(), alice, at(9)))],
    ['already_acknowledged', () => caught(() => decideAck(project(pagedAlice(), decideAck(pagedAlice(), alice, at(9))), alice, at(10)))],
    ['no_policy', () => caught(() => decideEscalate(fresh(), alice, at(9)))],
    ['nothing_to_escalate', () => new IncidentError('nothing_to_escalate', { ref: 'INC-1' })],
    ['unknown_rotation', () => new IncidentError('unknown_rotation', { value: 'ops', allowed: 'backend, web' })],
    ['unknown_policy', () => new IncidentError('unknown_policy', { value: 'x', allowed: 'default', severities: 'P1, P2' })],
    ['bad_duration', () => new IncidentError('bad_duration', { value: 'soon' })],
    ['bad_time', () => new IncidentError('bad_time', { value: 'later' })],
    ['nobody_on_call', () => new IncidentError('nobody_on_call', { rotation: 'backend' })],
    ['not_allowed', () => new IncidentError('not_allowed', { ref: 'INC-1', whatKey: 'authz.resolve', who: '<@carol>' })],
    ['cover_too_long', () => new IncidentError('cover_too_long', { max: '7d' })],
    ['cover_not_member', () => new IncidentError('cover_not_member', { rotation: 'backend', managers: '<@lead>' })],
    ['cover_outsider', () => new IncidentError('cover_outsider', { rotation: 'backend', user: 'ghost', managers: '<@lead>' })],
    ['cover_limit', () => new IncidentError('cover_limit', { rotation: 'backend', count: 50 })],
    ['unknown_user', () => new IncidentError('unknown_user', { user: 'ghost' })],
    ['too_long', () => caught(() => validate(z.object({ text: limitedText(5, 'arg.note') }), { text: 'too long' }, 'usage.note'))],
    ['invisible_title', () => caught(() => validate(z.object({ title: titleText(150) }), { title: '\u200b\u202e' }, 'usage.declare'))],
    ['too_many_targets', () => new IncidentError('too_many_targets', { max: 10, count: 11 })],
    ['page_rate', () => new IncidentError('page_rate', { used: 30, max: 30, count: 1 })],
    ['triage_already', () => caught(() => decideTriageDeclare(fresh(), alice, at(9)))],
    ['not_active_update', () => caught(() => decideUpdate(resolved(), 'still here', alice, at(9)))],
    ['reopen_not_resolved', () => caught(() => decideReopen(closed(), undefined, false, alice, at(9)))],
    ['role_taken', () => caught(() => decideTakeRole(project(fresh(), [event({ type: 'role_assigned', role: 'comms', user: alice }, alice, at(9))]), 'comms', alice, at(10)))],
    ['checklist_already', () => caught(() => decideChecklistTick(fresh(), 'graded', 'set at declare', alice, at(9)))],
    ['bad_checklist_step', () => new IncidentError('bad_checklist_step', { value: 'lunch', allowed: 'graded, paged' })],
    ['bad_audience', () => new IncidentError('bad_audience', { value: 'press' })],
    ['notice_no_channel', () => new IncidentError('notice_no_channel', { key: 'channels.stakeholders', audience: 'internal' })],
    ['notice_changed', () => new IncidentError('notice_changed', { ref: 'INC-1', audience: 'internal' })],
    ['unknown_scenario', () => new IncidentError('unknown_scenario', { value: 'fire', allowed: 'db-connection, thread-pool, api-latency' })],
    // issue 12: capture
    ['whys_full', () => caught(() => decideWhy({ ...fresh(), whys: ['a', 'b', 'c', 'd', 'e'] }, undefined, 'f', alice, at(9)))],
    ['bad_why_number', () => caught(() => decideWhy(fresh(), 9, 'x', alice, at(9)))],
    ['bad_impact', () => caught(() => parseImpact('users'))],
    ['impact_not_number', () => caught(() => parseImpact('users=lots'))],
    ['impact_too_many', () => new IncidentError('impact_too_many', { ref: 'INC-1', max: 30 })],
    ['bad_lesson_kind', () => caught(() => parseLesson('meh it went'))],
    ['too_long (an impact value)', () => caught(() => parseImpact(`note=${'x'.repeat(101)}`))],
    ['bad_started', () => caught(() => parseStarted('yesterday-ish', 'Asia/Seoul', at(9)))],
    ['started_in_future', () => caught(() => parseStarted('23:59', 'UTC', at(9)))],
    ['started_too_early', () => caught(() => parseStarted('31d', 'UTC', at(9)))],
    // issue 12: the 48-hour rule
    ['postmortem_not_resolved', () => caught(() => decidePostmortemReviewed(fresh(), [], alice, at(9)))],
    ['postmortem_already_reviewed', () => caught(() => decidePostmortemReviewed(project(closed(), decidePostmortemReviewed(closed(), [], alice, at(7))), [], alice, at(9)))],
    // issue 12: follow-ups
    ['bad_horizon (a --due that is no date)', () => caught(() => parseDue('tomorrowish', { timeZone: 'Asia/Seoul', now: at(9) }))],
    ['due_in_past', () => caught(() => parseDue('2025-01-01', { timeZone: 'Asia/Seoul', now: at(9) }))],
    ['bad_actions_filter', () => caught(() => actionsFilter('closed'))],
    ['bad_action_done', () => caught(() => doneItemId('done A1 A2'))],
    // issue 12: stats
    ['bad_since', () => caught(() => parseSince('yesterday-ish', at(9), 'UTC'))],
  ];

  function pagedAlice(): Incident {
    return project(fresh(), decidePage(fresh(), [alice], undefined, alice, at(8)));
  }

  it('covers every error code', async () => {
    const errors = await Promise.all(representative.map(([, make]) => make()));
    const codes = new Set(errors.map((e) => e.code));
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(representative)('%s', async (_label, make) => {
    const err = await make();
    const text = userErrorText(deps, err);
    expect(text).not.toMatch(/\{\w+\}/);
    expect(text).not.toContain('undefined');
    expect(text).not.toMatch(/usage\.|arg\./);
    // The message shown is the one for this code, not a fallback.
    const template = catalog[`error.${err.code}`] ?? '';
    const fixed = template.split(/\{\w+\}/).filter((s) => s.length > 3);
    for (const piece of fixed) expect(text).toContain(piece);
  });

  it('shows the usage line of the command that failed', () => {
    const err = caught(() => splitArgs('x --nope', {}, 'usage.list'));
    expect(userErrorText(deps, err)).toBe(`Unknown option \`--nope\`. Usage: \`${t('usage.list')}\``);
  });

  it('adds the hint of a hintKey after the message, filled from the same details', () => {
    const err = new IncidentError('incident_not_found', { ref: 'INC-99', open: 'INC-1 <#C1>, INC-2', hintKey: 'error.hint.open_incidents' });
    expect(userErrorText(deps, err)).toBe('There is no INC-99 in this workspace. Open incidents: INC-1 <#C1>, INC-2.');
    expect(userErrorText(deps, new IncidentError('incident_not_found', { ref: 'INC-9' }))).toBe('There is no INC-9 in this workspace.');
  });

  it('names the missing flag value', () => {
    const err = caught(() => splitArgs('x --sev', { sev: 'value' }, 'usage.declare'));
    expect(userErrorText(deps, err)).toMatch(/^Missing a value after --sev\. Usage: `\/incident declare /);
  });
});
