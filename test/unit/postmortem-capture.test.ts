import { describe, expect, it } from 'vitest';
import { decideCause, decideImpact, decideLesson, decideMarkedLesson, decideSummary, decideWhy, parseImpact } from '../../src/core/capture.js';
import type { IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import { decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { renderPostmortem } from '../../src/core/postmortem.js';
import { formatFigure, impactSection, lessonsSection, rootCauseSection } from '../../src/core/postmortem-capture.js';
import { project } from '../../src/core/projection.js';

const en = translator('en');
const ko = translator('ko');
const alice: Actor = { id: 'U1', name: 'Alice' };
const bora: Actor = { id: 'U2', name: 'Bora *Kim*' };
const at = (min: number) => new Date(Date.UTC(2025, 11, 26, 9, min));

class Log {
  readonly events: IncidentEvent[] = [];
  inc: Incident;
  constructor(service?: string) {
    const declared = declareEvents({ title: 'Checkout down', summary: '', severity: 'P1', private: false, ...(service ? { service } : {}) }, alice, at(0));
    this.events.push(...declared);
    this.inc = project(null, declared, { workspace: 'T1', number: 3 });
  }
  add(decide: (inc: Incident) => IncidentEvent[]): this {
    const evs = decide(this.inc);
    this.events.push(...evs);
    this.inc = project(this.inc, evs);
    return this;
  }
}

/** The lines between a section's heading and the next `## ` heading. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => l !== '');
}

describe('root cause', () => {
  it('keeps every prompt when nothing was captured', () => {
    expect(rootCauseSection(new Log().inc, en)).toEqual([
      '## 3. Root cause',
      '',
      '- Direct cause: _(fill in)_',
      '- Underlying cause: _(fill in)_',
      '- 5 Whys:',
      '  1. Why did "Checkout down" happen? _(answer)_',
      '  2. Why did that happen? _(answer)_',
      '  3. Why did that happen? _(answer)_',
      '  4. Why did that happen? _(answer)_',
      '  5. Why did that happen? _(answer)_',
    ]);
  });

  it('fills the causes and the whys as typed, in order, prompting only for the rest', () => {
    const log = new Log()
      .add((i) => decideWhy(i, undefined, 'the DB pool was exhausted', alice, at(1)))
      .add((i) => decideWhy(i, undefined, 'traffic was 15x', alice, at(2)))
      .add((i) => decideWhy(i, 1, 'the HikariCP pool (10) was exhausted', bora, at(3)))
      .add((i) => decideCause(i, false, 'pool size 10 under 15x load', alice, at(4)));
    expect(rootCauseSection(log.inc, en).slice(2)).toEqual([
      '- Direct cause: pool size 10 under 15x load',
      '- Underlying cause: _(fill in)_',
      '- 5 Whys:',
      '  1. Why did "Checkout down" happen? the HikariCP pool (10) was exhausted',
      '  2. Why did that happen? traffic was 15x',
      '  3. Why did that happen? _(answer)_',
      '  4. Why did that happen? _(answer)_',
      '  5. Why did that happen? _(answer)_',
    ]);
  });

  it('escapes what people typed: no markup, no new list item, one line', () => {
    const log = new Log()
      .add((i) => decideWhy(i, undefined, '# not a heading\n- not an item <b>x</b> [link](http://x)', alice, at(1)))
      .add((i) => decideCause(i, true, '*bold* | pipe', alice, at(2)));
    const lines = rootCauseSection(log.inc, en);
    expect(lines).toContain('- Underlying cause: \\*bold\\* \\| pipe');
    expect(lines).toContain('  1. Why did "Checkout down" happen? \\# not a heading / - not an item &lt;b&gt;x&lt;/b&gt; \\[link\\](http://x)');
  });
});

describe('impact', () => {
  it('keeps the prompts without figures', () => {
    expect(impactSection(new Log('orders-api').inc, '47 min', en)).toEqual([
      '## 4. Impact',
      '',
      '- Service impact: orders-api, 47 min (from the timeline); affected users: _(fill in)_',
      '- Business impact: _(fill in)_',
    ]);
  });

  it('lists every figure in the order first recorded, numbers grouped, units as typed', () => {
    const log = new Log('orders-api')
      .add((i) => decideImpact(i, parseImpact('users=1200 orders=350 revenue=4.2M duration=47m'), alice, at(1)))
      .add((i) => decideImpact(i, parseImpact('users=12500 conversion=0.25 note="EU | US"'), alice, at(2)));
    expect(impactSection(log.inc, '47 min', en)).toEqual([
      '## 4. Impact',
      '',
      '- Service impact: orders-api, 47 min (from the timeline); affected users: 12,500',
      '- Impact figures, as recorded during the incident:',
      '',
      '| Figure | Details |',
      '|---|---|',
      '| users | 12,500 |',
      '| orders | 350 |',
      '| revenue | 4.2M |',
      '| duration | 47m |',
      '| conversion | 0.25 |',
      '| note | EU \\| US |',
    ]);
    expect(formatFigure(1234567.5)).toBe('1,234,567.5');
    expect(formatFigure('*4M*')).toBe('\\*4M\\*');
  });
});

describe('lessons', () => {
  it('keeps the prompts without lessons', () => {
    expect(lessonsSection(new Log().inc, en)).toEqual([
      '## 7. Lessons',
      '',
      '- Went well: _(fill in)_',
      '- Needs improvement: _(fill in)_',
      '- Got lucky: _(fill in)_',
      '- Insights to share with the team: _(fill in)_',
    ]);
  });

  it('sorts lessons by kind, each kind in the order typed; 💡 lessons under "to sort"', () => {
    const log = new Log()
      .add((i) => decideLesson(i, 'bad', 'no runbook for the pool', alice, at(1)))
      .add((i) => decideMarkedLesson(i, { messageId: 'm4', text: 'alert on pool usage at 80%' }, bora, at(2)))
      .add((i) => decideLesson(i, 'good', 'the page reached Bora in 2 min', alice, at(3)))
      .add((i) => decideLesson(i, 'bad', 'the status page lagged', bora, at(4)))
      .add((i) => decideMarkedLesson(i, { messageId: 'm9', text: 'rehearse failover', author: bora }, alice, at(5)))
      .add((i) => decideMarkedLesson(i, { messageId: 'm10', text: 'my own words', author: alice }, alice, at(6)));
    expect(lessonsSection(log.inc, en)).toEqual([
      '## 7. Lessons',
      '',
      '- Went well:',
      '  - the page reached Bora in 2 min (Alice)',
      '- Needs improvement:',
      '  - no runbook for the pool (Alice)',
      '  - the status page lagged (Bora \\*Kim\\*)',
      '- Got lucky: _(fill in)_',
      '- Insights to share with the team: _(fill in)_',
      '',
      '### Lessons to sort',
      '',
      'Messages marked 💡 during the incident: move each to went well, needs improvement or got lucky.',
      '',
      '- alert on pool usage at 80% (Bora \\*Kim\\*)',
      '- rehearse failover (Bora \\*Kim\\*; marked by Alice)',
      '- my own words (Alice)',
    ]);
  });
});

describe('the whole draft', () => {
  it('has every captured section filled, the summary in the overview, in Korean too', () => {
    const log = new Log('orders-api')
      .add((i) => decideSummary(i, 'Checkout failed for 47 minutes during the sale.', alice, at(1)))
      .add((i) => decideWhy(i, undefined, 'the pool was exhausted', alice, at(2)))
      .add((i) => decideCause(i, false, 'pool of 10', alice, at(3)))
      .add((i) => decideCause(i, true, 'no capacity plan', alice, at(4)))
      .add((i) => decideImpact(i, parseImpact('users=1200 revenue=4.2M'), alice, at(5)))
      .add((i) => decideLesson(i, 'lucky', 'it was 3 a.m.', alice, at(6)))
      .add((i) => decideResolve(i, undefined, alice, at(47)));
    const md = renderPostmortem(log.inc, log.events, { t: en, timeZone: 'UTC', now: at(50) });
    expect(md).toContain('| Summary | Checkout failed for 47 minutes during the sale. |');
    expect(section(md, '## 3. Root cause')).toEqual([
      '- Direct cause: pool of 10',
      '- Underlying cause: no capacity plan',
      '- 5 Whys:',
      '  1. Why did "Checkout down" happen? the pool was exhausted',
      '  2. Why did that happen? _(answer)_',
      '  3. Why did that happen? _(answer)_',
      '  4. Why did that happen? _(answer)_',
      '  5. Why did that happen? _(answer)_',
    ]);
    expect(section(md, '## 4. Impact')[0]).toBe('- Service impact: orders-api, 47 min (from the timeline); affected users: 1,200');
    expect(section(md, '## 7. Lessons')).toContain('  - it was 3 a.m. (Alice)');
    // The timeline says the same, in time order.
    expect(md).toMatch(/summary: Checkout failed[\s\S]*why 1: the pool was exhausted[\s\S]*direct cause: pool of 10[\s\S]*impact: users=1200, revenue=4.2M/);

    const kmd = renderPostmortem(log.inc, log.events, { t: ko, timeZone: 'Asia/Seoul', now: at(50) });
    expect(kmd).toContain('- 직접 원인: pool of 10');
    expect(kmd).toContain('- 근본 원인: no capacity plan');
    expect(kmd).toContain('  1. 왜 "Checkout down" 문제가 발생했나? the pool was exhausted');
    expect(kmd).toContain('영향 사용자: 1,200');
    expect(kmd).toContain('| 항목 | 내용 |\n|---|---|\n| users | 1,200 |');
    expect(kmd).toContain('- 운이 좋았던 점:\n  - it was 3 a.m. (Alice)');
  });

  it('fills the overview\'s affected users from the impact figure users=, else keeps the prompt', () => {
    const draft = (log: Log, t = en) => renderPostmortem(log.inc, log.events, { t, timeZone: 'UTC', now: at(50) });
    expect(draft(new Log('orders-api'))).toContain('| Affected users | _(fill in)_ |');
    const noUsers = new Log('orders-api').add((i) => decideImpact(i, parseImpact('orders=350'), alice, at(1)));
    expect(draft(noUsers)).toContain('| Affected users | _(fill in)_ |');
    expect(draft(noUsers, ko)).toContain('| 영향 사용자 | _(작성 필요)_ |');

    const counted = new Log('orders-api')
      .add((i) => decideImpact(i, parseImpact('users=1200 orders=350'), alice, at(1)))
      .add((i) => decideImpact(i, parseImpact('users=12500'), alice, at(2)));
    expect(draft(counted)).toContain('| Affected users | 12,500 |');
    expect(draft(counted, ko)).toContain('| 영향 사용자 | 12,500 |');
  });
});
