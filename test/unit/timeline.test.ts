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
  decideSeverity,
  decideStatus,
  declareEvents,
} from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { BOT, project } from '../../src/core/projection.js';
import { formatTimeline, timelineEntries, type TimelineEntry } from '../../src/core/timeline.js';

const t = translator('en');
const TZ = 'Asia/Seoul';
const bora: Actor = { id: 'U02', name: 'Bora' };
const alice: Actor = { id: 'U01', name: 'Alice' };
const chul: Actor = { id: 'U03', name: 'Chul Kim' };
const kst = (hhmm: string, day = '2025-12-26'): Date => new Date(`${day}T${hhmm}:00+09:00`);

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
}

function seedIncident(): Log {
  const log = new Log();
  log.add(declareEvents({ title: 'Checkout down', summary: 's', service: 'checkout', severity: 'P1', private: false }, bora, kst('09:09')));
  log.add([event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-1-checkout-down' }, BOT, kst('09:09'))]);
  log.add([event({ type: 'summary_posted', messageId: 'M1' }, BOT, kst('09:09'))]);
  log.add(decideRole(log.inc, 'comms', chul, bora, kst('09:12')));
  // captured from the channel after the role change, but said at 09:11
  log.add([event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'clients get connection reset' }, alice, kst('09:11'))]);
  log.add(decideNote(log.inc, 'restarted the servers; failed again', alice, kst('09:15')));
  log.add(decideStatus(log.inc, 'identified', 'thread pool exhausted', bora, kst('09:20')));
  log.add(decideSeverity(log.inc, 'P2', undefined, bora, kst('09:21')));
  log.add(decideAction(log.inc, { text: 'alert on pool usage', owner: chul, horizon: '1w' }, bora, kst('09:22')));
  log.add(decideResolve(log.inc, 'error rate 0.3%', bora, kst('09:47')));
  log.add(decideActionDone(log.inc, 'A1', chul, kst('10:40')));
  log.add(decideClose(log.inc, bora, kst('11:00')));
  log.add([event({ type: 'postmortem_written', path: 'postmortems/INC-1.md' }, BOT, kst('11:00'))]);
  return log;
}

describe('timelineEntries', () => {
  const entries = timelineEntries(seedIncident().events, t);

  it('leaves out the bookkeeping events', () => {
    const kinds = entries.map((e) => e.kind);
    expect(kinds).not.toContain('channel_created');
    expect(kinds).not.toContain('summary_posted');
    expect(kinds).not.toContain('postmortem_written');
    expect(entries).toHaveLength(11);
  });

  it('puts a late-captured chat message at the time it was said', () => {
    expect(entries.map((e) => e.kind).slice(0, 4)).toEqual(['declared', 'role_assigned', 'message_posted', 'role_assigned']);
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('words each event from the catalog', () => {
    const text = (kind: string) => entries.filter((e) => e.kind === kind).map((e) => e.text);
    expect(text('declared')).toEqual(['declared *Checkout down* (P1) · service checkout']);
    expect(text('role_assigned')).toEqual(['Bora became commander', 'Chul Kim became comms lead']);
    expect(text('message_posted')).toEqual(['clients get connection reset']);
    expect(text('note_added')).toEqual(['note: restarted the servers; failed again']);
    expect(text('status_changed')).toEqual(['status investigating → identified: thread pool exhausted']);
    expect(text('severity_changed')).toEqual(['severity P1 → P2']);
    expect(text('action_added')).toEqual(['action item A1: alert on pool usage (owner Chul Kim) · due within 1 week']);
    expect(text('action_completed')).toEqual(['action item A1 done']);
    expect(text('resolved')).toEqual(['resolved: error rate 0.3%']);
    expect(text('closed')).toEqual(['closed']);
  });

  it('keeps who did it', () => {
    expect(entries.find((e) => e.kind === 'message_posted')?.actor).toEqual(alice);
    expect(entries.find((e) => e.kind === 'action_completed')?.actor).toEqual(chul);
  });

  it('can mention people named inside the text, for chat posts', () => {
    const mentioned = timelineEntries(seedIncident().events, t, { mention: true });
    expect(mentioned.find((e) => e.kind === 'action_added')?.text).toContain('(owner <@U03>)');
    expect(mentioned.filter((e) => e.kind === 'role_assigned').map((e) => e.text)).toContain('<@U03> became comms lead');
  });

  it('words a cancel with its reason', () => {
    const log = new Log();
    log.add(declareEvents({ title: 'x', summary: '', severity: 'P3', private: false }, bora, kst('09:00')));
    log.add(decideCancel(log.inc, 'false alarm', bora, kst('09:05')));
    expect(timelineEntries(log.events, t).map((e) => e.text)).toEqual(['declared *x* (P3)', 'Bora became commander', 'cancelled: false alarm']);
  });
});

describe('formatTimeline', () => {
  it('gives one line per entry: time, display name, text, under a date line', () => {
    const text = formatTimeline(timelineEntries(seedIncident().events, t).slice(0, 3), TZ);
    expect(text.split('\n')).toEqual([
      '2025-12-26',
      '09:09  @Bora  declared *Checkout down* (P1) · service checkout',
      '09:09  @Bora  Bora became commander',
      '09:11  @Alice  clients get connection reset',
    ]);
  });

  it('shows the date again when it changes (local date, not UTC)', () => {
    const entries: TimelineEntry[] = [
      { at: kst('23:50', '2025-12-26').toISOString(), actor: bora, text: 'a', kind: 'note_added' },
      { at: kst('00:10', '2025-12-27').toISOString(), actor: bora, text: 'b', kind: 'note_added' },
      { at: kst('00:20', '2025-12-27').toISOString(), actor: bora, text: 'c', kind: 'note_added' },
    ];
    expect(formatTimeline(entries, TZ)).toBe('2025-12-26\n23:50  @Bora  a\n\n2025-12-27\n00:10  @Bora  b\n00:20  @Bora  c');
    // the same instants in UTC all fall on the 26th
    expect(formatTimeline(entries, 'UTC').match(/^\d{4}-\d\d-\d\d$/gm)).toEqual(['2025-12-26']);
  });

  it('renders <@id> instead of names when asked to mention', () => {
    const entries: TimelineEntry[] = [{ at: kst('09:11').toISOString(), actor: alice, text: 'hello', kind: 'message_posted' }];
    expect(formatTimeline(entries, TZ, { mention: true })).toBe('2025-12-26\n09:11  <@U01>  hello');
    expect(formatTimeline(entries, TZ)).not.toContain('<@');
  });

  it('indents the continuation lines of a multi-line message under its text', () => {
    const entries: TimelineEntry[] = [{ at: kst('09:11').toISOString(), actor: alice, text: 'first\nsecond', kind: 'message_posted' }];
    expect(formatTimeline(entries, TZ).split('\n').slice(1)).toEqual(['09:11  @Alice  first', '               second']);
  });

  it('is empty for no entries', () => {
    expect(formatTimeline([], TZ)).toBe('');
  });
});
