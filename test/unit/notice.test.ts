import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES, parseConfig } from '../../src/config.js';
import { plainTimes } from '../../src/core/chat-time.js';
import { effectsFor } from '../../src/core/effects.js';
import { IncidentError } from '../../src/core/errors.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { decideChecklistTick, decideUpdate } from '../../src/core/guidance.js';
import { translator } from '../../src/core/i18n/index.js';
import { declareEvents, decideCancel, decideStatus } from '../../src/core/lifecycle.js';
import type { Incident } from '../../src/core/model.js';
import { decideNotice, draftNotice, draftStamp, parseAudience, parseNoticeValue, unknownPlaceholders } from '../../src/core/notice.js';
import { BOT, project } from '../../src/core/projection.js';

const alice = { id: 'U1', name: 'alice' };
const bob = { id: 'U2', name: 'bob' };
const utc = (h: number, m: number) => new Date(Date.UTC(2025, 11, 26, h, m));

/** A P1 declared at 09:00 (detected 08:52 by its alert) with its channel, and the events that made it. */
function history(o: { private?: boolean } = {}): { inc: Incident; events: IncidentEvent[] } {
  const events: IncidentEvent[] = [
    ...declareEvents({ title: 'Checkout failing', summary: 'card payments time out', severity: 'P1', private: o.private ?? false }, alice, utc(9, 0)),
    event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-1-checkout-failing' }, BOT, utc(9, 0)),
  ];
  return { inc: project(null, events, { workspace: 'local', number: 1 }), events };
}

function add(h: { inc: Incident; events: IncidentEvent[] }, more: IncidentEvent[]) {
  return { inc: project(h.inc, more), events: [...h.events, ...more] };
}

function draft(h: { inc: Incident; events: IncidentEvent[] }, audience: 'internal' | 'external', locale = 'en', templates?: Record<string, string>) {
  return plainTimes(draftNotice(h.inc, h.events, audience, { t: translator(locale), severities: DEFAULT_SEVERITIES, timeZone: 'UTC', ...(templates ? { templates } : {}) }));
}

