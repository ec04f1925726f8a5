import { describe, expect, it } from 'vitest';
import { draftDigest, draftText, POST_LIMIT } from '../../src/core/draft-post.js';
import { effectsFor } from '../../src/core/effects.js';
import { translator } from '../../src/core/i18n/index.js';
import { incidentExport, parseIncidentReference, workspaceCandidates } from '../../src/core/incident-export.js';
import { statsRecord } from '../../src/core/stats-record.js';
import { decideClose, decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import { decideChecklistTick, decideReopen } from '../../src/core/guidance.js';
import type { IncidentEvent } from '../../src/core/events.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { incidentTimes } from '../../src/core/metrics.js';
import { decidePostmortemReviewed, decideReviewReminder, pendingReviewReminders } from '../../src/core/postmortem-review.js';
import { project } from '../../src/core/projection.js';

const t = translator('en');
const carol: Actor = { id: 'carol', name: 'Carol' };
const HOUR = 3_600_000;
const T0 = Date.parse('2025-12-26T09:00:00Z');
const at = (h: number) => new Date(T0 + h * HOUR);
const sec = (h: number) => (T0 + h * HOUR) / 1000;

/** An incident declared at T0 and resolved an hour later, with every event kept (for the export). */
class Story {
  readonly events: IncidentEvent[] = declareEvents({ title: 'DB down', summary: '', severity: 'P2', private: false }, carol, at(0));
  inc: Incident = project(null, this.events, { workspace: 'T1', number: 3 });
  constructor() {
    this.apply(decideResolve(this.inc, 'fixed', carol, at(1)));
  }
  apply(more: IncidentEvent[]): this {
    this.events.push(...more);
    this.inc = project(this.inc, more);
    return this;
  }
}

const resolved = () => new Story();

describe('decideReviewReminder', () => {
  it('reminds 24 h and 48 h after the resolve, each once, and not early', () => {
    let inc = resolved().inc;
    expect(decideReviewReminder(inc, sec(25), at(24))).toEqual([]);
    const day = decideReviewReminder(inc, sec(25), at(25));
    expect(day).toMatchObject([{ type: 'postmortem_reminded', hours: 24 }]);
    inc = project(inc, day);
    expect(decideReviewReminder(inc, sec(25), at(25))).toEqual([]);
    expect(decideReviewReminder(inc, sec(49), at(49))).toMatchObject([{ type: 'postmortem_reminded', hours: 48 }]);
  });

  it('after a long outage sends only the latest reminder due, and none a day past it', () => {
    const inc = resolved().inc;
    expect(decideReviewReminder(inc, sec(25), at(50))).toEqual([]);
    expect(decideReviewReminder(inc, sec(49), at(50))).toMatchObject([{ hours: 48 }]);
    expect(decideReviewReminder(inc, sec(49), at(74))).toEqual([]);
    expect(pendingReviewReminders(inc, at(74))).toEqual([]);
  });

  it('does nothing once reviewed, after a reopen, or for a timer of an earlier resolve', () => {
    const { inc } = resolved();
    const reviewed = project(inc, decidePostmortemReviewed(inc, [], carol, at(2)));
    expect(decideReviewReminder(reviewed, sec(25), at(25))).toEqual([]);
    const reopened = project(inc, decideReopen(inc, undefined, false, carol, at(3)));
    expect(decideReviewReminder(reopened, sec(25), at(25))).toEqual([]);
    const again = project(reopened, decideResolve(reopened, undefined, carol, at(5)));
    expect(decideReviewReminder(again, sec(25), at(25))).toEqual([]);
    expect(decideReviewReminder(again, sec(29), at(29))).toMatchObject([{ hours: 24 }]);
  });

  it('counts the checklist step ticked by hand as the review', () => {
    const { inc } = resolved();
    const ticked = project(inc, decideChecklistTick(inc, 'postmortem', 'reviewed in the weekly meeting', carol, at(2)));
    expect(decideReviewReminder(ticked, sec(25), at(25))).toEqual([]);
    expect(pendingReviewReminders(ticked, at(2))).toEqual([]);
  });

  it('chases nobody for a drill: its review is practice, and may still be recorded', () => {
    const drill: Incident = { ...resolved().inc, drill: { scenario: 'db-failover', dry: true, symptoms: 0 } };
    expect(pendingReviewReminders(drill, at(2))).toEqual([]);
    expect(decideReviewReminder(drill, sec(25), at(25))).toEqual([]);
    expect(decideReviewReminder(drill, sec(49), at(49))).toEqual([]);
    expect(decidePostmortemReviewed(drill, [], carol, at(2))).toMatchObject([{ type: 'postmortem_reviewed' }]);
  });

  it('never sends the 24 h reminder after the 48 h one went out', () => {
    const { inc } = resolved();
    const late = project(inc, decideReviewReminder(inc, sec(49), at(49)));
    expect(late.postmortemReminded).toEqual([48]);
    expect(pendingReviewReminders(late, at(49))).toEqual([]);
    expect(decideReviewReminder(late, sec(25), at(49))).toEqual([]);
  });

  it('keeps the timers and the awaiting set in step with every event that starts, moves or ends the wait', () => {
    const kinds = (inc: Incident, events: IncidentEvent[]) => effectsFor(project(inc, events), events, t).map((e) => e.kind);
    const { inc } = resolved();
    const wait = 'schedule_review_reminders';
    expect(kinds(inc, decideReviewReminder(inc, sec(25), at(25)))).toContain(wait);
    expect(kinds(inc, decidePostmortemReviewed(inc, [], carol, at(2)))).toContain(wait);
    expect(kinds(inc, decideReopen(inc, undefined, false, carol, at(2)))).toContain(wait);
    expect(kinds(inc, decideChecklistTick(inc, 'postmortem', 'reviewed elsewhere', carol, at(2)))).toContain(wait);
    expect(kinds(inc, decideChecklistTick(inc, 'scope', 'EU only', carol, at(2)))).not.toContain(wait);
    expect(kinds(inc, decideClose(inc, carol, at(2)))).not.toContain(wait);
  });

  it('gives the stats the hand tick as the review time, as the reminders take it', () => {
    const r = resolved();
    r.apply(decideChecklistTick(r.inc, 'postmortem', 'reviewed in the weekly meeting', carol, at(20)));
    r.apply(decideClose(r.inc, carol, at(21)));
    expect(statsRecord(r.inc, r.events).postmortemReviewedAt).toBe(at(20).toISOString());
    const reviewed = resolved();
    reviewed.apply(decidePostmortemReviewed(reviewed.inc, [], carol, at(30)));
    expect(statsRecord(reviewed.inc, reviewed.events).postmortemReviewedAt).toBe(at(30).toISOString());
  });

  it('treats a reopen as the end of the review: the next resolve is reviewed again', () => {
    const { inc } = resolved();
    const reviewed = project(inc, decidePostmortemReviewed(inc, [], carol, at(2)));
    expect(reviewed.checklist?.postmortem).toBeDefined();
    const reopened = project(reviewed, decideReopen(reviewed, undefined, false, carol, at(3)));
    expect(reopened.postmortemReviewedAt).toBeUndefined();
    expect(reopened.checklist?.postmortem).toBeUndefined();
  });
});

describe('draftText', () => {
  it('posts a draft whole, and a long one as its path and first lines', () => {
    expect(draftText(t, 'INC-3', '# Postmortem\n\nbody\n', '/pm/INC-3.md')).toBe('*Postmortem draft for INC-3*\n\n# Postmortem\n\nbody\n');
    const long = Array.from({ length: 2_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    expect(long.length).toBeGreaterThan(POST_LIMIT);
    const text = draftText(t, 'INC-3', long, '/pm/INC-3.md');
    expect(text).toMatch(/^\*Postmortem draft for INC-3\*: \d+ characters, too long to post whole\. It is saved as `\/pm\/INC-3\.md`; it begins:\n\nline 0 /);
    expect(text).toContain('line 19 ');
    expect(text).not.toContain('line 20 ');
    expect(text.length).toBeLessThan(2_000);
  });
});

describe('draftDigest', () => {
  const footer = (date: string) => `Author: _(fill in)_ · Written: ${date} · Reviewers: _(fill in)_`;
  const draft = (body: string, date: string) => `# Postmortem\n\n${body}\n\n---\n\n${footer(date)}\n`;

  it('is the same for the same draft written on another day, and differs for another body or path', () => {
    const monday = draftDigest(draft('body', '2025-12-26'), footer('2025-12-26'), '/pm/INC-3.md');
    expect(draftDigest(draft('body', '2025-12-29'), footer('2025-12-29'), '/pm/INC-3.md')).toBe(monday);
    expect(draftDigest(draft('body, more', '2025-12-26'), footer('2025-12-26'), '/pm/INC-3.md')).not.toBe(monday);
    expect(draftDigest(draft('body', '2025-12-26'), footer('2025-12-26'), '/pm/INC-3-renamed.md')).not.toBe(monday);
    expect(draftDigest(`${draft('body', '2025-12-26')}\nReviewed: today by dave.\n`, footer('2025-12-26'), '/pm/INC-3.md')).not.toBe(monday);
  });
});

describe('workspaceCandidates', () => {
  it('tries a bare Slack team or Discord guild id with its platform prefix, after the id as given', () => {
    expect(workspaceCandidates('T0TEAM')).toEqual(['T0TEAM', 'slack:T0TEAM', 'discord:T0TEAM']);
    expect(workspaceCandidates('slack:T0TEAM')).toEqual(['slack:T0TEAM']);
    expect(workspaceCandidates('discord:1234')).toEqual(['discord:1234']);
    expect(workspaceCandidates(' local ')).toEqual(['local']);
    expect(workspaceCandidates('')).toEqual(['local']);
  });
});

describe('incidentExport', () => {
  it('carries the incident, its events and the figures of the draft, with the review', () => {
    const r = resolved();
    r.apply(decideClose(r.inc, carol, at(2)));
    r.apply(decidePostmortemReviewed(r.inc, [{ id: 'dave', name: 'Dave' }], carol, at(30)));
    const out = incidentExport(r.inc, r.events);
    expect(out.format).toBe('incident-export/1');
    expect(out.ref).toBe('INC-3');
    expect(out.events).toHaveLength(r.events.length);
    expect(out.figures.times).toEqual(incidentTimes(r.events));
    expect(out.figures.times.timeToResolveMs).toBe(HOUR);
    expect(out.figures.review).toEqual({ dueAt: '2025-12-28T10:00:00.000Z', reviewedAt: '2025-12-27T15:00:00.000Z', reviewers: [{ id: 'dave', name: 'Dave' }], withinDeadline: true, reminded: [] });
    expect(out.figures.participants.map((p) => p.actor.id)).toEqual(['carol']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('reads INC-7, inc-7 and 7 as references, nothing else', () => {
    expect(['INC-7', 'inc-7', '7'].map(parseIncidentReference)).toEqual([7, 7, 7]);
    expect(['INC-0', 'INC-x', 'INC7', '', '-3', '1e3', '99999999999999999'].map(parseIncidentReference)).toEqual(Array(7).fill(undefined));
  });
});
