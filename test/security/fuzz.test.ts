import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toDiscordText } from '../../src/adapters/discord/render.js';
import { renderMessage } from '../../src/adapters/local/render.js';
import { testApp, type TestApp } from '../support/app.js';
import { describeInput, fuzzInput, inputText, reactionInput, type FuzzInput, type ReactionInput } from './fuzz-inputs.js';
import { CONFIG, changes, channelOf, closeWorld, newWorld, openIncident, privateLeak, quiet, send, snapshot, type World } from './fuzz-world.js';

/**
 * Issue 9, "what must hold" 9: random command text, random Unicode and random sizes sent through
 * dispatch on the local workspace (real Redis, real BullMQ) against a realistic state: an open
 * incident with a channel whose tier 1 is paged, a private one, a rotation with a manager, an
 * admin (fuzz-world.ts). For every input: no exception escapes, the answer is never the
 * unexpected-error one and nothing is logged as an error, a refused command writes nothing (no
 * Redis key, no message), no input takes more than 100 ms; besides, what the terminal shows never
 * holds a JavaScript value's name, and the private incident's title reaches only its people.
 * Reactions on the local workspace get the same treatment, but for the writes.
 *
 * Seeded, so a failure replays: FUZZ_SEED and FUZZ_RUNS override the defaults for longer local
 * runs (`FUZZ_SEED=7 FUZZ_RUNS=2000 npx vitest run test/security/fuzz.test.ts`).
 */

const SEED = Number(process.env.FUZZ_SEED || 20260109);
const RUNS = Number(process.env.FUZZ_RUNS || 300);
/** The bound on any one input. */
const BOUND_MS = 100;
/** The first runs of a world load modules, compile regexes and warm connections: not what a user waits for. */
const WARM_UP = 10;
/** A fresh world every so many runs: the key space stays small and no 5-minute escalation timer comes due in real time. */
const RECYCLE = 250;
/** error.unexpected, and error.busy: one person typing one line at a time never conflicts with anything. */
const UNEXPECTED = /something went wrong|too many changes at once/i;

let world: World | undefined;
const tally = { accepted: 0, refused: 0, slowest: { ms: 0, input: '' } };
afterAll(() => world && closeWorld(world));

async function currentWorld(): Promise<World> {
  if (!world || world.runs >= RECYCLE) {
    if (world) await closeWorld(world);
    world = await newWorld();
  }
  world.runs++;
  return world;
}

const errorLines = (w: World, from: number) => w.app.log.lines.slice(from).filter((l) => l.level === 'error');
/** Error lines as text: an Error in a log line's data stringifies to {}. */
const logged = (lines: ReturnType<typeof errorLines>) =>
  JSON.stringify(lines.map(({ msg, data }) => ({ msg, ...data, err: String((data as { err?: unknown }).err) }))).slice(0, 1500);

/** A JavaScript value's own name in what people read: user text was used as a lookup key. */
function junkIn(shown: string): string | null {
  const junk = /\[native code\]|\[object \w+\]/.exec(shown);
  return junk ? JSON.stringify(shown.slice(Math.max(0, junk.index - 60), junk.index + 60)) : null;
}

/**
 * The bound: no input takes more than 100 ms. On the loaded 2-core CI machine one run can
 * be slow for reasons of its own, so a slow input is sent once more and fails only if it is slow
 * again (a refusal is the same input again; an accepted command meets the state it left).
 */
async function withinBound(w: World, firstMs: number, again: () => Promise<number>): Promise<string | null> {
  if (w.runs <= WARM_UP || firstMs <= BOUND_MS) return null;
  const ms = await again();
  await quiet(w);
  return ms > BOUND_MS ? `took ${firstMs.toFixed(0)} ms, then ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)` : null;
}

/** One command line, with everything that must hold for it; throws with the input described when something does not. */
async function check(input: FuzzInput): Promise<void> {
  const w = await currentWorld();
  const channelId = await channelOf(w, input.channel);
  const before = await snapshot(w);
  const logFrom = w.app.log.lines.length;
  const timed = async () => {
    w.ran = false;
    const started = performance.now();
    const reply = await send(w, input.user, channelId, inputText(input));
    return { reply, ms: performance.now() - started };
  };
  const { reply, ms } = await timed();
  const fail = (what: string) => new Error(`${what}\n  input: ${describeInput(input)}\n  reply: ${JSON.stringify(reply?.text?.slice(0, 300))}`);
  if (typeof reply?.text !== 'string' || reply.text.length === 0) throw fail('no answer');
  if (UNEXPECTED.test(reply.text)) throw fail(`unexpected-error reply; log: ${logged(errorLines(w, logFrom))}`);
  tally[w.ran ? 'accepted' : 'refused']++;
  if (w.runs > WARM_UP && ms > tally.slowest.ms) tally.slowest = { ms, input: describeInput(input).slice(0, 300) };
  if (w.ran) {
    // Work an accepted command started in the background (DMs, the relay) must not be taken for a write by the next refusal.
    await quiet(w);
  } else {
    const changed = changes(before, await snapshot(w));
    if (changed.length > 0) throw fail(`a refused command wrote something: ${changed.join('; ')}`);
  }
  const shown = [...renderMessage(reply, { color: false, channelName: (id) => id }), ...w.app.output.slice(before.chat.printed)].join('\n');
  const junk = junkIn(shown);
  if (junk) throw fail(`shown as ${junk}`);
  const leak = await privateLeak(w, input.user, channelId, reply.text);
  if (leak) throw fail(leak);
  const errors = errorLines(w, logFrom);
  if (errors.length > 0) throw fail(`logged an error: ${logged(errors)}`);
  const slow = await withinBound(w, ms, async () => (await timed()).ms);
  if (slow) throw fail(slow);
}

