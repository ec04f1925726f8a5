import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeBlock, headingText, inline, prose, singleLine } from '../../src/core/markdown.js';
import { allNodes, parseMarkdown, textOf, type MdNode } from '../support/markdown-tree.js';

describe('inline', () => {
  it('leaves ordinary text as it is', () => {
    for (const text of [
      'DB down',
      'rollback to v1.2',
      'error rate 45% → 5%',
      'max-threads 200 → 400, Hikari 10 → 50, restarted',
      'orders_api and snake_case_names',
      'R&D on-call (EU) #5 failed: 1.2 rollback, -5 degrees',
      'Error rate 0.3%, P95 280 ms',
      '결제 서비스 장애 #3 (롤백 완료)',
      'C:\\temp dir',
    ]) {
      expect(inline(text)).toBe(text);
    }
  });

  it('escapes what would be markup or HTML where it stands', () => {
    expect(inline('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(inline('[click](javascript:alert(1))')).toBe('\\[click\\](javascript:alert(1))');
    expect(inline('a | b')).toBe('a \\| b');
    expect(inline('*bold* `code` ~~gone~~ _em_')).toBe('\\*bold\\* \\`code\\` \\~\\~gone\\~\\~ \\_em\\_');
    expect(inline('&lt; is typed, R&D is not')).toBe('&amp;lt; is typed, R&D is not');
    expect(inline('a \\| b and a trailing \\')).toBe('a \\\\\\| b and a trailing \\\\');
  });

  it('puts everything on one line, whatever the line ending', () => {
    expect(inline('one\n## two\r\nthree\rfour\u2028five')).toBe('one ## two three four five');
    expect(prose('one\n\n  - two  \nthree')).toBe('one / - two / three');
    expect(singleLine('  a\n b  ')).toBe('a b');
  });

  it('escapes a block marker at the start of the text', () => {
    expect(inline('# heading')).toBe('\\# heading');
    expect(inline('- list')).toBe('\\- list');
    expect(inline('+ list')).toBe('\\+ list');
    expect(inline('12. item')).toBe('12\\. item');
    expect(inline('3) item')).toBe('3\\) item');
    expect(inline('> quote')).toBe('&gt; quote');
    expect(inline('---')).toBe('\\---');
    expect(inline('===')).toBe('\\===');
    expect(inline('    code')).toBe('code');
  });
});

describe('headingText', () => {
  it('keeps a trailing # as text rather than a closing sequence', () => {
    expect(headingText('build #')).toBe('build \\#');
    expect(headingText('C# build ##')).toBe('C# build \\#\\#');
    expect(headingText('issue #5')).toBe('issue #5');
  });
});

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run in the body', () => {
    expect(codeBlock('plain', 'text')).toEqual(['```text', 'plain', '```']);
    expect(codeBlock('a ````` b\n```', 'text')).toEqual(['``````text', 'a ````` b\n```', '``````']);
  });
});

/**
 * Any text, in any context, parses back to exactly that text on one line: one paragraph, list
 * item, cell or heading, made of plain text only (a bare http or e-mail address may become a
 * link, as GFM does for any text). Characters are drawn mostly from Markdown's punctuation.
 */
describe('escaping against a real Markdown parser (property)', () => {
  const chars = [...'ab1 \t\n\r\u2028#-+*_=><![]()`~|\\&;.:/@^"\'{}$%hptwx.é한'];
  const text = fc.string({ unit: fc.constantFrom(...chars), maxLength: 40 });
  const expected = (s: string): string => singleLine(s).replace(/\0/g, '\uFFFD');
  const plainOnly = (node: MdNode | undefined): void => {
    const inlines = allNodes(node ?? { type: 'none' }).slice(1);
    for (const n of inlines) {
      if (n.type === 'link') expect(n.url).toMatch(/^(https?:|mailto:)/);
      else expect(n.type).toBe('text');
    }
  };
  const only = (root: MdNode, type: string): MdNode | undefined => {
    expect(root.children?.map((c) => c.type)).toEqual([type]);
    return root.children?.[0];
  };
  const params = { seed: 9008, numRuns: 200 };

  it('as a whole paragraph, first on its line', () => {
    fc.assert(
      fc.property(text, (s) => {
        fc.pre(expected(s) !== '');
        const p = only(parseMarkdown(`${inline(s)}\n`), 'paragraph');
        plainOnly(p);
        expect(textOf(p ?? { type: 'none' })).toBe(expected(s));
      }),
      params,
    );
  });

  it('as the content of a list item', () => {
    fc.assert(
      fc.property(text, (s) => {
        fc.pre(expected(s) !== '');
        const list = only(parseMarkdown(`- ${prose(s)}\n- next\n`), 'list');
        expect(list?.children).toHaveLength(2);
        const item = list?.children?.[0];
        expect(item?.children?.map((c) => c.type)).toEqual(['paragraph']);
        plainOnly(item?.children?.[0]);
        expect(textOf(item ?? { type: 'none' })).toBe(singleLine(s, ' / '));
      }),
      params,
    );
  });

  it('in a table cell', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const table = only(parseMarkdown(`| k | v |\n|---|---|\n| ${inline(a)} | ${inline(b)} |\n`), 'table');
        const cells = table?.children?.[1]?.children ?? [];
        expect(cells).toHaveLength(2);
        cells.forEach(plainOnly);
        expect(cells.map(textOf)).toEqual([expected(a), expected(b)]);
      }),
      params,
    );
  });

  it('in a heading', () => {
    fc.assert(
      fc.property(text, (s) => {
        const h = only(parseMarkdown(`# T ${headingText(s)}\n`), 'heading');
        plainOnly(h);
        expect(textOf(h ?? { type: 'none' })).toBe(`T ${expected(s)}`.trim());
      }),
      params,
    );
  });

  it('in a code block, shown verbatim', () => {
    fc.assert(
      fc.property(text, (s) => {
        const code = only(parseMarkdown(`${codeBlock(s, 'text').join('\n')}\n`), 'code');
        // Only the line ending before the closing fence is not content.
        expect(code?.value).toBe(`${s}\n`.replace(/\r?\n$/, ''));
      }),
      params,
    );
  });
});
