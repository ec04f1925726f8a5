import { expect } from 'vitest';
import { MAX_IMPACT_KEY_LENGTH, parseImpact } from '../../src/core/capture.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { renderPostmortem } from '../../src/core/postmortem.js';
import { BOT, project } from '../../src/core/projection.js';
import { parseMarkdown, type MdNode } from './markdown-tree.js';

/**
 * The fixture of test/security/postmortem.test.ts: an incident in which every place people type
 * into the postmortem (titles, summaries, notes, chat messages, display names, action items,
 * reasons, the five whys, causes, impact figures, lessons, reviewers) holds the same hostile text.
 */

export const SEOUL = 'Asia/Seoul';
const kst = (time: string): Date => new Date(`2025-12-26T${time.length === 5 ? `${time}:00` : time}+09:00`);

export const PIECES = [
  '## 3. Root cause',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '[ref]: javascript:alert(1)',
  '| a | b |',
  '|---|---|',
  '```',
  '~~~',
  '# heading',
  '- list',
  '* star',
  '1. item',
  '2) item',
  '> quote',
  '---',
  '===',
  '    indented code',
  '@channel <!here> <!subteam^S1> @everyone',
  '*bold* **strong** _em_ ~~gone~~ `code`',
  '&lt;b&gt; &#60;i&#62; &amp;',
  'C:\\temp\\ back\\slash \\| \\',
  'trailing #',
];
/** Every piece on its own line, the whole text opening with a line break: the finding's reproduction. */
const ALL = `\n## 3. Root cause\nowned\r\n${PIECES.join('\n')}\u2028## 4. Impact`;
export const CASES: [string, (field: string) => string][] = [
  ['all of it, one piece a line', () => ALL],
  ...PIECES.map((p): [string, (field: string) => string] => [`each field exactly ${JSON.stringify(p)}`, () => p]),
  ['a 3,000-character line', () => 'x'.repeat(3000)],
  ['a 1,000-character line of markup', () => '<b>| [a](javascript:x) '.repeat(42)],
];
export const BENIGN = (field: string): string => `${field}: DB down, rollback to v1.2`;
/** Marks the display name a person had before renaming: the postmortem must show only the latest. */
export const STALE = 'Ωstale';

/** How a user text reads once rendered: on one line, line breaks shown as `joiner`. */
export const shown = (text: string, joiner = ' '): string => text.trim().replace(/[ \t]*(?:\r\n|[\n\r\u2028])\s*/g, joiner);

/**
 * An impact key made of `text` as `/incident impact` lets one arrive (capture.ts: a letter, then
 * letters, digits, `_` and `-`, lowercased): every other character becomes `_`, so the `_` and
 * `-` runs a hostile text leaves are what the key carries. The command's own parser accepts it.
 */
export function impactKeyOf(text: string): string {
  const key = Array.from(`k${text.toLowerCase().replace(/[^\p{L}\p{N}_-]/gu, '_')}`)
    .slice(0, MAX_IMPACT_KEY_LENGTH)
    .join('');
  expect(Object.keys(parseImpact(`${key}=1`))).toEqual([key]);
  return key;
}

export type Who = Record<'declarer' | 'alice' | 'chul' | 'dana' | 'eve', Actor>;

export interface Rendered {
  cancelled: boolean;
  md: string;
  tree: MdNode;
  text: (field: string) => string;
  who: Who;
  impactKey: string;
}

export const WHY_NUMBERS = [1, 2, 3, 4, 5] as const;

/** What was captured during the incident (capture.ts), by command and by 💡. */
function captureEvents(text: (field: string) => string, who: Who, impactKey: string): IncidentEvent[] {
  const { alice, chul, dana } = who;
  const at = kst('09:08');
  return [
    ...WHY_NUMBERS.map((n) => event({ type: 'why_recorded', n, text: text(`why ${n}`) }, alice, at)),
    event({ type: 'cause_recorded', text: text('direct cause') }, alice, at),
    event({ type: 'cause_recorded', text: text('underlying cause'), underlying: true }, chul, at),
    event({ type: 'impact_recorded', values: { users: 1200, [impactKey]: text('impact value'), ratio: 4.2 } }, chul, at),
    event({ type: 'summary_set', text: text('summary') }, alice, at),
    event({ type: 'lesson_recorded', kind: 'good', text: text('lesson good') }, alice, kst('09:09')),
    event({ type: 'lesson_recorded', kind: 'bad', text: text('lesson bad') }, dana, kst('09:09')),
    event({ type: 'lesson_recorded', kind: 'lucky', text: text('lesson lucky') }, chul, kst('09:09')),
    // 💡 on alice's message, by chul; and alice's own 💡 on her own message.
    event({ type: 'message_posted', channelId: 'C1', messageId: 'm3', text: text('marked message') }, alice, kst('09:09')),
    event({ type: 'lesson_recorded', kind: 'unsorted', text: text('marked message'), messageId: 'm3', author: alice }, chul, kst('09:09')),
    event({ type: 'message_posted', channelId: 'C1', messageId: 'm4', text: text('own marked message') }, alice, kst('09:09')),
    event({ type: 'lesson_recorded', kind: 'unsorted', text: text('own marked message'), messageId: 'm4', author: alice }, alice, kst('09:09')),
  ];
}

