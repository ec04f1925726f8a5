import { describe, expect, it } from 'vitest';
import { effectsFor, type Effect } from '../../src/core/effects.js';
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
import { decideSummary, decideWhy } from '../../src/core/capture.js';

const t = translator('en');
const KEY = { workspace: 'T1', number: 7 };
const alice: Actor = { id: 'U1', name: 'Alice' };
const bob: Actor = { id: 'U2', name: 'Bob' };
const carol: Actor = { id: 'U3', name: 'Carol' };
const at = (min: number): Date => new Date(Date.UTC(2025, 11, 26, 9, min));
const TITLE = 'Checkout is down';

function declared(): { inc: Incident; events: IncidentEvent[] } {
  const events = declareEvents({ title: TITLE, summary: '', severity: 'P1', private: false }, alice, at(0));
  return { inc: project(null, events, KEY), events };
}

const channelCreated = event({ type: 'channel_created', channelId: 'C123', channelName: 'inc-7-checkout-is-down' }, BOT, at(0));

/** An incident whose channel exists. */
function withChannel(): Incident {
  return project(declared().inc, [channelCreated]);
}

/** Applies a decision and returns the effects the runner would carry out. */
function effectsOf(inc: Incident, decide: (inc: Incident) => IncidentEvent[]): Effect[] {
  const events = decide(inc);
  return effectsFor(project(inc, events), events, t);
}

const posts = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'post' ? [e.message.text] : []));
const announcements = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'announce' ? [e.message.text] : []));

