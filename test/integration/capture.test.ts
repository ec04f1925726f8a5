import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/model.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * Capture during the incident, on the real local workspace, dispatcher and Redis store: a
 * scripted incident uses every capture command and a 💡 reaction, and its postmortem file has
 * each section filled with exactly what was typed, in order. Bad input gets a clear answer and
 * writes nothing.
 */

let app: TestApp;
beforeEach(async () => {
  app = await testApp({ timeZone: 'UTC', services: [{ id: 'checkout' }] }, new Date('2025-12-26T09:00:00Z'));
});
afterEach(() => app.close());

const MIN = 60_000;
const ws = 'local';
const text = (lines: readonly string[]) => lines.join('\n');

async function incident(): Promise<Incident> {
  const inc = await app.deps.store.get({ workspace: ws, number: 1 });
  if (!inc) throw new Error('no INC-1');
  return inc;
}

/** What a refused command must leave as it was: the incident's version and its events. */
async function stored(): Promise<{ version: number; events: number }> {
  const inc = await incident();
  return { version: inc.version, events: (await app.deps.store.events(inc)).length };
}

/** Types a line, moving the clock a minute first so each entry has its own time. */
async function typed(line: string): Promise<string> {
  app.clock.advance(MIN);
  return text(await app.type(line));
}

