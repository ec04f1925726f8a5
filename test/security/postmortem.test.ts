import { describe, expect, it } from 'vitest';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator, type Translate } from '../../src/core/i18n/index.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { renderPostmortem } from '../../src/core/postmortem.js';
import { project } from '../../src/core/projection.js';
import { allNodes, parseMarkdown, sectionOf, shape, textOf, type MdNode } from '../support/markdown-tree.js';

/**
 * Issue 9, finding 8: everything people type (titles, summaries, notes, chat messages, names,
 * action items, reasons) ends up in the postmortem file. Rendered and parsed with a real Markdown
 * parser, hostile text must leave the template's structure as it is (same headings, same lists,
 * same table), carry no HTML and no link, and still read as typed.
 */

const SEOUL = 'Asia/Seoul';
const kst = (hhmm: string): Date => new Date(`2025-12-26T${hhmm}:00+09:00`);

const PIECES = [
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
const CASES: [string, (field: string) => string][] = [
  ['all of it, one piece a line', () => ALL],
  ...PIECES.map((p): [string, (field: string) => string] => [`each field exactly ${JSON.stringify(p)}`, () => p]),
  ['a 3,000-character line', () => 'x'.repeat(3000)],
  ['a 1,000-character line of markup', () => '<b>| [a](javascript:x) '.repeat(42)],
];
const BENIGN = (field: string): string => `${field}: DB down, rollback to v1.2`;

/** How a user text reads once rendered: on one line, line breaks shown as `joiner`. */
const shown = (text: string, joiner = ' '): string => text.trim().replace(/[ \t]*(?:\r\n|[\n\r\u2028])\s*/g, joiner);

interface Rendered {
  cancelled: boolean;
  md: string;
  tree: MdNode;
  text: (field: string) => string;
  who: Record<'declarer' | 'alice' | 'chul' | 'dana', Actor>;
}

/** An incident with every kind of user text, each field's text from `text(field)`. */
function render(locale: string, text: (field: string) => string, cancelled = false): Rendered {
  const t = translator(locale);
  const who = {
    declarer: { id: 'U01', name: text('declarer name') },
    alice: { id: 'U02', name: text('alice name') },
    chul: { id: 'U03', name: text('chul name') },
    dana: { id: 'U04', name: text('dana name') },
  };
  const { declarer, alice, chul, dana } = who;
  const at = (hhmm: string) => kst(hhmm);
  const declared = { type: 'declared' as const, title: text('title'), summary: text('summary'), service: text('service'), severity: 'P1', private: false };
  const events: IncidentEvent[] = [
    event(declared, declarer, at('09:00')),
    event({ type: 'role_assigned', role: 'commander', user: declarer }, declarer, at('09:00')),
    event({ type: 'role_assigned', role: 'comms', user: chul }, declarer, at('09:01')),
    event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: text('message') }, alice, at('09:02')),
    event({ type: 'paged', users: [dana], generation: 1, step: -1, message: text('page message') }, declarer, at('09:03')),
    event({ type: 'acknowledged', generation: 1, ttaMs: 60_000 }, dana, at('09:04')),
    event({ type: 'note_added', text: text('note') }, alice, at('09:05')),
    event({ type: 'key_event', channelId: 'C1', messageId: 'm2', text: text('key event') }, alice, at('09:06')),
    event({ type: 'status_changed', from: 'investigating', to: 'identified', message: text('status message') }, declarer, at('09:07')),
    event({ type: 'severity_changed', from: 'P1', to: 'P2', reason: text('severity reason') }, declarer, at('09:08')),
    event({ type: 'action_added', item: { id: 'A1', text: text('action item'), owner: chul, horizon: '1w' } }, declarer, at('09:09')),
    event({ type: 'action_added', item: { id: 'A2', text: text('second action item'), horizon: 'q' } }, alice, at('09:09')),
    cancelled
      ? event({ type: 'cancelled', reason: text('cancel reason') }, declarer, at('09:10'))
      : event({ type: 'resolved', summary: text('resolution') }, declarer, at('09:10')),
    event({ type: 'closed' }, declarer, at('09:20')),
  ];
  const inc: Incident = project(null, events, { workspace: 'T1', number: 1 });
  const md = renderPostmortem(inc, events, { t, timeZone: SEOUL, severityName: (id) => (id === 'P2' ? text('severity name') : undefined), now: at('11:00') });
  return { cancelled, md, tree: parseMarkdown(md), text, who };
}

const headings = (tree: MdNode): string[] =>
  allNodes(tree)
    .filter((n) => n.type === 'heading')
    .map((n) => `${'#'.repeat(n.depth ?? 0)} ${textOf(n)}`);

/** The Details cell of the overview row labelled `label`. */
function overviewRow(tree: MdNode, label: string): string | undefined {
  const table = allNodes(tree).find((n) => n.type === 'table');
  const row = table?.children?.find((r) => textOf(r.children?.[0] ?? { type: 'none' }).trim() === label);
  return row?.children?.[1] ? textOf(row.children[1]) : undefined;
}

function listItems(blocks: MdNode[]): MdNode[] {
  return blocks.filter((b) => b.type === 'list').flatMap((l) => l.children ?? []);
}

