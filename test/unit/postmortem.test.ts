import { describe, expect, it } from 'vitest';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import {
  decideAction,
  decideActionDone,
  decideCancel,
  decideClose,
  decideNote,
  decideResolve,
  decideRole,
  decideStatus,
  declareEvents,
  type DeclareInput,
} from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { renderPostmortem, type PostmortemOptions } from '../../src/core/postmortem.js';

const t = translator('en');
const SEOUL = 'Asia/Seoul';
const bora: Actor = { id: 'U02', name: 'Bora' };
const alice: Actor = { id: 'U01', name: 'Alice' };
const chul: Actor = { id: 'U03', name: 'Chul Kim' };
const kst = (hhmm: string, day = '2025-12-26'): Date => new Date(`${day}T${hhmm}:00+09:00`);
const SEVERITIES: Record<string, string> = { P1: 'Critical', P2: 'High', P3: 'Medium', P4: 'Low' };
const opts = (over: Partial<PostmortemOptions> = {}): PostmortemOptions => ({
  t,
  timeZone: SEOUL,
  severityName: (id) => SEVERITIES[id],
  now: kst('11:05'),
  ...over,
});

class Log {
  readonly events: IncidentEvent[] = [];
  private state: Incident | null = null;
  get inc(): Incident {
    if (!this.state) throw new Error('not declared yet');
    return this.state;
  }
  add(evs: IncidentEvent[]): this {
    this.events.push(...evs);
    this.state = project(this.state, evs, { workspace: 'T1', number: 1 });
    return this;
  }
  render(over: Partial<PostmortemOptions> = {}): string {
    return renderPostmortem(this.inc, this.events, opts(over));
  }
}

const TITLE = 'Black Friday order surge: server down';
const declared = (over: Partial<DeclareInput> = {}): DeclareInput => ({
  title: TITLE,
  summary: 'Traffic 15x normal exhausted the Tomcat and HikariCP pools.',
  service: 'orders-api',
  severity: 'P1',
  private: false,
  ...over,
});

/** Seed 004 postmortem #1, as the bot would have recorded it. */
function seedIncident(resolve = '09:47'): Log {
  const log = new Log();
  log.add(declareEvents(declared(), bora, kst('09:09')));
  log.add(decideRole(log.inc, 'comms', chul, bora, kst('09:12')));
  log.add([event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'clients get connection reset by peer' }, alice, kst('09:11'))]);
  log.add(decideNote(log.inc, 'Restarted the servers: failed again at once', alice, kst('09:15')));
  log.add(decideStatus(log.inc, 'identified', 'thread and DB pools exhausted; nginx rate limit 100 req/s', bora, kst('09:20')));
  log.add(decideAction(log.inc, { text: 'Make the pool settings permanent', owner: alice, horizon: '1w' }, bora, kst('09:22')));
  log.add(decideNote(log.inc, 'Customer notice sent', chul, kst('09:25')));
  log.add(decideNote(log.inc, 'max-threads 200 → 400, Hikari 10 → 50, restarted', alice, kst('09:30')));
  log.add(decideStatus(log.inc, 'monitoring', 'error rate 45% → 5%', bora, kst('09:40')));
  log.add(decideResolve(log.inc, 'Error rate 0.3%, P95 280 ms', bora, kst(resolve)));
  log.add(decideNote(log.inc, 'Rate limiting lifted step by step', alice, kst('10:30')));
  log.add(decideAction(log.inc, { text: 'Load test before every big event', horizon: '1m' }, bora, kst('10:31')));
  log.add(decideAction(log.inc, { text: 'Load tests in the CI pipeline', owner: chul, horizon: 'q' }, bora, kst('10:32')));
  log.add(decideAction(log.inc, { text: 'Alert on pool usage', owner: bora, horizon: '1w' }, bora, kst('10:33')));
  log.add(decideActionDone(log.inc, 'A1', alice, kst('10:40')));
  log.add(decideClose(log.inc, bora, kst('11:00')));
  return log;
}

