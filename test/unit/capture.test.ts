import { describe, expect, it } from 'vitest';
import {
  COUNT_KEYS,
  MAX_IMPACT_KEYS,
  decideCause,
  decideImpact,
  decideLesson,
  decideMarkedLesson,
  decideSummary,
  decideWhy,
  impactValue,
  parseCause,
  parseImpact,
  parseLesson,
  parseWhy,
} from '../../src/core/capture.js';
import { IncidentError } from '../../src/core/errors.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import { decideCancel, decideClose, decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { timelineEntries } from '../../src/core/timeline.js';

const alice: Actor = { id: 'U1', name: 'Alice' };
const bora: Actor = { id: 'U2', name: 'Bora' };
const at = (min: number) => new Date(Date.UTC(2025, 11, 26, 9, min));
const fresh = (): Incident => project(null, declareEvents({ title: 'Checkout down', summary: '', severity: 'P1', private: false }, alice, at(0)), { workspace: 'T1', number: 7 });
const apply = (inc: Incident, events: IncidentEvent[]): Incident => project(inc, events);

function refused(fn: () => unknown): IncidentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IncidentError) return err;
    throw err;
  }
  throw new Error('nothing thrown');
}

/** An incident with these whys, written one after another. */
function withWhys(...answers: string[]): Incident {
  let inc = fresh();
  for (const [i, a] of answers.entries()) inc = apply(inc, decideWhy(inc, undefined, a, alice, at(i + 1)));
  return inc;
}

describe('the five whys', () => {
  it('reads a leading number as the why to write, the rest verbatim', () => {
    expect(parseWhy('the pool was too small')).toEqual({ text: 'the pool was too small' });
    expect(parseWhy('3 because "nobody" looked')).toEqual({ n: 3, text: 'because "nobody" looked' });
    expect(parseWhy('3. dotted')).toEqual({ n: 3, text: 'dotted' });
    expect(parseWhy('2) paren')).toEqual({ n: 2, text: 'paren' });
    expect(parseWhy('4')).toEqual({ n: 4, text: '' });
    // A number glued to a word is text: `5xx errors` is an answer, not why 5.
    expect(parseWhy('5xx errors spiked')).toEqual({ text: '5xx errors spiked' });
    expect(parseWhy('500 errors a minute')).toEqual({ text: '500 errors a minute' });
    expect(parseWhy('9 x')).toEqual({ n: 9, text: 'x' });
  });

  it('writes the next why, in order, up to five', () => {
    const inc = withWhys('one', 'two', 'three', 'four', 'five');
    expect(inc.whys).toEqual(['one', 'two', 'three', 'four', 'five']);
    const err = refused(() => decideWhy(inc, undefined, 'six', alice, at(9)));
    expect(err.code).toBe('whys_full');
    expect(err.details).toMatchObject({ ref: 'INC-7', max: 5 });
  });

  it('rewrites an existing why, or writes the next one by number; refuses a gap, 0 and 9', () => {
    const inc = withWhys('one', 'two');
    const [rewrite] = decideWhy(inc, 1, 'one, better', bora, at(5));
    expect(rewrite).toMatchObject({ type: 'why_recorded', n: 1, text: 'one, better', rewrite: true, actor: bora });
    const [next] = decideWhy(inc, 3, 'three', bora, at(5));
    expect(next).toMatchObject({ type: 'why_recorded', n: 3, text: 'three' });
    expect(next).not.toHaveProperty('rewrite');
    expect(apply(inc, [rewrite as IncidentEvent]).whys).toEqual(['one, better', 'two']);
    for (const n of [0, 4, 9, 500]) {
      const err = refused(() => decideWhy(inc, n, 'x', alice, at(5)));
      expect(err.code).toBe('bad_why_number');
      expect(err.details).toMatchObject({ value: String(n), count: 2, allowed: '1–3' });
    }
    expect(refused(() => decideWhy(fresh(), 2, 'x', alice, at(5))).details).toMatchObject({ allowed: '1', count: 0 });
    // All five written: any of them may be rewritten, a sixth is still refused.
    const full = withWhys('1', '2', '3', '4', '5');
    expect(decideWhy(full, 5, 'five again', alice, at(9))[0]).toMatchObject({ n: 5, rewrite: true });
    expect(refused(() => decideWhy(full, 6, 'x', alice, at(9))).details).toMatchObject({ allowed: '1–5' });
  });

  it('refuses an empty answer, naming what is missing', () => {
    expect(refused(() => decideWhy(fresh(), undefined, '', alice, at(1))).details).toMatchObject({ whatKey: 'arg.why', usageKey: 'usage.why' });
    expect(refused(() => decideWhy(fresh(), 1, '', alice, at(1))).code).toBe('missing_argument');
  });
});

