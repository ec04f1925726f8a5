import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import type { IncidentStore } from '../../src/core/ports.js';
import { testApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeEach(async () => {
  app = await testApp({ services: [{ id: 'checkout' }, { id: 'search' }] });
});
afterEach(() => app.close());

const ws = 'local';
const text = (lines: string[]) => lines.join('\n');

async function declared(title = 'Checkout down'): Promise<string> {
  await app.type(`/incident declare ${title} --sev P1 --service checkout`);
  return app.terminal.state.channel;
}

/** Everything the store holds for the workspace: what a refused command must leave unchanged. */
async function snapshot(store: IncidentStore) {
  const all = await store.list(ws, { all: true });
  const events = await Promise.all(all.map((i) => store.events(i)));
  return { incidents: all.map((i) => [i.ref, i.version, i.status]), events: events.map((e) => e.length) };
}

describe('declare', () => {
  it('opens a channel, invites the declarer as commander, posts a summary and announces', async () => {
    const out = text(await app.type('/incident declare Checkout is down --sev p1 --service checkout'));
    expect(out).toContain('channel #inc-1-checkout-is-down created');
    expect(out).toContain('[#incidents · announcement');
    expect(out).toMatch(/INC-1 declared: Checkout is down · P1 · commander @alice/);
    expect(out).toMatch(/Commander\s+@alice/);
    expect(out).toContain('Declared INC-1: Checkout is down (P1). Channel: #inc-1-checkout-is-down');
    const inc = await app.deps.store.findByChannel(ws, 'inc-1-checkout-is-down');
    expect(inc).toMatchObject({ ref: 'INC-1', severity: 'P1', service: 'checkout', status: 'investigating', roles: { commander: { id: 'alice' } } });
    expect(inc?.summaryMessageId).toBeTruthy();
  });

  it('numbers incidents per workspace and keeps channel names unique', async () => {
    await app.type('/incident declare Same title');
    await app.type('/join #general');
    await app.type('/incident declare Same title');
    const list = await app.deps.store.list(ws);
    expect(list.map((i) => [i.ref, i.channelName])).toEqual([
      ['INC-2', 'inc-2-same-title'],
      ['INC-1', 'inc-1-same-title'],
    ]);
  });

  it('keeps the summary message current as the incident changes', async () => {
    await declared();
    app.clock.advance(5 * 60_000);
    const out = text(await app.type('/incident status identified bad deploy'));
    expect(out).toMatch(/m\d+ edited\] bot:[\s\S]*Status: investigating → identified/);
    // P1 expects an update every 30 minutes after the last one (00:05 UTC here).
    expect(out).toMatch(/Next update due: 2025-12-26 00:30 → 2025-12-26 00:35/);
  });
});

