import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentStore } from '../../src/core/ports.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, text } from '../support/paging.js';

/**
 * A scripted incident through the local workspace, real Redis and BullMQ, on the test's clock
 * (2025-12-26 09:00:00 in Seoul at the start): the postmortem's time to detect, to acknowledge
 * per tier, to mitigate and to resolve come out to the second.
 */

const SEC = 1000;
let app: TestApp;
afterEach(() => app?.close());

async function snapshot(store: IncidentStore) {
  const all = await store.list('local', { all: true });
  const events = await Promise.all(all.map((i) => store.events(i)));
  return { incidents: all.map((i) => [i.ref, i.version]), events: events.map((e) => e.length) };
}

const row = (md: string, label: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| ${label} |`))?.slice(label.length + 5, -2);

describe('postmortem durations', () => {
  it('measures detect, acknowledge per tier, mitigate and resolve to the second', async () => {
    app = await testApp(PAGING);
    await app.type('/as @carol');
    app.clock.advance(15 * SEC); // 09:00:15
    expect(text(await app.type('/incident declare Checkout down --sev P2 --started 08:51'))).toContain('Declared INC-1');
    app.clock.advance(105 * SEC); // 09:02:00
    await app.type('/incident sev P1 all checkouts fail');
    await app.advance(3 * MIN + 15 * SEC); // 09:05:15: tier 2 (dave) is paged
    app.clock.advance(63 * SEC); // 09:06:18: alice, of tier 1, answers
    await app.type('/as @alice');
    expect(text(await app.type('/incident ack'))).toContain('Acknowledged INC-1');
    await app.type('/as @carol');
    app.clock.advance(2 * MIN + 27 * SEC); // 09:08:45
    await app.type('/incident status monitoring rolled back 2.3.0');
    app.clock.advance(72 * SEC); // 09:09:57
    await app.type('/incident resolve errors back to 0.1%');
    await app.type('/incident action Alert on checkout error rate');
    const closed = text(await app.type('/incident close'));
    const pm = await readFile(/Postmortem draft: (\S+\.md)/.exec(closed)?.[1] ?? '', 'utf8');

    expect(row(pm, 'Time to detect')).toBe('9 min 15 s (impact began 2025-12-26 08:51, as given at declare)');
    expect(row(pm, 'Time to acknowledge (MTTA)')).toBe('6 min 3 s (first page 09:00, acknowledged 09:06 by alice)');
    expect(row(pm, 'Time to acknowledge per tier')).toBe('tier 1: 6 min 3 s (alice) · tier 2: not acknowledged (paged 09:05)');
    expect(row(pm, 'Time to mitigate (declared → monitoring)')).toBe('8 min 30 s (monitoring from 2025-12-26 09:08)');
    expect(row(pm, 'Duration (declared → resolved)')).toBe('9 min 42 s');
    expect(row(pm, 'Severity changes')).toBe('P2 → P1 at 2025-12-26 09:02');
    expect(pm).toMatch(/\| carol \| commander \| 09:00 \| 0 \|/);
    expect(pm).toMatch(/\| alice \| — \| 09:06 \| 0 \|/);
  });

  it('takes `--started 20m` as twenty minutes ago', async () => {
    app = await testApp(PAGING);
    app.clock.advance(42 * SEC);
    await app.type('/incident declare Search slow --sev P3 --started 20m');
    const inc = await app.deps.store.get({ workspace: 'local', number: 1 });
    expect(inc?.detectedAt).toBe('2025-12-25T23:40:42.000Z');
  });

  it('refuses a start in the future or one it cannot read, and writes nothing', async () => {
    app = await testApp(PAGING);
    const before = await snapshot(app.deps.store);
    expect(text(await app.type('/incident declare Checkout down --started 09:30'))).toContain(
      '`09:30` (2025-12-26 09:30 Asia/Seoul) has not happened yet: `--started` is when the impact began, so it must be in the past. For yesterday write the date, e.g. `2025-12-25T09:30`.',
    );
    expect(text(await app.type('/incident declare Checkout down --started yesterday-ish'))).toContain('`yesterday-ish` is not a start time.');
    expect(text(await app.type('/incident declare Checkout down --started 2025-12-26T10:00'))).toContain('has not happened yet');
    expect(await snapshot(app.deps.store)).toEqual(before);
    // No number was taken either: the next good declaration is INC-1.
    expect(text(await app.type('/incident declare Checkout down --started 2025-12-26T08:58'))).toContain('Declared INC-1');
  });
});