describe('causes', () => {
  it('takes --underlying only first; any other leading flag is refused', () => {
    expect(parseCause('pool exhausted --underlying')).toEqual({ underlying: false, text: 'pool exhausted --underlying' });
    expect(parseCause('--underlying no load test before the sale')).toEqual({ underlying: true, text: 'no load test before the sale' });
    expect(parseCause('--Underlying')).toEqual({ underlying: true, text: '' });
    expect(refused(() => parseCause('--direct x')).details).toMatchObject({ flag: 'direct', usageKey: 'usage.cause' });
  });

  it('sets the direct and the underlying cause; a later one replaces it', () => {
    let inc = fresh();
    inc = apply(inc, decideCause(inc, false, 'HikariCP pool of 10', alice, at(1)));
    inc = apply(inc, decideCause(inc, true, 'no capacity plan', alice, at(2)));
    inc = apply(inc, decideCause(inc, false, 'HikariCP pool of 10 under 15x traffic', bora, at(3)));
    expect(inc.directCause).toBe('HikariCP pool of 10 under 15x traffic');
    expect(inc.underlyingCause).toBe('no capacity plan');
    expect(refused(() => decideCause(inc, true, '', alice, at(4))).details).toMatchObject({ whatKey: 'arg.cause' });
  });
});

describe('impact figures', () => {
  it('keeps plain numbers as numbers and figures with units as typed', () => {
    expect(parseImpact('users=1200 orders=350 revenue=4.2M duration=47m ratio=0.5 refunds=1,250')).toEqual({
      users: 1200,
      orders: 350,
      revenue: '4.2M',
      duration: '47m',
      ratio: 0.5,
      refunds: 1250,
    });
    expect(impactValue('45%')).toBe('45%');
    expect(impactValue('-3')).toBe(-3);
    expect(impactValue('1,2,3')).toBe('1,2,3');
  });

  it('lowercases keys, takes quoted values, and keeps the last of a repeated key', () => {
    expect(parseImpact('Users=5 region="eu west" users=7 사용자=3')).toEqual({ users: 7, region: 'eu west', 사용자: 3 });
  });

  it('refuses a count key that is not a whole number, naming the key', () => {
    for (const [text, key, value] of [
      ['users=lots', 'users', 'lots'],
      ['orders=3.5', 'orders', '3.5'],
      ['errors=-1', 'errors', '-1'],
      ['requests=1.2k', 'requests', '1.2k'],
    ]) {
      const err = refused(() => parseImpact(`revenue=1M ${text}`));
      expect(err.code).toBe('impact_not_number');
      expect(err.details).toEqual({ key, value });
    }
    expect(COUNT_KEYS).toEqual(expect.arrayContaining(['users', 'orders', 'requests', 'errors']));
  });

  it('refuses what is not key=value, and an empty command', () => {
    for (const bad of ['users', '=5', 'users=', '1st=5', '_x=1', 'a.b=1', `${'k'.repeat(41)}=1`]) {
      const err = refused(() => parseImpact(`orders=1 ${bad}`));
      expect(err.code, bad).toBe('bad_impact');
      expect(err.details).toMatchObject({ value: bad, usageKey: 'usage.impact' });
    }
    expect(refused(() => parseImpact('   ')).details).toMatchObject({ whatKey: 'arg.impact' });
    expect(refused(() => parseImpact(`note=${'x'.repeat(101)}`)).details).toMatchObject({ whatKey: 'arg.impact_value', key: 'note', max: 100 });
  });

  it('merges into the incident: a repeated key replaces its value where it first stood', () => {
    let inc = fresh();
    inc = apply(inc, decideImpact(inc, parseImpact('users=1200 revenue=4.2M'), alice, at(1)));
    inc = apply(inc, decideImpact(inc, parseImpact('orders=350 users=1500'), bora, at(2)));
    expect(inc.impact).toEqual({ users: 1500, revenue: '4.2M', orders: 350 });
    expect(Object.keys(inc.impact ?? {})).toEqual(['users', 'revenue', 'orders']);
  });

  it(`refuses more than ${MAX_IMPACT_KEYS} figures on one incident`, () => {
    let inc = fresh();
    const many = Array.from({ length: MAX_IMPACT_KEYS }, (_, i) => `k${i}=${i}`).join(' ');
    inc = apply(inc, decideImpact(inc, parseImpact(many), alice, at(1)));
    // Replacing one is fine; one more key is not.
    expect(decideImpact(inc, parseImpact('k0=9'), alice, at(2))).toHaveLength(1);
    expect(refused(() => decideImpact(inc, parseImpact('extra=1'), alice, at(2))).code).toBe('impact_too_many');
  });
});