function expectStructureIntact(r: Rendered, benign: Rendered): void {
  expect(headings(r.tree).slice(1)).toEqual(headings(benign.tree).slice(1));
  expect(headings(r.tree)).toHaveLength(11);
  expect(shape(r.tree)).toBe(shape(benign.tree));
  const nodes = allNodes(r.tree);
  expect(nodes.filter((n) => n.type === 'html').map((n) => n.value)).toEqual([]);
  expect(nodes.filter((n) => /^(link|image|definition|footnote)/.test(n.type)).map((n) => n.url ?? n.type)).toEqual([]);
  for (const table of nodes.filter((n) => n.type === 'table')) {
    expect(table.children?.map((row) => row.children?.length)).toEqual(table.children?.map(() => 2));
  }
}

function expectReadable(r: Rendered, t: Translate): void {
  const { text, who } = r;
  expect(headings(r.tree)[0]).toBe(t('pm.title', { ref: 'INC-1', title: shown(text('title')) }));
  expect(overviewRow(r.tree, t('pm.summary'))).toBe(shown(text('summary'), ' / '));
  expect(overviewRow(r.tree, t('pm.service'))).toBe(shown(text('service')));
  expect(overviewRow(r.tree, t('pm.commander'))).toBe(shown(who.declarer.name));
  expect(overviewRow(r.tree, t('pm.declared'))).toBe(t('pm.declared_by', { time: '2025-12-26 09:00', name: shown(who.declarer.name) }));
  expect(overviewRow(r.tree, t('pm.roles'))).toBe(t('pm.role_item', { role: t('word.role.comms'), name: shown(who.chul.name) }));
  expect(overviewRow(r.tree, t('pm.severity'))).toBe(`P2 (${shown(text('severity name'))})`);
  expect(overviewRow(r.tree, t('pm.tta'))).toContain(shown(who.dana.name));
  for (const p of Object.values(who)) expect(overviewRow(r.tree, t('pm.participants'))).toContain(shown(p.name));
  if (r.cancelled) {
    expect(overviewRow(r.tree, t('pm.cancelled'))).toBe(`2025-12-26 09:10${t('word.because', { text: shown(text('cancel reason'), ' / ') })}`);
    expect(overviewRow(r.tree, t('pm.resolution'))).toBe(t('pm.fill_in').replace(/_/g, ''));
  } else {
    expect(overviewRow(r.tree, t('pm.resolution'))).toBe(shown(text('resolution'), ' / '));
  }

  const whys = allNodes(r.tree).filter((n) => n.type === 'list' && n.ordered);
  expect(textOf(whys[0]?.children?.[0] ?? { type: 'none' })).toContain(shown(text('title')));
  const immediate = listItems(sectionOf(r.tree, t('pm.immediate').replace(/^## /, ''))).map(textOf);
  expect(immediate).toEqual([
    t('pm.immediate_item', { time: '09:05', author: shown(who.alice.name), text: shown(text('note'), ' / ') }).slice(2),
    t('pm.immediate_item', { time: '09:06', author: shown(who.alice.name), text: shown(text('key event'), ' / ') }).slice(2),
    t('pm.immediate_item', {
      time: '09:07',
      author: shown(who.declarer.name),
      text: t('pm.immediate_status', { status: t('word.status.identified'), message: shown(text('status message'), ' / ') }),
    }).slice(2),
  ]);
  const shortTerm = listItems(sectionOf(r.tree, t('pm.horizon.1w').replace(/^### /, '')));
  expect(shortTerm.map((i) => [i.checked, textOf(i)])).toEqual([
    [false, t('pm.item', { check: ' ', id: 'A1', text: shown(text('action item')), owner: shown(who.chul.name) }).slice(6)],
  ]);
  // The timeline is a code block: there every line is shown exactly as typed.
  const code = allNodes(r.tree).filter((n) => n.type === 'code');
  expect(code).toHaveLength(1);
  for (const line of text('message').split(/\r?\n|\r|\u2028/)) expect(code[0]?.value).toContain(line.trim());
}

/** Outside the timeline's code block, no `<` at all is left in the file: no tag can survive any renderer. */
function expectNoRawAngleBrackets(r: Rendered): void {
  const code = allNodes(r.tree).find((n) => n.type === 'code');
  const lines = r.md.split('\n');
  const outside = lines.filter((_l, i) => !code?.position || i + 1 < code.position.start.line || i + 1 > code.position.end.line);
  expect(outside.filter((l) => /[<>]/.test(l))).toEqual([]);
}

describe.each(['en', 'ko'])('postmortem with hostile user text (locale %s)', (locale) => {
  const t = translator(locale);
  const benign = render(locale, BENIGN);
  const benignCancelled = render(locale, BENIGN, true);

  it('has the template structure for a benign incident, with its text unchanged', () => {
    expect(headings(benign.tree)).toEqual([
      t('pm.title', { ref: 'INC-1', title: BENIGN('title') }),
      ...(['pm.overview', 'pm.timeline', 'pm.root_cause', 'pm.impact', 'pm.immediate', 'pm.prevention'] as const).map((k) => t(k)),
      ...(['1w', '1m', 'q'] as const).map((h) => t(`pm.horizon.${h}`)),
      t('pm.lessons'),
    ]);
    expect(benign.md).toContain(`| ${t('pm.summary')} | summary: DB down, rollback to v1.2 |`);
    expectReadable(benign, t);
  });

  it.each(CASES)('keeps the structure intact: %s', (_name, text) => {
    for (const cancelled of [false, true]) {
      const r = render(locale, text, cancelled);
      expectStructureIntact(r, cancelled ? benignCancelled : benign);
      expectNoRawAngleBrackets(r);
      expectReadable(r, t);
    }
  });
});
