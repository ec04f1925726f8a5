import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/**
 * Markdown as a reader's renderer sees it: micromark with GFM passes the CommonMark and GFM spec
 * suites, so what it parses is what GitHub, GitLab and editor previews show.
 */

/** The mdast fields the tests look at. */
export interface MdNode {
  type: string;
  value?: string;
  url?: string;
  depth?: number;
  ordered?: boolean | null;
  checked?: boolean | null;
  children?: MdNode[];
  position?: { start: { line: number }; end: { line: number } };
}

export function parseMarkdown(md: string): MdNode {
  return fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }) as MdNode;
}

/** Every node of the tree, depth first. */
export function allNodes(node: MdNode): MdNode[] {
  return [node, ...(node.children ?? []).flatMap(allNodes)];
}

/** The text a reader sees in a node (emphasis and code flattened). */
export function textOf(node: MdNode): string {
  return node.value ?? (node.children ?? []).map(textOf).join('');
}

/**
 * The tree's structure without its words: block and inline node types, heading depths, list kinds
 * and task boxes. Runs of text count as one, so two documents that differ only in what people
 * typed have the same shape.
 */
export function shape(node: MdNode): string {
  if (node.type === 'text') return 'text';
  const kids = (node.children ?? []).map(shape).filter((s, i, all) => !(s === 'text' && all[i - 1] === 'text'));
  const attrs = [node.depth, node.ordered, node.checked].filter((a) => a !== undefined && a !== null).join(',');
  return `${node.type}${attrs ? `[${attrs}]` : ''}${kids.length ? `(${kids.join(' ')})` : ''}`;
}

/** The top-level blocks from `heading` to the next heading of the same or a higher level. */
export function sectionOf(root: MdNode, startsWith: string): MdNode[] {
  const blocks = root.children ?? [];
  const start = blocks.findIndex((b) => b.type === 'heading' && textOf(b).startsWith(startsWith));
  if (start < 0) throw new Error(`no heading ${startsWith}`);
  const depth = blocks[start]?.depth ?? 1;
  const end = blocks.findIndex((b, i) => i > start && b.type === 'heading' && (b.depth ?? 9) <= depth);
  return blocks.slice(start + 1, end < 0 ? undefined : end);
}