describe('effectsFor', () => {
  it('opens a channel on a declaration, and nothing else yet', () => {
    const { inc, events } = declared();
    expect(effectsFor(inc, events, t)).toEqual([{ kind: 'open_channel' }]);
  });

  it('on channel_created invites the declarer, welcomes, announces the channel and refreshes the summary', () => {
    const after = withChannel();
    const effects = effectsFor(after, [channelCreated], t);
    // Then the guided response starts: the checklist, the roles check (P1/P2), the update clock.
    expect(effects.map((e) => e.kind)).toEqual(['invite', 'post', 'announce', 'refresh_summary', 'post_checklist', 'schedule_roles_check', 'schedule_reminder']);
    expect(effects[0]).toEqual({ kind: 'invite', userIds: [alice.id] });
    const [welcome] = posts(effects);
    expect(welcome).toContain('Welcome to INC-7');
    expect(welcome).toContain(`<@${alice.id}> is the incident commander`);
    const [announce] = announcements(effects);
    expect(announce).toContain('INC-7 declared');
    expect(announce).toContain(TITLE);
    expect(announce).toContain('P1');
    expect(announce).toContain(`<@${alice.id}>`);
    expect(announce).toContain('<#C123>');
  });

  it('invites and names the commander when someone else took over before the channel existed', () => {
    const { inc } = declared();
    const handedOver = project(inc, decideRole(inc, 'commander', bob, alice, at(0)));
    const after = project(handedOver, [channelCreated]);
    const effects = effectsFor(after, [channelCreated], t);
    expect(effects[0]).toEqual({ kind: 'invite', userIds: [alice.id, bob.id] });
    expect(posts(effects)[0]).toContain(`<@${bob.id}> is the incident commander`);
    expect(announcements(effects)[0]).toContain(`commander <@${bob.id}>`);
  });

  it('posts a status change with its message and refreshes the summary', () => {
    const effects = effectsOf(withChannel(), (i) => decideStatus(i, 'identified', 'bad deploy', bob, at(5)));
    expect(effects).toEqual([
      { kind: 'post', message: { text: `<@${bob.id}> set the status to *identified*: bad deploy` } },
      // A status change with a message is a status update: announced, and the update clock restarts.
      { kind: 'announce', message: { text: ':mega: INC-7 update · *Checkout is down* · P1 · identified: bad deploy' } },
      { kind: 'refresh_summary' },
      { kind: 'refresh_checklist' },
      { kind: 'schedule_reminder' },
    ]);
  });

  it('posts a severity change and refreshes the summary', () => {
    const effects = effectsOf(withChannel(), (i) => decideSeverity(i, 'P2', undefined, bob, at(5)));
    expect(posts(effects)).toEqual([`<@${bob.id}> changed the severity P1 → *P2*`]);
    // The new severity's cadence: the next reminder is armed again.
    expect(effects.slice(-2)).toEqual([{ kind: 'refresh_summary' }, { kind: 'schedule_reminder' }]);
  });

  it('refreshes the pinned summary when the summary text is set (issue 12), but not for a why', () => {
    const summary = effectsOf(withChannel(), (i) => decideSummary(i, 'pool exhausted after the deploy', bob, at(5)));
    expect(summary.some((e) => e.kind === 'refresh_summary')).toBe(true);
    const why = effectsOf(withChannel(), (i) => decideWhy(i, undefined, 'the pool was too small', bob, at(5)));
    expect(why.some((e) => e.kind === 'refresh_summary')).toBe(false);
  });

  it('invites a new role holder and tells the channel', () => {
    const effects = effectsOf(withChannel(), (i) => decideRole(i, 'comms', carol, alice, at(5)));
    expect(effects[0]).toEqual({ kind: 'invite', userIds: [carol.id] });
    expect(posts(effects)).toEqual([`<@${carol.id}> is now the *comms lead* (set by <@${alice.id}>)`]);
    expect(effects.at(-1)).toEqual({ kind: 'refresh_summary' });
  });

  it('posts notes and action items without refreshing the summary', () => {
    const note = effectsOf(withChannel(), (i) => decideNote(i, 'paused deploys', bob, at(5)));
    // The first thing written down ticks the checklist's "recording".
    expect(note).toEqual([{ kind: 'post', message: { text: `:memo: <@${bob.id}>: paused deploys` } }, { kind: 'refresh_checklist' }]);
    const action = effectsOf(withChannel(), (i) => decideAction(i, { text: 'add a canary', owner: carol, horizon: '1w' }, bob, at(5)));
    expect(action).toEqual([
      { kind: 'post', message: { text: `<@${bob.id}> added action item A1: add a canary (owner <@${carol.id}>) · due within 1 week` } },
      { kind: 'refresh_checklist' },
      // issue 12: the cross-incident index of follow-ups and their reminders.
      { kind: 'sync_followups' },
    ]);
  });

  it('on resolve posts and announces with the duration since the declaration', () => {
    const effects = effectsOf(withChannel(), (i) => decideResolve(i, 'rolled back', bob, at(47)));
    // The resolve also arms the postmortem review reminders (issue 12, the 48-hour rule).
    expect(effects.map((e) => e.kind)).toEqual(['post', 'announce', 'schedule_review_reminders', 'refresh_summary', 'refresh_checklist']);
    expect(posts(effects)).toEqual([`<@${bob.id}> resolved INC-7 after 47 min: rolled back`]);
    expect(announcements(effects)).toEqual([`:white_check_mark: INC-7 resolved after 47 min: *${TITLE}*: rolled back`]);
  });

  it('measures a long incident in hours', () => {
    const inc = withChannel();
    const events = [event({ type: 'resolved' }, bob, new Date(Date.UTC(2025, 11, 26, 11, 15)))];
    expect(announcements(effectsFor(project(inc, events), events, t))).toEqual([`:white_check_mark: INC-7 resolved after 2 h 15 min: *${TITLE}*`]);
  });

  it('on cancel posts and announces with the reason', () => {
    const effects = effectsOf(withChannel(), (i) => decideCancel(i, 'false alarm', bob, at(3)));
    expect(posts(effects)).toEqual([`<@${bob.id}> cancelled INC-7: false alarm`]);
    expect(announcements(effects)).toEqual([`INC-7 cancelled: *${TITLE}*: false alarm`]);
  });

  it("on close writes the postmortem in the closer's name", () => {
    const resolved = project(withChannel(), decideResolve(withChannel(), undefined, bob, at(20)));
    const effects = effectsOf(resolved, (i) => decideClose(i, carol, at(30)));
    expect(effects).toEqual([{ kind: 'write_postmortem', actor: carol.id }, { kind: 'refresh_summary' }, { kind: 'refresh_checklist' }, { kind: 'index_stats' }]);
  });

  // issue 12: stats
  it('indexes a finished incident for the stats on every change but bookkeeping, and an open one never', () => {
    const open = withChannel();
    const withItem = project(open, decideAction(open, { text: 'add a pool alert', horizon: '1w' }, bob, at(5)));
    const resolved = project(withItem, decideResolve(withItem, undefined, bob, at(20)));
    expect(effectsOf(resolved, (i) => decideNote(i, 'still watching', bob, at(25))).map((e) => e.kind)).not.toContain('index_stats');
    const closed = project(resolved, decideClose(resolved, carol, at(30)));
    expect(effectsOf(closed, (i) => decideActionDone(i, 'A1', bob, at(40))).map((e) => e.kind)).toContain('index_stats');
    expect(effectsOf(withChannel(), (i) => decideCancel(i, undefined, bob, at(3))).map((e) => e.kind)).toContain('index_stats');
    const written = [event({ type: 'postmortem_written', path: 'x.md' }, BOT, at(31))];
    expect(effectsFor(project(closed, written), written, t)).toEqual([]);
  });

  it('shows nothing for bookkeeping events', () => {
    const inc = withChannel();
    const events = [event({ type: 'summary_posted', messageId: 'M1' }, BOT, at(1)), event({ type: 'postmortem_written', path: 'x.md' }, BOT, at(1))];
    expect(effectsFor(project(inc, events), events, t)).toEqual([]);
  });

  describe('before the channel exists', () => {
    it('posts nothing and refreshes no summary on a status change, role or note', () => {
      const { inc } = declared();
      // Only the announcement of the update: stakeholders hear it whether or not the channel opened.
      expect(effectsOf(inc, (i) => decideStatus(i, 'identified', 'x', bob, at(1))).map((e) => e.kind)).toEqual(['announce']);
      expect(effectsOf(inc, (i) => decideStatus(i, 'identified', undefined, bob, at(1)))).toEqual([]);
      expect(effectsOf(inc, (i) => decideRole(i, 'scribe', carol, alice, at(1)))).toEqual([]);
      expect(effectsOf(inc, (i) => decideNote(i, 'x', bob, at(1)))).toEqual([]);
    });

    it('still announces a resolution, without a channel post', () => {
      const effects = effectsOf(declared().inc, (i) => decideResolve(i, undefined, bob, at(10)));
      expect(effects).toEqual([{ kind: 'announce', message: { text: `:white_check_mark: INC-7 resolved after 10 min: *${TITLE}*` } }, { kind: 'schedule_review_reminders' }]);
    });
  });
});