/** An incident with every kind of user text, each field's text from `text(field)`. */
export function render(locale: string, text: (field: string) => string, cancelled = false): Rendered {
  const t = translator(locale);
  const who: Who = {
    declarer: { id: 'U01', name: text('declarer name') },
    alice: { id: 'U02', name: text('alice name') },
    chul: { id: 'U03', name: text('chul name') },
    dana: { id: 'U04', name: text('dana name') },
    eve: { id: 'U05', name: text('reviewer name') },
  };
  const { declarer, alice, chul, dana, eve } = who;
  const impactKey = impactKeyOf(text('impact key'));
  const declared = {
    ...{ type: 'declared' as const, title: text('title'), summary: text('declared summary'), service: text('service') },
    ...{ severity: 'P1', private: false, detectedAt: kst('08:55').toISOString() },
  };
  const events: IncidentEvent[] = [
    event(declared, declarer, kst('09:00')),
    event({ type: 'role_assigned', role: 'commander', user: declarer }, declarer, kst('09:00')),
    event({ type: 'role_assigned', role: 'comms', user: chul }, declarer, kst('09:01')),
    // alice renames herself after her first message: the postmortem knows her by her latest name only.
    event({ type: 'message_posted', channelId: 'C1', messageId: 'm0', text: text('early message') }, { ...alice, name: `${alice.name} ${STALE}` }, kst('09:01:30')),
    event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: text('message') }, alice, kst('09:02')),
    event({ type: 'paged', users: [dana], generation: 1, step: 0, tier: 0, round: 1, message: text('page message') }, BOT, kst('09:03')),
    event({ type: 'acknowledged', generation: 1, ttaMs: 60_000 }, dana, kst('09:04')),
    event({ type: 'note_added', text: text('note') }, alice, kst('09:05')),
    event({ type: 'key_event', channelId: 'C1', messageId: 'm2', text: text('key event') }, alice, kst('09:06')),
    event({ type: 'status_changed', from: 'investigating', to: 'identified', message: text('status message') }, declarer, kst('09:07')),
    event({ type: 'severity_changed', from: 'P1', to: 'P2', reason: text('severity reason') }, declarer, kst('09:08')),
    ...captureEvents(text, who, impactKey),
    event({ type: 'status_changed', from: 'identified', to: 'monitoring', message: text('monitoring message') }, declarer, kst('09:09:30')),
    event({ type: 'action_added', item: { id: 'A1', text: text('action item'), owner: chul, horizon: '1w', dueAt: '2026-01-02T00:00:00.000Z' } }, declarer, kst('09:09:40')),
    event({ type: 'action_added', item: { id: 'A2', text: text('second action item'), horizon: 'q' } }, alice, kst('09:09:40')),
    cancelled
      ? event({ type: 'cancelled', reason: text('cancel reason') }, declarer, kst('09:10'))
      : event({ type: 'resolved', summary: text('resolution') }, declarer, kst('09:10')),
    event({ type: 'closed' }, declarer, kst('09:20')),
    // A cancelled incident has no review (postmortem-review.ts refuses one).
    ...(cancelled ? [] : [event({ type: 'postmortem_reviewed', reviewers: [dana, eve] }, declarer, kst('10:00'))]),
  ];
  const inc: Incident = project(null, events, { workspace: 'T1', number: 1 });
  const md = renderPostmortem(inc, events, { t, timeZone: SEOUL, severityName: (id) => (id === 'P2' ? text('severity name') : undefined), now: kst('11:00') });
  return { cancelled, md, tree: parseMarkdown(md), text, who, impactKey };
}

/** The fields whose text the timeline (a code block) shows, every line exactly as typed. */
export const TIMELINE_FIELDS = [
  ...['early message', 'message', 'note', 'key event', 'status message', 'severity reason', 'monitoring message'],
  ...[...WHY_NUMBERS.map((n) => `why ${n}`), 'direct cause', 'underlying cause', 'impact value', 'summary'],
  ...['lesson good', 'lesson bad', 'lesson lucky', 'marked message', 'own marked message', 'action item', 'second action item'],
];