describe('lessons and the summary', () => {
  it('reads the kind first, in any case; refuses another word', () => {
    expect(parseLesson('Good the page reached bora in 2 min')).toEqual({ kind: 'good', text: 'the page reached bora in 2 min' });
    expect(parseLesson('lucky')).toEqual({ kind: 'lucky', text: '' });
    expect(refused(() => parseLesson('great it worked')).details).toEqual({ value: 'great' });
    expect(refused(() => parseLesson('')).details).toMatchObject({ whatKey: 'arg.lesson_kind' });
    expect(refused(() => decideLesson(fresh(), 'bad', '', alice, at(1))).details).toMatchObject({ whatKey: 'arg.lesson' });
  });

  it('keeps lessons in the order recorded, with who and when', () => {
    let inc = fresh();
    inc = apply(inc, decideLesson(inc, 'bad', 'no runbook', alice, at(1)));
    inc = apply(inc, decideLesson(inc, 'good', 'fast page', bora, at(2)));
    expect(inc.lessons).toEqual([
      { kind: 'bad', text: 'no runbook', by: alice, at: at(1).toISOString() },
      { kind: 'good', text: 'fast page', by: bora, at: at(2).toISOString() },
    ]);
  });

  it('takes a 💡 message once, and nothing without text or after the incident ended', () => {
    let inc = fresh();
    const marked = { messageId: 'm7', text: 'we were lucky the replica was warm', author: alice };
    const first = decideMarkedLesson(inc, marked, bora, at(3));
    expect(first).toEqual([expect.objectContaining({ type: 'lesson_recorded', kind: 'unsorted', text: marked.text, messageId: 'm7', author: alice, actor: bora })]);
    inc = apply(inc, first);
    expect(inc.lessons?.[0]).toMatchObject({ kind: 'unsorted', messageId: 'm7', by: bora, author: alice });
    expect(decideMarkedLesson(inc, marked, alice, at(4))).toEqual([]);
    expect(decideMarkedLesson(inc, { messageId: 'm8', text: '  ' }, alice, at(4))).toEqual([]);
    const cancelled = apply(inc, decideCancel(inc, undefined, alice, at(5)));
    expect(decideMarkedLesson(cancelled, { messageId: 'm9', text: 'late' }, alice, at(6))).toEqual([]);
  });

  it('sets the summary the overview shows', () => {
    const inc = apply(fresh(), decideSummary(fresh(), 'Checkout failed for 47 minutes.', alice, at(1)));
    expect(inc.summary).toBe('Checkout failed for 47 minutes.');
    expect(refused(() => decideSummary(inc, '', alice, at(2))).details).toMatchObject({ whatKey: 'arg.summary', usageKey: 'usage.summary' });
  });
});

describe('on a finished incident', () => {
  it('works after the resolve; refuses every capture once closed or cancelled', () => {
    const resolved = apply(fresh(), decideResolve(fresh(), undefined, alice, at(5)));
    expect(decideWhy(resolved, undefined, 'still time to write', alice, at(6))).toHaveLength(1);
    const closed = apply(resolved, decideClose(resolved, alice, at(7)));
    const cancelled = apply(fresh(), decideCancel(fresh(), undefined, alice, at(7)));
    for (const inc of [closed, cancelled]) {
      const attempts = [
        () => decideWhy(inc, undefined, 'x', alice, at(8)),
        () => decideCause(inc, false, 'x', alice, at(8)),
        () => decideImpact(inc, { users: 1 }, alice, at(8)),
        () => decideLesson(inc, 'good', 'x', alice, at(8)),
        () => decideSummary(inc, 'x', alice, at(8)),
      ];
      for (const attempt of attempts) expect(refused(attempt)).toMatchObject({ code: 'incident_finished', details: { ref: 'INC-7', status: inc.status } });
    }
  });
});

describe('on the timeline', () => {
  it('shows each capture as typed', () => {
    let inc = fresh();
    const events: IncidentEvent[] = [];
    const add = (evs: IncidentEvent[]) => {
      events.push(...evs);
      inc = apply(inc, evs);
    };
    add(decideWhy(inc, undefined, 'pool exhausted', alice, at(1)));
    add(decideWhy(inc, 1, 'the pool was exhausted', alice, at(2)));
    add(decideCause(inc, true, 'no load test', alice, at(3)));
    add(decideImpact(inc, { users: 1200, revenue: '4.2M' }, alice, at(4)));
    add(decideLesson(inc, 'lucky', 'low traffic hour', alice, at(5)));
    add(decideMarkedLesson(inc, { messageId: 'm3', text: 'add a pool alert' }, bora, at(6)));
    add(decideSummary(inc, 'Checkout down 47 min', alice, at(7)));
    expect(timelineEntries(events, translator('en')).map((e) => e.text)).toEqual([
      'why 1: pool exhausted',
      'why 1 (rewritten): the pool was exhausted',
      'underlying cause: no load test',
      'impact: users=1200, revenue=4.2M',
      'lesson (got lucky): low traffic hour',
      ':bulb: lesson to sort: add a pool alert',
      'summary: Checkout down 47 min',
    ]);
    expect(timelineEntries(events, translator('ko')).map((e) => e.text)[4]).toBe('교훈 (운이 좋았던 점): low traffic hour');
  });
});