/** The id of the message a reaction goes on. */
function messageFor(w: World, target: ReactionInput['target'], incidentChannel: string): string {
  if (target === 'missing') return 'm999999';
  const channel = target === 'page' ? 'dm-alice' : incidentChannel;
  return [...w.app.chat.messages.values()].filter((m) => m.channelId === channel).at(-1)?.id ?? 'm999999';
}

/** One reaction typed in the terminal (`/react <id> <emoji>`): no unexpected error, no junk, within the bound. */
async function checkReaction(r: ReactionInput): Promise<void> {
  const w = await currentWorld();
  const incident = await openIncident(w, false);
  const line = `/react ${messageFor(w, r.target, incident.channelId!)} ${r.emoji}`;
  await w.app.terminal.handleLine(`/as @${r.user}`);
  const from = w.app.output.length;
  const logFrom = w.app.log.lines.length;
  const react = async () => {
    const started = performance.now();
    await w.app.terminal.handleLine(line);
    return performance.now() - started;
  };
  const ms = await react();
  await quiet(w);
  const shown = w.app.output.slice(from).join('\n');
  const fail = (what: string) => new Error(`${what}\n  input: as @${r.user}: ${JSON.stringify(line.slice(0, 200))}\n  shown: ${JSON.stringify(shown.slice(0, 300))}`);
  if (UNEXPECTED.test(shown)) throw fail(`unexpected-error answer; log: ${logged(errorLines(w, logFrom))}`);
  const junk = junkIn(shown);
  if (junk) throw fail(`shown as ${junk}`);
  if (errorLines(w, logFrom).length > 0) throw fail(`logged an error: ${logged(errorLines(w, logFrom))}`);
  const slow = await withinBound(w, ms, react);
  if (slow) throw fail(slow);
}

/** fc.check with a failure message that names the seed and the shrunk input, not a 100 KB dump of it. */
async function holds<T>(arbitrary: fc.Arbitrary<T>, each: (input: T) => Promise<void>, numRuns: number): Promise<void> {
  // Each property starts from a world of its own: what one left behind is no input of the other.
  if (world) await closeWorld(world);
  world = undefined;
  const result = await fc.check(fc.asyncProperty(arbitrary, each), { seed: SEED, numRuns, endOnFailure: false });
  if (!result.failed) return;
  const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  throw new Error(`fuzz failed (seed ${result.seed}, path "${result.counterexamplePath}", after ${result.numRuns} runs, ${result.numShrinks} shrinks):\n${error}`);
}

describe('fuzzing the local workspace (issue 9)', () => {
  it(`holds for ${RUNS} random command lines through dispatch (seed ${SEED})`, async () => {
    const started = performance.now();
    await holds(fuzzInput, check, RUNS);
    const { accepted, refused, slowest } = tally;
    // How deep the runs went and how close to the bound: worth a glance when changing the generator.
    console.log(`[fuzz] seed ${SEED}: ${RUNS} runs in ${((performance.now() - started) / 1000).toFixed(1)} s; ${accepted} accepted, ${refused} refused; slowest ${slowest.ms.toFixed(1)} ms: ${slowest.input}`);
  }, 600_000);

  it(`holds for ${Math.ceil(RUNS / 5)} random reactions (seed ${SEED})`, async () => {
    await holds(reactionInput, checkReaction, Math.ceil(RUNS / 5));
  }, 600_000);
});

/** Shrunk counterexamples the fuzz found, kept as plain tests (each failed on main when found). */
describe('what the fuzz found', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('shows a title with an emoji short code named after a JavaScript property as typed, not as "function Object() { [native code] }"', async () => {
    app = await testApp();
    const out = (await app.type('/incident declare :constructor: and :__proto__:')).join('\n');
    expect(out).toContain(':constructor: and :__proto__:');
    expect(junkIn(out)).toBeNull();
    // Discord renders short codes with the same kind of table.
    expect(toDiscordText('*:constructor:* :__proto__:')).toBe('**:constructor:** :__proto__:');
  });

  it('answers a reaction named constructor or __proto__ on a page DM without an unexpected error, and ✅ still acknowledges', async () => {
    app = await testApp(CONFIG);
    await app.type('/as @carol');
    await app.type('/incident declare DB down --sev P1');
    const dm = [...app.chat.messages.values()].filter((m) => m.channelId === 'dm-alice').at(-1);
    expect(dm).toBeDefined();
    await app.type('/as @alice');
    for (const emoji of ['constructor', ':__proto__:']) {
      expect((await app.type(`/react ${dm?.id} ${emoji}`)).join('\n')).not.toMatch(UNEXPECTED);
    }
    expect(app.log.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect((await app.type(`/react ${dm?.id} ✅`)).join('\n')).toContain('Acknowledged INC-1. Escalation stopped.');
  });
});
