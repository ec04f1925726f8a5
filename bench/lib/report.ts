import { availableParallelism, cpus, loadavg } from 'node:os';
import type { Print } from './env.js';

/** `Node v…, N CPU (model)`. */
export function nodeAndCpu(): string {
  return `Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model.trim() ?? '?'})`;
}

/** The 1, 5 and 15 minute load averages, two decimals each. */
export function loadAverages(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** A Markdown table: the first column left-aligned, the others right-aligned; '' prints an empty cell. */
export function printTable(print: Print, headers: string[], rows: (string | number)[][]): void {
  const line = (cells: (string | number)[]): string => `|${cells.map((c) => (c === '' ? ' ' : ` ${c} `)).join('|')}|`;
  print(line(headers));
  print(`|${headers.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`);
  for (const row of rows) print(line(row));
}