describe('bad input gets a short answer and writes nothing', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown subcommand', '/incident frobnicate', /Unknown subcommand `frobnicate`\. Try one of: declare, status/],
    ['missing title', '/incident declare --sev P1', /Missing a title\. Usage: `\/incident declare <title>/],
    ['bad severity', '/incident declare Checkout down --sev P9', /`P9` is not a severity\. Use one of: P1, P2, P3, P4\./],
    ['unknown service', '/incident declare Checkout down --service billing', /Unknown service `billing`\. Known services: checkout, search\./],
    ['unknown flag', '/incident declare Checkout down --severity P1', /Unknown option `--severity`/],
    [
      'outside an incident channel',
      '/incident note hello',
      /`\/incident note` works inside an incident channel, or anywhere when you name the incident: `\/incident note INC-1`\. Open incidents: INC-1 #inc-1-/,
    ],
    ['an unknown reference', '/incident resolve INC-99 fixed it', /^\s*There is no INC-99 in this workspace\. Open incidents: INC-1 #inc-1-checkout-down\.$/m],
    ['an unknown reference, any case', '/incident close inc-0', /^\s*There is no INC-0 in this workspace\. Open incidents: INC-1 #inc-1-checkout-down\.$/m],
  ];
  for (const [name, line, answer] of cases) {
    it(name, async () => {
      await declared();
      await app.type('/join #general');
      const before = await snapshot(app.deps.store);
      const out = text(await app.type(line));
      expect(out).toMatch(answer);
      expect(out).toContain('[only @alice sees this]');
      expect(await snapshot(app.deps.store)).toEqual(before);
    });
  }

  const inChannel: [string, string[], string, RegExp][] = [
    ['bad status', [], '/incident status fixed', /`fixed` is not a status you can set\. Use one of: investigating, identified, monitoring/],
    ['same status', [], '/incident status investigating', /INC-1 is already investigating\./],
    ['closing an unresolved incident', [], '/incident close', /INC-1 is still investigating\. Resolve it first/],
    ['status after resolve', ['/incident resolve rolled back'], '/incident status monitoring', /INC-1 is resolved; it cannot become monitoring\./],
    ['resolving twice', ['/incident resolve rolled back'], '/incident resolve again', /INC-1 is resolved; it cannot become resolved\./],
    ['anything after close', ['/incident resolve done', '/incident close'], '/incident note late', /INC-1 is closed; it takes no more changes\./],
    ['role without a person', [], '/incident role comms carol', /`carol` is not a person\. Mention them/],
    ['bad role', [], '/incident role boss @carol', /`boss` is not a role\. Use one of: commander, comms, scribe\./],
    ['bad horizon', [], '/incident action fix it --due tomorrow', /`tomorrow` is not a due horizon/],
    ['unknown action item', [], '/incident action done A7', /INC-1 has no action item A7/],
    ['empty note', [], '/incident note   ', /Missing some text\. Usage: `\/incident note \[INC-n\] <text>`/],
    ['an unknown reference inside an incident channel', [], '/incident resolve INC-7 fixed', /There is no INC-7 in this workspace\./],
    ['a reference and nothing else to note', [], '/incident note INC-1', /Missing some text\. Usage: `\/incident note \[INC-n\] <text>`/],
  ];
  for (const [name, setup, line, answer] of inChannel) {
    it(name, async () => {
      await declared();
      for (const s of setup) await app.type(s);
      const before = await snapshot(app.deps.store);
      const out = text(await app.type(line));
      expect(out).toMatch(answer);
      expect(await snapshot(app.deps.store)).toEqual(before);
    });
  }

  it('an unexpected error shows a ref that the log line carries too', async () => {
    await declared();
    const store = app.deps.store;
    app.deps.store = { ...bind(store), list: () => Promise.reject(new Error('disk on fire')) };
    const out = text(await app.type('/incident list'));
    const ref = /Something went wrong \(ref ([0-9a-f]{8})\)/.exec(out)?.[1];
    expect(ref).toBeDefined();
    const line = app.log.lines.find((l) => l.level === 'error');
    expect(line?.msg).toBe('command failed');
    expect(line?.data).toMatchObject({ ref, command: 'list', platform: 'local' });
    expect(out).not.toContain('disk on fire');
  });
});

function bind(store: IncidentStore): IncidentStore {
  const proto = Object.getPrototypeOf(store) as object;
  const out: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(proto)) {
    const v = (store as unknown as Record<string, unknown>)[name];
    if (typeof v === 'function' && name !== 'constructor') out[name] = (v as (...a: unknown[]) => unknown).bind(store);
  }
  return out as unknown as IncidentStore;
}

describe('the channel is the record', () => {
  it('captures every message in the incident channel with its author and time, and nothing from elsewhere', async () => {
    const channel = await declared();
    app.clock.set(new Date('2025-12-26T00:03:00Z'));
    await app.type('error rate is 89%');
    await app.type('/as @bob');
    app.clock.set(new Date('2025-12-26T00:04:00Z'));
    await app.type('restarting api-1');
    await app.type('/join #general');
    await app.type('lunch anyone?');
    const inc = await app.deps.store.findByChannel(ws, channel);
    const messages = (await app.deps.store.events(inc!)).filter((e) => e.type === 'message_posted');
    expect(messages.map((m) => [m.actor.id, m.at, 'text' in m ? m.text : ''])).toEqual([
      ['alice', '2025-12-26T00:03:00.000Z', 'error rate is 89%'],
      ['bob', '2025-12-26T00:04:00.000Z', 'restarting api-1'],
    ]);
    expect(inc?.participants.map((p) => p.id)).toEqual(['alice', 'bob']);
  });

  it('shows the timeline in order with who did what', async () => {
    await declared();
    app.clock.set(new Date('2025-12-26T00:10:00Z'));
    await app.type('/incident role scribe @carol');
    app.clock.set(new Date('2025-12-26T00:12:00Z'));
    await app.type('/incident note rolled back to v41');
    const out = text(await app.type('/incident timeline'));
    const order = ['declared', 'became scribe', 'note: rolled back to v41'].map((s) => out.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(out).toMatch(/00:12\s+@alice\s+note: rolled back to v41/);
  });

  it('records edits, deletions and 📌 key events, keeping what was said', async () => {
    const channel = await declared();
    app.clock.set(new Date('2025-12-26T00:05:00Z'));
    const [posted] = await app.type('rollback to v41 started');
    const id = /· (m\d+)\]/.exec(posted ?? '')?.[1] ?? '';
    await app.type(`/edit ${id} rollback to v40 started (v41 is bad too)`);
    await app.type(`/react ${id} 📌`);
    await app.type(`/react ${id} :pushpin:`);
    const [other] = await app.type('typo message');
    await app.type(`/delete ${/· (m\d+)\]/.exec(other ?? '')?.[1]}`);
    await app.type('/as @bob');
    expect(text(await app.type(`/edit ${id} hijacked`))).toContain('You can edit or delete only your own messages');
    const inc = await app.deps.store.findByChannel(ws, channel);
    const events = await app.deps.store.events(inc!);
    const texts = events.flatMap((e) => ('text' in e ? [[e.type, e.text]] : e.type === 'message_deleted' ? [[e.type, '']] : []));
    expect(texts).toEqual([
      ['message_posted', 'rollback to v41 started'],
      ['message_edited', 'rollback to v40 started (v41 is bad too)'],
      ['key_event', 'rollback to v40 started (v41 is bad too)'],
      ['message_posted', 'typo message'],
      ['message_deleted', ''],
    ]);
    const timeline = text(await app.type('/incident timeline'));
    expect(timeline).toContain('📌 key event: rollback to v40 started');
    expect(timeline).toContain('(deleted a message)');
  });
});

describe('an incident named by its reference (INC-n) works from anywhere', () => {
  async function incident(number: number) {
    const inc = await app.deps.store.get({ workspace: ws, number });
    if (!inc) throw new Error(`no INC-${number}`);
    return { inc, events: await app.deps.store.events(inc) };
  }

  it('status, note, resolve and close from a channel that is no incident channel are recorded on it', async () => {
    const channel = await declared();
    await app.type('/join #general');
    app.clock.set(new Date('2025-12-26T00:05:00Z'));
    const status = text(await app.type('/incident status inc-1 monitoring looks better'));
    expect(status).toContain('Done.');
    expect(status).toContain(`[#${channel}`);
    expect(text(await app.type('/incident note INC-1 seen from #general'))).toContain('Noted on the timeline of INC-1.');
    app.clock.set(new Date('2025-12-26T00:10:00Z'));
    expect(text(await app.type('/incident resolve INC-1 fixed it'))).toContain('Done.');
    const closed = text(await app.type('/incident close INC-1'));
    expect(closed).toMatch(/INC-1 is closed\. Postmortem draft: \S+/);
    expect(app.terminal.state.channel).toBe('general');

    const { inc, events } = await incident(1);
    expect(inc.status).toBe('closed');
    const recorded = events.filter((e) => ['status_changed', 'note_added', 'resolved', 'closed'].includes(e.type));
    expect(recorded.map((e) => ({ type: e.type, actor: e.actor.id, at: e.at }))).toEqual([
      { type: 'status_changed', actor: 'alice', at: '2025-12-26T00:05:00.000Z' },
      { type: 'note_added', actor: 'alice', at: '2025-12-26T00:05:00.000Z' },
      { type: 'resolved', actor: 'alice', at: '2025-12-26T00:10:00.000Z' },
      { type: 'closed', actor: 'alice', at: '2025-12-26T00:10:00.000Z' },
    ]);
    // The reference is taken off the arguments: none of the texts starts with it.
    expect(recorded[0]).toMatchObject({ from: 'investigating', to: 'monitoring', message: 'looks better' });
    expect(recorded[1]).toMatchObject({ text: 'seen from #general' });
    expect(recorded[2]).toMatchObject({ summary: 'fixed it' });
  });

  it("inside another incident's channel, the reference wins over the channel's incident", async () => {
    await declared('Checkout down');
    const second = await declared('Search slow');
    expect(second).toBe('inc-2-search-slow');
    expect(text(await app.type('/incident note INC-1 related to search?'))).toContain('Noted on the timeline of INC-1.');
    expect(text(await app.type('/incident resolve INC-1 done'))).toContain('Done.');
    const first = await incident(1);
    const other = await incident(2);
    expect(first.inc.status).toBe('resolved');
    expect(first.events.filter((e) => e.type === 'note_added')).toMatchObject([{ text: 'related to search?' }]);
    expect(other.inc.status).toBe('investigating');
    expect(other.events.some((e) => e.type === 'note_added' || e.type === 'resolved')).toBe(false);
  });

  it('without a reference the channel decides, and a reference later in the text is just text', async () => {
    await declared();
    expect(text(await app.type('/incident note see INC-3 for the same thing'))).toContain('Noted on the timeline of INC-1.');
    expect(text(await app.type('/incident resolve rolled back'))).toContain('Done.');
    const { inc, events } = await incident(1);
    expect(inc.status).toBe('resolved');
    expect(events.filter((e) => e.type === 'note_added' || e.type === 'resolved')).toMatchObject([
      { type: 'note_added', text: 'see INC-3 for the same thing' },
      { type: 'resolved', summary: 'rolled back' },
    ]);
  });

  it('reaches an incident whose channel could not be opened (a stranded incident)', async () => {
    const createChannel = app.chat.createChannel.bind(app.chat);
    app.chat.createChannel = () => Promise.reject(new PlatformError('missing_scope', 'permanent', undefined, 'add channels:manage'));
    const declare = text(await app.type('/incident declare Payments down --sev P1'));
    expect(declare).toContain('Declared INC-1: Payments down (P1). I could not open its channel yet and keep trying');
    expect(declare).toContain('`/incident status INC-1 identified …`');
    app.chat.createChannel = createChannel;
    expect((await incident(1)).inc.channelId).toBeUndefined();
    expect(app.terminal.state.channel).toBe('general');

    // Without the reference there is no channel to find it by; the answer says how to name it.
    const before = await snapshot(app.deps.store);
    expect(text(await app.type('/incident resolve fixed'))).toContain(
      '`/incident resolve` works inside an incident channel, or anywhere when you name the incident: `/incident resolve INC-1`. Open incidents: INC-1.',
    );
    expect(await snapshot(app.deps.store)).toEqual(before);

    expect(text(await app.type('/incident status INC-1 identified bad config push'))).toContain('Done.');
    expect(text(await app.type('/incident timeline inc-1'))).toMatch(/Timeline of INC-1: Payments down[\s\S]*identified/);
    expect(text(await app.type('/incident resolve INC-1 config reverted'))).toContain('Done.');
    expect(text(await app.type('/incident close INC-1'))).toMatch(/INC-1 is closed\. Postmortem draft: \S+/);
    const { inc, events } = await incident(1);
    expect(inc.status).toBe('closed');
    expect(inc.postmortemPath).toBeTruthy();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['status_changed', 'resolved', 'closed', 'postmortem_written']));
    expect(events.some((e) => e.type === 'channel_created')).toBe(false);
  });
});
