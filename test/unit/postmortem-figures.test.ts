import { describe, expect, it } from 'vitest';
import { event, type EventBody, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import type { Actor } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { BOT } from '../../src/core/projection.js';
import { renderPostmortem } from '../../src/core/postmortem.js';

/** The overview's response figures and the participants table, as the draft shows them. */

const carol: Actor = { id: 'UCAROL', name: 'carol' };
const alice: Actor = { id: 'UALICE', name: 'alice' };
const dave: Actor = { id: 'UDAVE', name: 'dave' };
/** What a Slack slash command used to record for alice: her login, not her display name. */
const aliceLogin: Actor = { id: 'UALICE', name: 'ualice' };

const ev = (body: EventBody, actor: Actor, clock: string): IncidentEvent => event(body, actor, new Date(`2026-12-01T${clock}+09:00`)) as IncidentEvent;

function incident(): IncidentEvent[] {
  return [
    ev({ type: 'declared', title: 'Checkout down', summary: '', severity: 'P3', private: false, detectedAt: '2026-12-01T13:51:30+09:00' }, carol, '14:00:00'),
    ev({ type: 'role_assigned', role: 'commander', user: carol }, carol, '14:00:00'),
    ev({ type: 'paged', users: [alice], generation: 1, step: 0, tier: 0, round: 1 }, BOT, '14:00:00'),
    ev({ type: 'severity_changed', from: 'P3', to: 'P1' }, carol, '14:03:20'),
    ev({ type: 'note_added', text: 'looking at the payments dashboard' }, aliceLogin, '14:04:00'),
    ev({ type: 'paged', users: [dave], generation: 1, step: 1, tier: 1, round: 1 }, BOT, '14:05:00'),
    ev({ type: 'acknowledged', generation: 1, ttaMs: 552_000 }, dave, '14:09:12'),
    ev({ type: 'role_assigned', role: 'scribe', user: aliceLogin }, carol, '14:10:00'),
    ev({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'rolling back 2.3.0' }, alice, '14:11:00'),
    ev({ type: 'message_posted', channelId: 'C1', messageId: 'm2', text: 'rolled back' }, alice, '14:20:00'),
    ev({ type: 'status_changed', from: 'investigating', to: 'monitoring', message: 'rolled back' }, dave, '14:31:07'),
    ev({ type: 'resolved', summary: 'error rate 0.1%' }, carol, '14:47:30'),
  ];
}

function render(events: IncidentEvent[], locale: 'en' | 'ko' = 'en'): string {
  const inc = project(null, events, { workspace: 'T1', number: 7 });
  return renderPostmortem(inc, events, { t: translator(locale), timeZone: 'Asia/Seoul', now: new Date('2026-12-01T06:00:00Z') });
}

const row = (md: string, label: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| ${label} |`))?.slice(label.length + 5, -2);

describe('postmortem overview: response figures', () => {
  const md = render(incident());

  it('shows detect, acknowledge (overall and per tier), mitigate and resolve to the second', () => {
    expect(row(md, 'Time to detect')).toBe('8 min 30 s (impact began 2026-12-01 13:51, as given at declare)');
    expect(row(md, 'Time to acknowledge (MTTA)')).toBe('9 min 12 s (first page 14:00, acknowledged 14:09 by dave)');
    expect(row(md, 'Time to acknowledge per tier')).toBe('tier 1: not acknowledged (paged 14:00) · tier 2: 4 min 12 s (dave)');
    expect(row(md, 'Time to mitigate (declared → monitoring)')).toBe('31 min (monitoring from 2026-12-01 14:31)');
    expect(row(md, 'Duration (declared → resolved)')).toBe('47 min');
    expect(row(md, 'Severity changes')).toBe('P3 → P1 at 2026-12-01 14:03');
  });

  it('reads under ten minutes to the second, and says when monitoring was never reached', () => {
    const short = render([...incident().slice(0, 3), ev({ type: 'resolved' }, carol, '14:04:12')]);
    expect(row(short, 'Duration (declared → resolved)')).toBe('4 min 12 s');
    expect(row(short, 'Time to mitigate (declared → monitoring)')).toBe('_(never reached monitoring)_');
    expect(row(short, 'Time to acknowledge per tier')).toBe('tier 1: not acknowledged (paged 14:00)');
    expect(row(short, 'Severity changes')).toBeUndefined();
  });

  it('says the detection time came from the first alert when an alert opened the incident', () => {
    const [first, ...rest] = incident();
    const byAlert = { ...first, alert: { source: 'am', groupKey: 'g', autoResolve: true } } as IncidentEvent;
    expect(row(render([byAlert, ...rest]), 'Time to detect')).toBe('8 min 30 s (impact began 2026-12-01 13:51, by the first alert)');
  });

  it('speaks Korean', () => {
    const ko = render(incident(), 'ko');
    expect(row(ko, '탐지 시간')).toBe('8분 30초 (선언 시 입력한 영향 시작 2026-12-01 13:51)');
    expect(row(ko, '단계별 호출 확인 시간')).toBe('1단계: 확인 없음 (14:00 호출) · 2단계: 4분 12초 (dave)');
    expect(row(ko, '완화 시간 (선언 → 모니터링)')).toBe('31분 (2026-12-01 14:31부터 모니터링)');
    expect(ko).toContain('### 참여자');
  });
});

describe('postmortem participants and names', () => {
  const md = render(incident());

  it('has a participants table after the overview: roles, joined, messages', () => {
    const lines = md.split('\n');
    const start = lines.indexOf('### Participants');
    expect(start).toBeGreaterThan(lines.indexOf('## 1. Overview'));
    expect(start).toBeLessThan(lines.indexOf('## 2. Timeline'));
    expect(lines.slice(start + 2, start + 7)).toEqual([
      '| Name | Roles | Joined | Messages |',
      '|---|---|---:|---:|',
      '| carol | commander | 14:00 | 0 |',
      '| alice | scribe | 14:04 | 2 |',
      '| dave | — | 14:09 | 0 |',
    ]);
  });

  it('shows each person under one name everywhere, the latest known', () => {
    expect(md).not.toContain('ualice');
    expect(md).toContain('14:04  @alice  ');
    expect(row(md, 'Other roles')).toBe('scribe: alice');
    expect(row(md, 'Participants')).toBe('carol, alice, dave');
  });

  it('escapes a name in the table', () => {
    const odd: Actor = { id: 'UODD', name: 'bob | <b>x</b>' };
    const withOdd = [...incident(), ev({ type: 'note_added', text: 'hi' }, odd, '14:48:00')];
    expect(render(withOdd)).toContain('| bob \\| &lt;b&gt;x&lt;/b&gt; | — | 14:48 | 0 |');
  });
});
