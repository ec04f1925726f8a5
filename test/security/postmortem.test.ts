import { describe, expect, it } from 'vitest';
import { formatDuration, formatPreciseDuration } from '../../src/core/durations.js';
import { translator, type MessageKey, type Translate } from '../../src/core/i18n/index.js';
import { allNodes, sectionOf, shape, textOf, type MdNode } from '../support/markdown-tree.js';
import { BENIGN, CASES, render, shown, STALE, TIMELINE_FIELDS, WHY_NUMBERS, type Rendered } from '../support/hostile-postmortem.js';

/**
 * Issue 9, finding 8, and issue 12's filled postmortem: everything people type (titles,
 * summaries, notes, chat messages, display names, action items, reasons, the five whys, causes,
 * impact figures, lessons, reviewers) ends up in the postmortem file. Rendered and parsed with a
 * real Markdown parser, hostile text must leave the template's structure as it is (same headings,
 * same lists, same tables), carry no HTML and no link, and still read as typed.
 */

const none: MdNode = { type: 'none' };
const heading = (key: MessageKey, t: Translate): string => t(key).replace(/^#+ /, '');

const headings = (tree: MdNode): string[] =>
  allNodes(tree)
    .filter((n) => n.type === 'heading')
    .map((n) => `${'#'.repeat(n.depth ?? 0)} ${textOf(n)}`);

/** Each row of `table` as the text of its cells. */
const cells = (table: MdNode | undefined): string[][] => (table?.children ?? []).map((row) => (row.children ?? []).map(textOf));

/** The Details cell of the overview row labelled `label`. */
function overviewRow(tree: MdNode, label: string): string | undefined {
  const table = allNodes(tree).find((n) => n.type === 'table');
  return cells(table).find((row) => row[0]?.trim() === label)?.[1];
}

function listItems(blocks: MdNode[]): MdNode[] {
  return blocks.filter((b) => b.type === 'list').flatMap((l) => l.children ?? []);
}

/** A list item's own text, without the lists nested in it. */
const ownText = (item: MdNode | undefined): string => (item?.children ?? []).filter((c) => c.type !== 'list').map(textOf).join('');
/** The items of the list nested in `item`. */
const nested = (item: MdNode | undefined): MdNode[] => listItems(item?.children ?? []);
/** A catalog list line as a reader sees its item: without the indent and the marker. */
const item = (line: string): string => line.replace(/^\s*(?:[-*]|\d+\.)(?: \[[ x]\])? /, '');

function expectStructureIntact(r: Rendered, benign: Rendered): void {
  expect(headings(r.tree).slice(1)).toEqual(headings(benign.tree).slice(1));
  expect(headings(r.tree)).toHaveLength(13);
  expect(shape(r.tree)).toBe(shape(benign.tree));
  const nodes = allNodes(r.tree);
  expect(nodes.filter((n) => n.type === 'html').map((n) => n.value)).toEqual([]);
  expect(nodes.filter((n) => /^(link|image|definition|footnote)/.test(n.type)).map((n) => n.url ?? n.type)).toEqual([]);
  // Overview, participants, impact figures: each row has exactly its header's cells.
  const tables = nodes.filter((n) => n.type === 'table');
  expect(tables.map((table) => [...new Set(table.children?.map((row) => row.children?.length))])).toEqual([[2], [4], [2]]);
  expect(nodes.filter((n) => n.type === 'code')).toHaveLength(1);
}

function expectOverview(r: Rendered, t: Translate): void {
  const { text, who } = r;
  const row = (key: MessageKey) => overviewRow(r.tree, t(key));
  expect(headings(r.tree)[0]).toBe(t('pm.title', { ref: 'INC-1', title: shown(text('title')) }));
  expect(row('pm.summary')).toBe(shown(text('summary'), ' / '));
  expect(row('pm.service')).toBe(shown(text('service')));
  expect(row('pm.commander')).toBe(shown(who.declarer.name));
  expect(row('pm.declared')).toBe(t('pm.declared_by', { time: '2025-12-26 09:00', name: shown(who.declarer.name) }));
  expect(row('pm.roles')).toBe(t('pm.role_item', { role: t('word.role.comms'), name: shown(who.chul.name) }));
  expect(row('pm.severity')).toBe(`P2 (${shown(text('severity name'))})`);
  expect(row('pm.severity_changes')).toBe(t('pm.severity_change', { from: 'P1', to: 'P2', at: '2025-12-26 09:08' }));
  expect(row('pm.tta')).toContain(shown(who.dana.name));
  expect(row('pm.tta_tiers')).toBe(t('pm.tta_tier', { tier: 1, duration: formatPreciseDuration(60_000, t), name: shown(who.dana.name) }));
  expect(row('pm.ttm')).toBe(t('pm.ttm_value', { duration: formatPreciseDuration(570_000, t), at: '2025-12-26 09:09' }));
  const participants = [who.declarer, who.chul, who.alice, who.dana].map((p) => shown(p.name));
  expect(row('pm.participants')).toBe(participants.join(', '));
  if (r.cancelled) {
    expect(row('pm.cancelled')).toBe(`2025-12-26 09:10${t('word.because', { text: shown(text('cancel reason'), ' / ') })}`);
    expect(row('pm.resolution')).toBe(t('pm.fill_in').replace(/_/g, ''));
  } else {
    expect(row('pm.resolution')).toBe(shown(text('resolution'), ' / '));
  }
  // One person, one name: the people table names each once, by their latest name, in the order they joined.
  const people = cells(allNodes(r.tree).filter((n) => n.type === 'table')[1]).slice(1);
  const roles = [t('word.role.commander'), t('word.role.comms'), t('pm.none'), t('pm.none')];
  expect(people.map((p) => p.slice(0, 3))).toEqual(participants.map((name, i) => [name, roles[i], ['09:00', '09:01', '09:01', '09:04'][i]]));
  expect(r.md).not.toContain(STALE);
}

function expectRootCauseAndImpact(r: Rendered, t: Translate): void {
  const { text } = r;
  const cause = listItems(sectionOf(r.tree, heading('pm.root_cause', t)));
  expect(cause.slice(0, 2).map(ownText)).toEqual([
    item(t('pm.direct_cause_value', { text: shown(text('direct cause'), ' / ') })),
    item(t('pm.underlying_cause_value', { text: shown(text('underlying cause'), ' / ') })),
  ]);
  expect(nested(cause[2]).map(textOf)).toEqual(
    WHY_NUMBERS.map((n) => {
      const question = n === 1 ? t('pm.why_first', { title: shown(text('title')) }) : t('pm.why_next');
      return item(t('pm.why_answer', { n, question, answer: shown(text(`why ${n}`), ' / ') }));
    }),
  );
  const impact = sectionOf(r.tree, heading('pm.impact', t));
  const duration = r.cancelled ? t('pm.until_cancelled', { duration: formatDuration(600_000, t) }) : formatDuration(600_000, t);
  expect(listItems(impact).map(ownText)).toEqual([
    item(t('pm.service_impact_users', { service: shown(text('service')), duration, users: '1,200' })),
    item(t('pm.impact_figures')),
  ]);
  expect(cells(impact.find((b) => b.type === 'table')).slice(1)).toEqual([
    ['users', '1,200'],
    [r.impactKey, shown(text('impact value'))],
    ['ratio', '4.2'],
  ]);
}

function expectActionsAndLessons(r: Rendered, t: Translate): void {
  const { text, who } = r;
  const immediate = listItems(sectionOf(r.tree, heading('pm.immediate', t))).map(textOf);
  const status = (to: 'identified' | 'monitoring', field: string) => t('pm.immediate_status', { status: t(`word.status.${to}`), message: shown(text(field), ' / ') });
  expect(immediate).toEqual([
    item(t('pm.immediate_item', { time: '09:05', author: shown(who.alice.name), text: shown(text('note'), ' / ') })),
    item(t('pm.immediate_item', { time: '09:06', author: shown(who.alice.name), text: shown(text('key event'), ' / ') })),
    item(t('pm.immediate_item', { time: '09:07', author: shown(who.declarer.name), text: status('identified', 'status message') })),
    item(t('pm.immediate_item', { time: '09:09', author: shown(who.declarer.name), text: status('monitoring', 'monitoring message') })),
  ]);
  const horizon = (h: '1w' | '1m' | 'q') => listItems(sectionOf(r.tree, heading(`pm.horizon.${h}`, t))).map((i) => [i.checked, textOf(i)]);
  expect(horizon('1w')).toEqual([[false, item(t('pm.item', { check: ' ', id: 'A1', text: shown(text('action item')), owner: shown(who.chul.name) }))]]);
  expect(horizon('q')).toEqual([[false, item(t('pm.item', { check: ' ', id: 'A2', text: shown(text('second action item')), owner: t('word.unassigned') }))]]);

  const lessons = listItems(sectionOf(r.tree, heading('pm.lessons', t)));
  const lesson = (field: string, by: string) => item(t('pm.lesson_item', { text: shown(text(field), ' / '), name: shown(by) }));
  expect(lessons.slice(0, 3).map((l) => [ownText(l), nested(l).map(textOf)])).toEqual([
    [item(t('pm.went_well_head')), [lesson('lesson good', who.alice.name)]],
    [item(t('pm.went_badly_head')), [lesson('lesson bad', who.dana.name)]],
    [item(t('pm.got_lucky_head')), [lesson('lesson lucky', who.chul.name)]],
  ]);
  const marked = t('pm.lesson_marked_item', { text: shown(text('marked message'), ' / '), author: shown(who.alice.name), name: shown(who.chul.name) });
  expect(listItems(sectionOf(r.tree, heading('pm.to_sort', t))).map(textOf)).toEqual([item(marked), lesson('own marked message', who.alice.name)]);

  const last = r.tree.children?.at(-1) ?? none;
  // The review's line closes the file; a cancelled incident has none, so the footer does.
  if (r.cancelled) expect(textOf(last)).toBe(t('pm.footer', { date: '2025-12-26' }).replace(/_/g, ''));
  else expect(textOf(last)).toBe(t('pm.reviewed', { time: '2025-12-26 10:00', reviewers: `${shown(who.dana.name)}, ${shown(who.eve.name)}` }));
}

function expectReadable(r: Rendered, t: Translate): void {
  expectOverview(r, t);
  expectRootCauseAndImpact(r, t);
  expectActionsAndLessons(r, t);
  // The timeline is a code block: there every line is shown exactly as typed.
  const code = allNodes(r.tree).find((n) => n.type === 'code');
  for (const field of TIMELINE_FIELDS) {
    for (const line of r.text(field).split(/\r?\n|\r|\u2028/)) expect(code?.value, field).toContain(line.trim());
  }
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
      t('pm.overview'),
      t('pm.people'),
      ...(['pm.timeline', 'pm.root_cause', 'pm.impact', 'pm.immediate', 'pm.prevention'] as const).map((k) => t(k)),
      ...(['1w', '1m', 'q'] as const).map((h) => t(`pm.horizon.${h}`)),
      t('pm.lessons'),
      t('pm.to_sort'),
    ]);
    expect(benign.md).toContain(`| ${t('pm.summary')} | summary: DB down, rollback to v1.2 |`);
    for (const r of [benign, benignCancelled]) {
      expectStructureIntact(r, r);
      expectReadable(r, t);
    }
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
