import { neutralText } from '../src/adapters/slack/translate.js';
import { splitArgs, tokenize } from '../src/core/args.js';
import { cleanText, cleanTitle } from '../src/core/text.js';
import { runAsMain } from './lib/main.js';
import { loadAverages, nodeAndCpu, printTable } from './lib/report.js';
import { fmt, msSince, stats } from './lib/stats.js';

/**
 * How long the text every command and Slack message goes through takes on hostile input, next
 * to `String.prototype.split(/\s+/)` on the same input as a floor (one linear regex pass that
 * allocates the pieces). Issue 9 found the tokenizer quadratic on quotes (100 KB of `"` took
 * 0.46 s, 1 MB never finished) and the Slack mention rewrite at 3.5 s on 100 KB; linear code
 * stays within a small factor of the floor at both sizes, and 1 MB costs about 10× 100 KB.
 *
 * `npx tsx bench/tokenizer.ts`. Env: BENCH_RUNS (7 timed runs per row, the median is printed).
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const INPUTS: Record<string, (n: number) => string> = {
  'quotes "': (n) => '"'.repeat(n),
  'mixed quotes and spaces': (n) => `"a b" c='d e' “f” don't --x="y z" `.repeat(Math.ceil(n / 34)).slice(0, n),
  'words': (n) => 'checkout down '.repeat(Math.ceil(n / 14)).slice(0, n),
  'unclosed mentions <@A|': (n) => '<@A|'.repeat(Math.ceil(n / 4)).slice(0, n),
};

const SUBJECTS: Record<string, (s: string) => unknown> = {
  'split(/\\s+/) (floor)': (s) => s.split(/\s+/),
  tokenize: (s) => tokenize(s),
  'splitArgs (declare)': (s) => splitArgs(s.replace(/--x=/g, '--summary='), { summary: 'value', sev: 'value', service: 'value', private: 'boolean' }, 'usage.declare'),
  'neutralText (Slack)': (s) => neutralText(s),
  'cleanText + cleanTitle': (s) => cleanTitle(cleanText(s)),
};

function median(run: () => unknown): number {
  run(); // warm-up: the first call pays for compilation
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(msSince(start));
  }
  return stats(samples).p50;
}

export async function tokenizerBench(): Promise<void> {
  const print = (line: string) => console.log(line);
  print('## Tokenizer and mention handling on large input');
  print('');
  print(`${nodeAndCpu()}; ${loadAverages()}; median of ${RUNS} runs, ms.`);
  print('');
  const rows: string[][] = [];
  for (const [inputName, make] of Object.entries(INPUTS)) {
    const small = make(100_000);
    const big = make(1_000_000);
    for (const [name, subject] of Object.entries(SUBJECTS)) {
      const a = median(() => subject(small));
      const b = median(() => subject(big));
      rows.push([inputName, name, fmt(a), fmt(b), fmt(b / a, 1)]);
    }
  }
  printTable(print, ['input', 'code', '100 KB', '1 MB', '1 MB / 100 KB'], rows);
}

runAsMain(import.meta.url, tokenizerBench);
