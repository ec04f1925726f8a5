import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { neutralText } from '../../src/adapters/slack/translate.js';
import { splitArgs, tokenize } from '../../src/core/args.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * Issue 9, finding 7: the argument tokenizer was quadratic on quotes (100 KB of `"` took 0.46 s,
 * 1 MB never finished) and the Slack mention rewrite took 3.5 s on a 100 KB message, on every
 * message event. The fix is checked for correctness on 1 MB inputs; the figures live in
 * bench/tokenizer.ts. The only timed bounds are the generous ones issue 9 itself asks for ("a
 * test with 1 MB inputs finishes in well under a second"), marked where they are.
 */

/** The tokenizing rule as it was written before, one character at a time: the reference for what the linear one must return. */
function referenceTokenize(text: string): string[] {
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”' };
  const tokens: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (closing[ch] && (current === null || current.endsWith('='))) {
      quote = closing[ch] ?? null;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== null) tokens.push(current);
      current = null;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (current !== null) tokens.push(current);
  return tokens;
}

/** Issue 9 asks that 1 MB inputs finish "in well under a second"; 1 s is the generous bound for a loaded CI machine. */
const ISSUE_BOUND_MS = 1000;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

describe('tokenize', () => {
  it('splits exactly as the character-by-character rule does, on any mix of quotes, spaces, = and letters', () => {
    const alphabet = fc.constantFrom('"', "'", '“', '”', ' ', '\t', '\n', '=', '-', 'a', 'b', '\u00a0', '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')), (text) => {
        expect(tokenize(text)).toEqual(referenceTokenize(text));
      }),
      { seed: 9, numRuns: 3000 },
    );
  });

  it('reads 1 MB of `"` as one token of quotes (the first pair opens and closes an empty group)', () => {
    const input = '"'.repeat(1_000_000);
    const { value, ms } = timed(() => tokenize(input));
    expect(value).toHaveLength(1);
    expect(value[0]).toBe('"'.repeat(999_998));
    expect(ms).toBeLessThan(ISSUE_BOUND_MS); // issue 9's bound, see ISSUE_BOUND_MS
  });

  it('reads 1 MB of mixed quotes and spaces as the same tokens, repeated, as one unit of it', () => {
    const unit = `"a b" c='d e' “f g” don't --x="y z" "unclosed' ''=" `;
    const times = Math.ceil(1_000_000 / unit.length);
    const { value, ms } = timed(() => tokenize(unit.repeat(times)));
    const one = referenceTokenize(unit);
    expect(one).toEqual(['a b', 'c=d e', 'f g', "don't", '--x=y z', "unclosed' ''="]);
    expect(value).toHaveLength(one.length * times);
    expect(value.slice(0, one.length)).toEqual(one);
    expect(value.slice(-one.length)).toEqual(one);
    expect(ms).toBeLessThan(ISSUE_BOUND_MS); // issue 9's bound, see ISSUE_BOUND_MS
  });

  it('keeps an unclosed quote of 1 MB as one token', () => {
    const { value, ms } = timed(() => splitArgs(`--summary="${'x '.repeat(500_000)}`, { summary: 'value' }, 'usage.declare'));
    expect(value.flags.summary).toHaveLength(1_000_000);
    expect(ms).toBeLessThan(ISSUE_BOUND_MS); // issue 9's bound, see ISSUE_BOUND_MS
  });
});

describe('Slack mention rewrite', () => {
  it('leaves 1 MB of unclosed `<@A|` as it is, and still strips the labels of real mentions', () => {
    const noise = '<@A|'.repeat(250_000);
    const { value, ms } = timed(() => neutralText(`<@U1|alice> ${noise} <#C2|general> <@W3|>`));
    expect(value).toBe(`<@U1> ${noise} <#C2> <@W3>`);
    expect(ms).toBeLessThan(ISSUE_BOUND_MS); // issue 9's bound, see ISSUE_BOUND_MS
  });
});

describe('a 100 KB Slack message through the real Bolt app', () => {
  let app: SlackTestApp | undefined;
  afterEach(() => app?.close());

  it('is recorded, cut to limits.text with a marker, mentions rewritten, well under a second', async () => {
    app = await slackTestApp();
    const general = app.fake.workspace.channelByName('general')!;
    const sent = await app.send.command('declare Checkout errors --sev P2', { user: PEOPLE.carol, channel: general.id });
    await app.fake.waitForResponse(sent.responseUrl);
    await app.settle();
    const channel = app.fake.workspace.channelByName('inc-1-checkout-errors')!.id;
    const text = `<@${PEOPLE.alice}|alice> look: ${'<@A|'.repeat(25_000)}`;
    const start = performance.now();
    expect((await app.send.message({ user: PEOPLE.bob, channel, text })).status).toBe(200);
    await app.settle();
    const ms = performance.now() - start;
    const posted = (await app.events()).filter((e) => e.type === 'message_posted');
    const stored = posted.map((e) => (e.type === 'message_posted' ? e.text : ''));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toHaveLength(4000);
    expect(stored[0]).toMatch(new RegExp(`^<@${PEOPLE.alice}> look: (<@A\\|)+<?@?A?… \\(cut\\)$`));
    expect(ms).toBeLessThan(ISSUE_BOUND_MS); // issue 9's bound, see ISSUE_BOUND_MS
  });
});