/** The lines between a section's heading and the next `## ` heading, blank lines left out. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => l !== '');
}

async function declare(): Promise<string> {
  await app.type('/incident declare Checkout down --sev P2 --service checkout');
  return app.terminal.state.channel;
}

describe('capture during the incident', () => {
  it('fills the postmortem with exactly what was typed, in order', async () => {
    const channel = await declare();
    expect(channel).toBe('inc-1-checkout-down');

    // Bob says something worth keeping; Alice marks it 💡 (twice, two spellings): one lesson.
    await app.type('/as @bob');
    const said = await typed('we were lucky the read replica was warm');
    const messageId = /· (m\d+)\]/.exec(said)?.[1] ?? '';
    expect(messageId).toMatch(/^m\d+$/);
    await app.type('/as @alice');
    await typed(`/react ${messageId} 💡`);
    await typed(`/react ${messageId} :bulb:`);

    expect(await typed('/incident why checkout API requests timed out')).toContain('Why 1 of 5 recorded for INC-1.');
    const posted = await typed('/incident why the DB connection pool was exhausted');
    expect(posted).toContain('Why 2 of 5 recorded for INC-1.');
    // The channel sees it too.
    expect(posted).toMatch(/\[#inc-1-checkout-down · m\d+\] bot:\s+📝 @alice why 2: the DB connection pool was exhausted/);
    expect(await typed('/incident why 1 checkout API requests timed out after 30 s')).toContain('Why 1 of INC-1 rewritten.');
    await typed('/incident why traffic was 15x normal for the sale');
    await typed('/incident why nobody sized the pool for the sale');
    await typed('/incident why 5 there is no capacity review before campaigns');

    await typed('/incident cause the HikariCP pool of 10 connections ran out');
    expect(await typed('/incident cause --underlying no load test before the sale')).toContain('Underlying cause of INC-1 recorded.');
    expect(await typed('/incident impact users=1200 orders=350 revenue=4.2M duration=47m')).toContain(
      'Impact of INC-1 now: users=1200, orders=350, revenue=4.2M, duration=47m.',
    );
    expect(await typed('/incident impact orders=360')).toContain('Impact of INC-1 now: users=1200, orders=360, revenue=4.2M, duration=47m.');

    await typed('/incident lesson good the page reached bob in 2 minutes');
    await typed('/incident lesson bad nobody knew the pool size');
    await typed('/incident lesson lucky it happened at 3 a.m.');
    // From another channel, by the incident's reference.
    await app.type('/join #general');
    expect(await typed('/incident lesson INC-1 bad the status page lagged the fix')).toContain('Lesson recorded for INC-1 (went badly).');
    expect(await typed('/incident summary INC-1 Checkout failed for 47 minutes during the sale: the DB pool ran out.')).toContain('Summary of INC-1 set.');

    await typed('/incident action INC-1 alert on pool usage at 80% --due 1w');
    await typed('/incident resolve INC-1 pool raised to 50');
    const closed = await typed('/incident close INC-1');
    const inc = await incident();
    expect(inc.postmortemPath).toBeTruthy();
    expect(closed).toContain(inc.postmortemPath ?? '?');
    const md = await readFile(inc.postmortemPath ?? '', 'utf8');
    if (process.env.SHOW_PM) console.log(md);

    expect(md).toContain('| Summary | Checkout failed for 47 minutes during the sale: the DB pool ran out. |');
    expect(section(md, '## 3. Root cause')).toEqual([
      '- Direct cause: the HikariCP pool of 10 connections ran out',
      '- Underlying cause: no load test before the sale',
      '- 5 Whys:',
      '  1. Why did "Checkout down" happen? checkout API requests timed out after 30 s',
      '  2. Why did that happen? the DB connection pool was exhausted',
      '  3. Why did that happen? traffic was 15x normal for the sale',
      '  4. Why did that happen? nobody sized the pool for the sale',
      '  5. Why did that happen? there is no capacity review before campaigns',
    ]);
    const impact = section(md, '## 4. Impact');
    expect(impact[0]).toMatch(/^- Service impact: checkout, .+ \(from the timeline\); affected users: 1,200$/);
    expect(impact.slice(1)).toEqual([
      '- Impact figures, as recorded during the incident:',
      '| Figure | Details |',
      '|---|---|',
      '| users | 1,200 |',
      '| orders | 360 |',
      '| revenue | 4.2M |',
      '| duration | 47m |',
    ]);
    const lessons = section(md, '## 7. Lessons');
    // The footer after the rule is not the lessons' business.
    expect(lessons.slice(0, lessons.indexOf('---'))).toEqual([
      '- Went well:',
      '  - the page reached bob in 2 minutes (alice)',
      '- Needs improvement:',
      '  - nobody knew the pool size (alice)',
      '  - the status page lagged the fix (alice)',
      '- Got lucky:',
      '  - it happened at 3 a.m. (alice)',
      '- Insights to share with the team: _(fill in)_',
      '### Lessons to sort',
      'Messages marked 💡 during the incident: move each to went well, needs improvement or got lucky.',
      '- we were lucky the read replica was warm (bob; marked by alice)',
    ]);
    // The timeline has every capture in the order it happened.
    const order = [
      ':bulb: lesson to sort: we were lucky',
      'why 1: checkout API requests timed out',
      'why 2: the DB connection pool',
      'why 1 (rewritten): checkout API requests timed out after 30 s',
      'direct cause: the HikariCP pool',
      'underlying cause: no load test',
      'impact: users=1200, orders=350, revenue=4.2M, duration=47m',
      'impact: orders=360',
      'lesson (went well): the page reached bob',
      'summary: Checkout failed',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(md.match(/lesson to sort/g)).toHaveLength(1);
  });

  it('answers bad input clearly and writes nothing', async () => {
    await declare();
    for (const n of [1, 2, 3, 4, 5]) await typed(`/incident why answer ${n}`);
    const refusals: [string, RegExp][] = [
      ['/incident why a sixth one', /INC-1 has all 5 whys\. Rewrite one by its number, e\.g\. `\/incident why 5 <answer>`\./],
      ['/incident why 9 x', /There is no why 9 to write: the whys go 1 to 5 in order and INC-1 has 5 so far, so you can write why 1–5\./],
      ['/incident why 0 x', /There is no why 0 to write/],
      ['/incident why', /Missing the answer to the why\. Usage: `\/incident why \[INC-n\] \[1-5\] <answer>`/],
      ['/incident why 3', /Missing the answer to the why\./],
      ['/incident impact users=lots', /`users` counts something, so it takes a whole number: `lots` is not one\. Write e\.g\. `users=1200`\./],
      ['/incident impact revenue=4M orders=3.5', /`orders` counts something, so it takes a whole number: `3\.5` is not one/],
      ['/incident impact users', /`users` is not a figure\. Write key=value pairs/],
      ['/incident impact', /Missing impact figures such as `users=1200`\./],
      ['/incident cause', /Missing the cause\. Usage: `\/incident cause/],
      ['/incident cause --underlying', /Missing the cause\./],
      ['/incident cause --root x', /Unknown option `--root`\. Usage: `\/incident cause/],
      ['/incident lesson great it went well', /`great` is not a kind of lesson\. Start with good, bad or lucky/],
      ['/incident lesson good', /Missing the lesson\./],
      ['/incident lesson', /Missing the kind of lesson \(good, bad or lucky\)\./],
      ['/incident summary   ', /Missing a summary\. Usage: `\/incident summary/],
    ];
    for (const [line, answer] of refusals) {
      const before = await stored();
      const out = await typed(line);
      expect(out, line).toMatch(answer);
      expect(out, line).toContain('[only @alice sees this]');
      expect(await stored(), line).toEqual(before);
    }
    // A 💡 on an unknown message or one without text records nothing either.
    const before = await stored();
    await typed('/react m999 💡');
    expect(await stored()).toEqual(before);
  });

  it('takes nothing more once the incident is closed; still takes it after the resolve', async () => {
    await declare();
    await typed('/incident action pool alert');
    await typed('/incident resolve pool raised');
    expect(await typed('/incident why written after the resolve')).toContain('Why 1 of 5 recorded for INC-1.');
    await typed('/incident close');
    const lines = ['/incident why late', '/incident cause late', '/incident impact users=1', '/incident lesson good late', '/incident summary late'];
    for (const line of lines) {
      const before = await stored();
      expect(await typed(line), line).toContain('INC-1 is closed; it takes no more changes.');
      expect(await stored(), line).toEqual(before);
    }
  });
});
