import { describe, expect, it } from 'vitest';
import { alertFired, alertProse, alertText, decideAlerts, decideQuiet, labelsText } from '../../src/core/alerts/incident.js';
import type { NormalizedAlert } from '../../src/core/alerts/types.js';
import { effectsFor } from '../../src/core/effects.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import type { Incident } from '../../src/core/model.js';
import { BOT, project } from '../../src/core/projection.js';

/** The pure rules of alerts on an incident: identity by fingerprint, re-sends, resolves, quiet sources. */

const t = translator('en');
const source = { id: BOT.id, name: 'prom' };
const at = (min: number) => new Date(Date.UTC(2025, 11, 26, 9, min));

function alert(fingerprint: string, status: 'firing' | 'resolved' = 'firing', summary = 'API latency high'): NormalizedAlert {
  return { fingerprint, status, summary, labels: { alertname: 'HighLatency' }, links: [] };
}

function opened(alerts: NormalizedAlert[], autoResolve = false): Incident {
  const declared = event({ type: 'declared', title: 'HighLatency', summary: '', severity: 'P1', private: false, alert: { source: 'prom', groupKey: 'g', autoResolve } }, source, at(0));
  return project(null, [declared, ...alerts.map((a) => alertFired(a, source, at(0)))], { workspace: 'w', number: 1 });
}

const apply = (inc: Incident, events: IncidentEvent[]) => project(inc, events);
const types = (events: readonly IncidentEvent[]) => events.map((e) => e.type);

