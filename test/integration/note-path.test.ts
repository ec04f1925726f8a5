import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxEntries } from '../../src/app/record.js';
import { runEntries } from '../../src/app/relay.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * The note path cut to three round trips (docs/performance.md, "Replicas and Redis Cluster"):
 * the channel's incident is read in one script, and the note line's sent mark goes out with its
 * outbox completion. What must still hold: the line is posted once, and a relay that runs the
 * same entry again (its writer's lease ran out meanwhile) posts nothing.
 */

let app: TestApp;
beforeEach(async () => {
  app = await testApp({}, new Date('2025-12-26T00:00:00Z'), { relay: false });
});
afterEach(() => app.close());

const ws = 'local';

describe('a note', () => {
  it('is posted once, and an entry run again by another relay posts nothing more', async () => {
    await app.type('/incident declare Checkout down --sev P2');
    const channel = app.terminal.state.channel;
    const out = await app.type('/incident note checked the dashboards, p99 still high');
    expect(out.filter((l) => l.includes('📝 @alice: checked the dashboards, p99 still high'))).toHaveLength(1);
    expect(out.join('\n')).toContain('Noted on the timeline of INC-1.');
    // Answered only once the entry is done: nothing is left for a relay.
    expect(await app.deps.outbox.pending(ws)).toBe(0);

    const inc = await app.deps.store.findByChannel(ws, channel);
    expect(inc).toMatchObject({ ref: 'INC-1', channelId: channel });
    const events = await app.deps.store.events(inc!);
    const entries = outboxEntries(app.deps, inc!, events.slice(-1));
    expect(entries.map((e) => e.effect.kind)).toContain('post');
    const from = app.output.length;
    await runEntries(app.deps, entries);
    expect(app.output.slice(from).join('\n')).not.toContain('checked the dashboards');
  });

  it("is held to its own bot's text limit, whatever limit another bot in the same process has", async () => {
    // The note schema is built once per limit and kept: two limits must not share one.
    const strict = await testApp({ limits: { text: 100 } }, new Date('2025-12-26T00:00:00Z'), { relay: false });
    try {
      await app.type('/incident declare Checkout down --sev P2');
      await strict.type('/incident declare Checkout down --sev P2');
      const long = 'x'.repeat(150);
      expect((await app.type(`/incident note ${long}`)).join('\n')).toContain('Noted on the timeline of INC-1.');
      const refused = (await strict.type(`/incident note ${long}`)).join('\n');
      expect(refused).toContain('at most 100 characters (yours has 150)');
      expect(refused).not.toContain('Noted on the timeline');
    } finally {
      await strict.close();
    }
  });

  it('in a channel that is no incident is refused, naming the open incidents', async () => {
    await app.type('/incident declare Checkout down --sev P2');
    await app.type('/join #general');
    const out = (await app.type('/incident note checked the dashboards')).join('\n');
    expect(out).toContain('INC-1');
    expect(out).not.toContain('Noted on the timeline');
  });
});