describe('notice drafts', () => {
  it('fill an internal notice from the incident: what, since when, impact, cause, actions, next update, who and where', () => {
    const h = history();
    const text = draft(h, 'internal');
    expect(text).toContain('Incident notice · INC-1* (P1, investigating)');
    expect(text).toContain('*What is happening:* Checkout failing: card payments time out');
    expect(text).toContain('*Since:* 2025-12-26 09:00');
    expect(text).toContain('*Impact:* being assessed');
    expect(text).toContain('*Cause:* under investigation');
    expect(text).toContain('*Actions taken:* investigating');
    // P1: an update every 30 minutes from the declaration.
    expect(text).toContain('*Next update:* 2025-12-26 09:30');
    expect(text).toContain('*Commander:* <@U1> · *Channel:* <#C1>');
  });

  it('take the impact from the scope ticked by hand, the cause from the change to identified, the actions from the last update', () => {
    let h = history();
    h = add(h, decideChecklistTick(h.inc, 'scope', 'about 30% of card payments in EU', bob, utc(9, 5)));
    h = add(h, decideStatus(h.inc, 'identified', 'connection pool exhausted after the 08:45 deploy', bob, utc(9, 10)));
    h = add(h, decideUpdate(h.inc, 'rolled back the deploy, <@U2> is watching errors', bob, utc(9, 20)));
    const internal = draft(h, 'internal');
    expect(internal).toContain('*Impact:* about 30% of card payments in EU');
    expect(internal).toContain('*Cause:* connection pool exhausted after the 08:45 deploy');
    expect(internal).toContain('*Actions taken:* rolled back the deploy, <@U2> is watching errors (identified)');
    expect(internal).toContain('*Next update:* 2025-12-26 09:50');
    const external = draft(h, 'external');
    expect(external).toContain('*Service notice* (INC-1)\nWe have found the cause and are working on a fix.');
    // No names and no links for customers, even from what responders wrote.
    expect(external).toContain('*What we are doing:* rolled back the deploy, is watching errors (We have found the cause');
    expect(external).not.toMatch(/<[@#]/);
    expect(external).not.toContain('Commander');
  });

  it('use the detection time of an alert-opened incident as the time of occurrence', () => {
    const h = history();
    const detected = { ...h, inc: { ...h.inc, detectedAt: utc(8, 52).toISOString() } };
    expect(draft(detected, 'external')).toContain('*Since:* 2025-12-26 08:52');
  });

  it('leave out the title, summary and channel of a private incident', () => {
    const h = history({ private: true });
    for (const audience of ['internal', 'external'] as const) {
      const text = draft(h, audience);
      expect(text).not.toContain('Checkout');
      expect(text).not.toContain('card payments');
      expect(text).not.toContain('<#C1>');
      expect(text).toContain('a problem we are handling confidentially');
    }
  });

  it('speak Korean with the ko catalog', () => {
    const text = draft(history(), 'external', 'ko');
    expect(text).toContain('*서비스 안내* (INC-1)');
    expect(text).toContain('*원인:* 조사 중');
  });

  it('follow a template from the config, and its stamp changes with what it says', () => {
    const h = history();
    const template = { internal: '{ref} is {status}: {symptoms}. Next: {next_update}' };
    expect(draft(h, 'internal', 'en', template)).toBe('INC-1 is investigating: Checkout failing: card payments time out. Next: 2025-12-26 09:30');
    // The external one still comes from the catalog.
    expect(draft(h, 'external', 'en', template)).toContain('*Service notice*');
    const o = { t: translator('en'), severities: DEFAULT_SEVERITIES, timeZone: 'UTC' };
    const before = draftNotice(h.inc, h.events, 'internal', o);
    expect(draftStamp(before)).toBe(draftStamp(draftNotice(h.inc, h.events, 'internal', o)));
    const later = add(h, decideUpdate(h.inc, 'rolled back', bob, utc(9, 20)));
    expect(draftStamp(draftNotice(later.inc, later.events, 'internal', o))).not.toBe(draftStamp(before));
  });
});

describe('posting a notice', () => {
  it('records the notice, ticks notified, posts it to its audience and says so in the channel', () => {
    const h = history();
    const events = decideNotice(h.inc, 'external', 'We are looking into failed payments.', bob, utc(9, 15));
    const after = project(h.inc, events);
    expect(after.notices).toEqual({ external: 1 });
    expect(after.checklist?.notified?.by).toEqual(bob);
    const effects = effectsFor(after, events, translator('en'));
    expect(effects).toContainEqual({ kind: 'notice', audience: 'external', message: { text: 'We are looking into failed payments.' } });
    expect(effects).toContainEqual({ kind: 'post', message: { text: ':loudspeaker: <@U2> posted the external notice.' } });
  });

  it('is refused for a cancelled incident', () => {
    const h = history();
    const cancelled = project(h.inc, decideCancel(h.inc, 'false alarm', alice, utc(9, 5)));
    expect(() => decideNotice(cancelled, 'internal', 'x', alice, utc(9, 6))).toThrow(IncidentError);
  });

  it('reads audiences and button values strictly', () => {
    expect(parseAudience('External')).toBe('external');
    expect(parseAudience('press')).toBeUndefined();
    expect(parseNoticeValue('12.3456')).toEqual({ number: 12, stamp: '3456' });
    expect(parseNoticeValue('12')).toEqual({ number: 12 });
    expect(parseNoticeValue('12.1.1')).toBeNull();
  });
});

describe('notice templates in the config', () => {
  const problems = (notices: object) => {
    const parsed = parseConfig({ notices });
    return parsed.ok ? [] : parsed.problems;
  };

  it('take the placeholders of their audience', () => {
    expect(problems({ internal: '{ref} {commander} {channel}', external: '{ref}: {status} {symptoms} {impact} {cause} {actions} {next_update} {occurred} {severity}' })).toEqual([]);
    expect(unknownPlaceholders('external', 'hi {commander} {ref}')).toEqual(['commander']);
  });

  it('refuse an unknown placeholder at load, naming it and the ones there are', () => {
    const list = problems({ external: 'Hello {customer}, {channel}' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^notices\.external: unknown placeholder \{customer\}, \{channel\}; use \{ref\}, /);
    expect(problems({ internal: 'x', other: 'y' }).join()).toMatch(/notices/);
  });

  it('name the notice channels as optional channel names', () => {
    const parsed = parseConfig({ channels: { stakeholders: '#stakeholders', external: 'status' } });
    expect(parsed.ok && parsed.config.channels).toEqual({ prefix: 'inc', announce: 'incidents', stakeholders: '#stakeholders', external: 'status' });
  });
});