/** The lines of one section: from its heading to the next heading of the same or higher level. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const level = heading.match(/^#+/)?.[0].length ?? 0;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && (l.match(/^#+/)?.[0].length ?? 9) <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => l.trim() !== '');
}
const row = (md: string, label: string): string | undefined =>
  md.split('\n').find((l) => l.startsWith(`| ${label} |`))?.slice(label.length + 5, -2);

describe('renderPostmortem: seed 004 incident #1', () => {
  const md = seedIncident().render();

  it('has the title and the seven sections of appendix B, in order', () => {
    expect(md.split('\n')[0]).toBe(`# Postmortem: INC-1 ${TITLE}`);
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## 1. Overview',
      '## 2. Timeline',
      '## 3. Root cause',
      '## 4. Impact',
      '## 5. Immediate actions',
      '## 6. Prevention',
      '## 7. Lessons',
    ]);
  });

  it('fills the overview from the incident and its events', () => {
    expect(row(md, 'Severity')).toBe('P1 (Critical)');
    // A file outlives the chat: its times are plain text in the configured zone, which it names.
    expect(row(md, 'Times in')).toBe('Asia/Seoul');
    for (const token of ['\u0002', '\u0003', '<t:', '<!date']) expect(md).not.toContain(token);
    expect(row(md, 'Declared')).toBe('2025-12-26 09:09 by Bora');
    expect(row(md, 'Resolved')).toBe('2025-12-26 09:47');
    expect(row(md, 'Closed')).toBe('2025-12-26 11:00');
    expect(row(md, 'Duration (declared → resolved)')).toBe('38 min');
    expect(row(md, 'Service')).toBe('orders-api');
    expect(row(md, 'Commander')).toBe('Bora');
    expect(row(md, 'Other roles')).toBe('comms lead: Chul Kim');
    expect(row(md, 'Participants')).toBe('Bora, Chul Kim, Alice');
    expect(row(md, 'Affected users')).toBe('_(fill in)_');
    expect(row(md, 'Summary')).toBe('Traffic 15x normal exhausted the Tomcat and HikariCP pools.');
    expect(row(md, 'Resolution')).toBe('Error rate 0.3%, P95 280 ms');
    expect(row(md, 'Time in each status')).toBe('investigating 11 min · identified 20 min · monitoring 7 min');
  });

  it('computes the duration from the events: a later resolve changes the text', () => {
    const later = seedIncident('10:24').render();
    expect(row(later, 'Duration (declared → resolved)')).toBe('1 h 15 min');
    expect(row(later, 'Resolved')).toBe('2025-12-26 10:24');
    expect(later).toContain('- Service impact: orders-api, 1 h 15 min (from the timeline)');
    expect(later).not.toContain('38 min');
    expect(md).toContain('- Service impact: orders-api, 38 min (from the timeline)');
  });

  it('lists every human event in the timeline, in time order, with author names', () => {
    const lines = section(md, '## 2. Timeline');
    expect(lines[0]).toBe('All times Asia/Seoul.');
    const body = lines.slice(lines.indexOf('```text') + 1, lines.lastIndexOf('```'));
    expect(body[0]).toBe('2025-12-26');
    const clocks = body.slice(1).map((l) => l.slice(0, 5));
    expect(clocks).toEqual([...clocks].sort());
    expect(body).toContain('09:11  @Alice  clients get connection reset by peer');
    expect(body).toContain('09:15  @Alice  note: Restarted the servers: failed again at once');
    expect(body).toContain('09:25  @Chul Kim  note: Customer notice sent');
    expect(body).toContain('09:47  @Bora  resolved: Error rate 0.3%, P95 280 ms');
    expect(body.indexOf('09:11  @Alice  clients get connection reset by peer')).toBeLessThan(
      body.indexOf('09:12  @Bora  Chul Kim became comms lead'),
    );
    expect(md).not.toContain('<@');
  });

  it('asks the 5 Whys, starting from the incident title', () => {
    const whys = section(md, '## 3. Root cause').filter((l) => /^ {2}\d\. Why /.test(l));
    expect(whys).toHaveLength(5);
    expect(whys.map((l) => l.trim().slice(0, 2))).toEqual(['1.', '2.', '3.', '4.', '5.']);
    expect(whys[0]).toContain(`"${TITLE}"`);
    expect(md).toContain('- Direct cause: _(fill in)_');
    expect(md).toContain('- Underlying cause: _(fill in)_');
  });

  it('lists as immediate actions the notes and status messages up to the resolve, with times and authors', () => {
    expect(section(md, '## 5. Immediate actions').slice(1)).toEqual([
      '- 09:15 · Alice: Restarted the servers: failed again at once',
      '- 09:20 · Bora: status → identified: thread and DB pools exhausted; nginx rate limit 100 req/s',
      '- 09:25 · Chul Kim: Customer notice sent',
      '- 09:30 · Alice: max-threads 200 → 400, Hikari 10 → 50, restarted',
      '- 09:40 · Bora: status → monitoring: error rate 45% → 5%',
    ]);
    expect(section(md, '## 5. Immediate actions').join('\n')).not.toContain('Rate limiting lifted');
  });

  it('puts each action item under its horizon, checked when done, with its owner', () => {
    expect(section(md, '### Short term (1 week)')).toEqual([
      '- [x] A1 Make the pool settings permanent · Alice',
      '- [ ] A4 Alert on pool usage · Bora',
    ]);
    expect(section(md, '### Mid term (1 month)')).toEqual(['- [ ] A2 Load test before every big event · unassigned']);
    expect(section(md, '### Long term (quarter)')).toEqual(['- [ ] A3 Load tests in the CI pipeline · Chul Kim']);
  });

  it('ends with the lessons prompts and a dated footer', () => {
    expect(section(md, '## 7. Lessons').slice(0, 3)).toEqual([
      '- Went well: _(fill in)_',
      '- Needs improvement: _(fill in)_',
      '- Got lucky: _(fill in)_',
    ]);
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^Author: .* Written: 2025-12-26 /);
  });

  it('writes the footer date in the incident time zone', () => {
    // 2025-12-26 23:30 UTC is already the 27th in Seoul
    expect(seedIncident().render({ now: new Date('2025-12-26T23:30:00Z') })).toContain('Written: 2025-12-27');
  });

  it('is deterministic: the same events give the same draft', () => {
    expect(seedIncident().render()).toBe(md);
  });

  it('stays a readable length', () => {
    expect(md.split('\n').length).toBeLessThan(120);
  });
});

describe('renderPostmortem: edge cases', () => {
  it('handles a cancelled incident with no service, no action items and no notes', () => {
    const log = new Log();
    log.add(declareEvents(declared({ service: undefined, severity: 'P3', summary: '' }), bora, kst('14:00')));
    log.add(decideCancel(log.inc, 'synthetic check misfired', bora, kst('14:12')));
    const md = log.render();
    expect(row(md, 'Resolved')).toBe('_(not resolved)_');
    expect(row(md, 'Cancelled')).toBe('2025-12-26 14:12: synthetic check misfired');
    expect(row(md, 'Duration (declared → resolved)')).toBe('12 min until cancelled (not resolved)');
    expect(row(md, 'Service')).toBe('_(fill in)_');
    expect(row(md, 'Summary')).toBe('_(fill in)_');
    expect(row(md, 'Resolution')).toBe('_(fill in)_');
    expect(row(md, 'Other roles')).toBe('—');
    expect(md).toContain('- Service impact: _(fill in)_, 12 min until cancelled');
    expect(section(md, '## 5. Immediate actions')).toEqual(['_(none recorded; fill in)_']);
    for (const h of ['### Short term (1 week)', '### Mid term (1 month)', '### Long term (quarter)']) {
      expect(section(md, h)).toEqual(['- _(none yet)_']);
    }
    expect(md).toContain('cancelled: synthetic check misfired');
    expect(md).not.toContain('{');
  });

  it('handles an incident not resolved yet', () => {
    const log = new Log();
    log.add(declareEvents(declared(), bora, kst('09:00')));
    const md = log.render();
    expect(row(md, 'Resolved')).toBe('_(not resolved)_');
    expect(row(md, 'Duration (declared → resolved)')).toBe('_(not resolved)_');
    expect(row(md, 'Closed')).toBe('—');
  });

  it('shows the severity id alone when no name is known', () => {
    expect(row(seedIncident().render({ severityName: undefined }), 'Severity')).toBe('P1');
  });

  it('gets the duration right across the DST change in America/New_York', () => {
    const log = new Log();
    log.add(declareEvents(declared({ severity: 'P2' }), bora, new Date('2025-03-09T01:30:00-05:00')));
    log.add(decideStatus(log.inc, 'identified', 'bad deploy', bora, new Date('2025-03-09T03:05:00-04:00')));
    log.add(decideResolve(log.inc, 'rolled back', bora, new Date('2025-03-09T03:15:00-04:00')));
    const md = log.render({ timeZone: 'America/New_York', now: new Date('2025-03-09T12:00:00Z') });
    expect(row(md, 'Declared')).toBe('2025-03-09 01:30 by Bora');
    expect(row(md, 'Resolved')).toBe('2025-03-09 03:15');
    expect(row(md, 'Duration (declared → resolved)')).toBe('45 min'); // not the 1 h 45 min the wall clock suggests
    expect(row(md, 'Time in each status')).toBe('investigating 35 min · identified 10 min');
    expect(md).toContain('- 03:05 · Bora: status → identified: bad deploy');
  });

  it('keeps user text from breaking the table or the timeline block', () => {
    const log = new Log();
    log.add(declareEvents(declared({ summary: 'a | b\nsecond line' }), bora, kst('09:00')));
    log.add([event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'log:\n```\nboom\n```' }, alice, kst('09:01'))]);
    const md = log.render();
    expect(row(md, 'Summary')).toBe('a \\| b / second line');
    const lines = section(md, '## 2. Timeline');
    expect(lines[1]).toBe('````text');
    expect(lines.at(-1)).toBe('````');
    expect(lines).toContain('09:01  @Alice  log:');
  });

  it('shows the full date of immediate actions on a later day', () => {
    const log = new Log();
    log.add(declareEvents(declared(), bora, kst('23:50')));
    log.add(decideNote(log.inc, 'still digging', alice, kst('00:20', '2025-12-27')));
    expect(log.render()).toContain('- 2025-12-27 00:20 · Alice: still digging');
  });
});