describe('alerts on an incident', () => {
  it('knows an alert by its fingerprint, not its summary (GoAlert #4461)', () => {
    const inc = opened([alert('a1')]);
    // Same summary, another fingerprint: a second alert.
    expect(types(decideAlerts(inc, [alert('a2')], source, at(1)))).toEqual(['alert_fired']);
    // Same fingerprint, a template that now renders another summary: a re-send.
    expect(decideAlerts(inc, [alert('a1', 'firing', 'API latency high (p99 281 ms)')], source, at(1))).toEqual([]);
  });

  it('decides per alert in a payload that mixes firing and resolved, last word per fingerprint', () => {
    const inc = opened([alert('a1'), alert('a2')]);
    const events = decideAlerts(inc, [alert('a1', 'resolved'), alert('a3'), alert('a2'), alert('a3', 'resolved')], source, at(2));
    expect(events.map((e) => [e.type, 'fingerprint' in e ? e.fingerprint : ''])).toEqual([['alert_resolved', 'a1']]);
    const after = apply(inc, events);
    expect(after.alerts?.items.map((a) => [a.fingerprint, a.status])).toEqual([
      ['a1', 'resolved'],
      ['a2', 'firing'],
    ]);
    // A re-sent resolve changes nothing; a firing again after a resolve is news.
    expect(decideAlerts(after, [alert('a1', 'resolved')], source, at(3))).toEqual([]);
    expect(types(decideAlerts(after, [alert('a1')], source, at(3)))).toEqual(['alert_fired']);
  });

  it('resolves the incident with the last resolve only when the route says autoResolve', () => {
    const manual = opened([alert('a1')]);
    expect(types(decideAlerts(manual, [alert('a1', 'resolved')], source, at(5)))).toEqual(['alert_resolved']);
    const auto = opened([alert('a1'), alert('a2')], true);
    expect(types(decideAlerts(auto, [alert('a1', 'resolved')], source, at(5)))).toEqual(['alert_resolved']);
    expect(types(decideAlerts(auto, [alert('a1', 'resolved'), alert('a2', 'resolved')], source, at(5)))).toEqual(['alert_resolved', 'alert_resolved', 'resolved']);
    // A new alert in the same delivery keeps it open.
    expect(types(decideAlerts(auto, [alert('a1', 'resolved'), alert('a2', 'resolved'), alert('a3')], source, at(5)))).toEqual(['alert_resolved', 'alert_resolved', 'alert_fired']);
  });

  it('records resolves but no firing once the incident is resolved, and nothing once it is closed', () => {
    const inc = opened([alert('a1'), alert('a2')]);
    const resolved = apply(inc, [event({ type: 'resolved' }, { id: 'alice', name: 'alice' }, at(9))]);
    expect(types(decideAlerts(resolved, [alert('a1', 'resolved'), alert('a3')], source, at(10)))).toEqual(['alert_resolved']);
    const closed = apply(resolved, [event({ type: 'closed' }, { id: 'alice', name: 'alice' }, at(11))]);
    expect(decideAlerts(closed, [alert('a2', 'resolved')], source, at(12))).toEqual([]);
  });

  it('counts alerts of a quiet source as resolved once each was not heard of for the quiet time', () => {
    const inc = opened([alert('a1'), alert('a2')], true);
    const seen = { a1: at(0).getTime(), a2: at(20).getTime() };
    expect(decideQuiet(inc, seen, 30 * 60_000, source, at(29))).toEqual([]);
    const first = decideQuiet(inc, seen, 30 * 60_000, source, at(31));
    expect(first.map((e) => [e.type, 'quiet' in e && e.quiet])).toEqual([['alert_resolved', true]]);
    expect(types(decideQuiet(apply(inc, first), seen, 30 * 60_000, source, at(51)))).toEqual(['alert_resolved', 'resolved']);
  });

  it('tells the channel once, with a Resolve button, when the last alert resolved', () => {
    const inc = { ...opened([alert('a1'), alert('a2')]), channelId: 'C1' };
    const events = decideAlerts(inc, [alert('a1', 'resolved'), alert('a2', 'resolved')], source, at(5));
    const posts = effectsFor(apply(inc, events), events, t).flatMap((e) => (e.kind === 'post' ? [e.message] : []));
    expect(posts.map((m) => m.text)).toEqual([
      ':white_check_mark: 2 alerts resolved:\n• API latency high\n• API latency high',
      'Every alert of INC-1 has resolved. Resolve the incident once the impact is over.',
    ]);
    expect(posts[1]?.actions).toEqual([{ id: 'resolve', label: 'Resolve', value: '1', style: 'primary' }]);
  });

  it('tells the channel of a delivery of new alerts in one message, the first ten listed', () => {
    const inc = { ...opened([alert('a0')]), channelId: 'C1' };
    const many = Array.from({ length: 12 }, (_, i) => alert(`n${i}`, 'firing', `disk ${i} full`));
    const events = decideAlerts(inc, many, source, at(5));
    const posts = effectsFor(apply(inc, events), events, t).flatMap((e) => (e.kind === 'post' ? [e.message.text] : []));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatch(/^:bell: 12 new alerts in this incident:\n• disk 0 full\n/);
    expect(posts[0]).toContain('• disk 9 full\n… and 2 more');
    expect(posts[0]).not.toContain('disk 10 full');
  });

  it('opens no channel for a triage incident until Declare, and invites nobody for the bot', () => {
    const declared = event({ type: 'declared', title: 'Disk filling', summary: '', severity: 'P3', private: false, triage: true, alert: { source: 'prom', groupKey: 'g', autoResolve: false } }, source, at(0));
    const inc = project(null, [declared], { workspace: 'w', number: 1 });
    expect(effectsFor(inc, [declared], t).map((e) => e.kind)).not.toContain('open_channel');
    const created = event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-1' }, BOT, at(1));
    const after = project(inc, [created]);
    const effects = effectsFor(after, [created], t);
    expect(effects.filter((e) => e.kind === 'invite')).toEqual([]);
    expect(effects.some((e) => e.kind === 'post' && e.message.text.startsWith('Welcome to INC-1, opened from an alert of prom.'))).toBe(true);
  });
});

describe('alert text from a monitoring system', () => {
  it('can mention nobody and cannot broadcast', () => {
    expect(alertText('<@U123> <!channel> <#C9> @everyone @here')).not.toMatch(/<[@#!]|@(everyone|here)\b/);
  });

  it('keeps the lines of a description, but no mention, channel link or broadcast in it', () => {
    const described = alertProse('CPU 95% on api-1\nowner: <@U0ABC> in <#C9>, ping <!here> @everyone');
    expect(described.split('\n')).toHaveLength(2);
    expect(described).not.toMatch(/<[@#!]|@(everyone|here)\b/);
    expect(described).toContain('CPU 95% on api-1');
    expect(alertText('[Acknowledge](https://evil.example)')).not.toContain('](');
  });

  it('is one line, and long values are cut', () => {
    expect(alertText('a\nb\r\n\tc')).toBe('a b c');
    expect([...alertText('x'.repeat(1000))]).toHaveLength(300);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    expect(labelsText(many)).toMatch(/k11=v, \+8$/);
  });
});
