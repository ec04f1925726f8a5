import { openRedis, scanKeys } from '../../src/infra/redis-connect.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentError } from '../../src/core/errors.js';
import { event } from '../../src/core/events.js';
import { decideCancel, decideClose, decideNote, decideResolve, declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident, IncidentKey } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import { createIncident, mutate } from '../../src/store/mutate.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { testRedis, testTarget, type TestRedis } from '../support/redis.js';

const alice: Actor = { id: 'U1', name: 'alice' };
const bob: Actor = { id: 'U2', name: 'bob' };
const now = new Date('2026-03-01T10:00:00Z');

let t: TestRedis;
let store: RedisIncidentStore;

beforeEach(async () => {
  t = await testRedis();
  store = new RedisIncidentStore(t.redis, t.prefix);
});
afterEach(async () => {
  await t.cleanup();
});

async function declare(workspace = 'T1', title = 'Checkout down'): Promise<Incident> {
  const number = await store.nextNumber(workspace);
  const events = declareEvents({ title, summary: 'errors', severity: 'P1', private: false }, alice, now);
  return (await createIncident(store, { workspace, number }, events)).after;
}

function keyOf(inc: Incident): IncidentKey {
  return { workspace: inc.workspace, number: inc.number };
}

describe('RedisIncidentStore', () => {
  it('round-trips a new incident: get returns the state, events the timeline in order', async () => {
    const inc = await declare();
    expect(inc.number).toBe(1);
    expect(await store.get(keyOf(inc))).toEqual(inc);
    const events = await store.events(keyOf(inc));
    expect(events.map((e) => e.type)).toEqual(['declared', 'role_assigned']);
    expect(project(null, events, keyOf(inc))).toEqual(inc);
    expect(await store.get({ workspace: 'T1', number: 99 })).toBeNull();
    expect(await store.events({ workspace: 'T1', number: 99 })).toEqual([]);
  });

  it('allocates numbers per workspace without reuse', async () => {
    expect([await store.nextNumber('A'), await store.nextNumber('A'), await store.nextNumber('B')]).toEqual([1, 2, 1]);
  });

  it('finds an incident by its channel once channel_created is recorded', async () => {
    const inc = await declare();
    expect(await store.findByChannel('T1', 'C42')).toBeNull();
    await mutate(store, keyOf(inc), () => [event({ type: 'channel_created', channelId: 'C42', channelName: 'inc-1' }, alice, now)]);
    const found = await store.findByChannel('T1', 'C42');
    expect(found?.number).toBe(inc.number);
    expect(found?.channelName).toBe('inc-1');
    expect(await store.findByChannel('T2', 'C42')).toBeNull();
  });

  it('rejects a stale version and writes nothing', async () => {
    const inc = await declare();
    const note = decideNote(inc, 'first', alice, now);
    expect(await store.append(keyOf(inc), inc.version, note, project(inc, note))).toBe(true);
    const stale = decideNote(inc, 'stale', bob, now);
    expect(await store.append(keyOf(inc), inc.version, stale, project(inc, stale))).toBe(false);
    expect(await store.events(keyOf(inc))).toHaveLength(3);
    expect((await store.get(keyOf(inc)))?.version).toBe(3);
    // A second create under a taken number is the same mismatch (expected 0, stored 3).
    await expect(createIncident(store, keyOf(inc), declareEvents({ title: 'x', summary: '', severity: 'P2', private: false }, bob, now))).rejects.toThrow();
    expect(await store.events(keyOf(inc))).toHaveLength(3);
  });

  it('lists newest first, open only unless all, honouring limit', async () => {
    const [one, two, three] = [await declare(), await declare(), await declare()];
    expect((await store.list('T1')).map((i) => i.number)).toEqual([3, 2, 1]);
    expect((await store.list('T1', { limit: 2 })).map((i) => i.number)).toEqual([3, 2]);
    await mutate(store, keyOf(two!), (c) => decideCancel(c, 'false alarm', alice, now));
    await mutate(store, keyOf(one!), (c) => decideResolve(c, 'rolled back', alice, now));
    // Resolved is still open (awaiting close); cancelled is not.
    expect((await store.list('T1')).map((i) => i.number)).toEqual([3, 1]);
    await mutate(store, keyOf(one!), (c) => decideClose(c, alice, now));
    expect((await store.list('T1')).map((i) => i.number)).toEqual([three!.number]);
    const all = await store.list('T1', { all: true });
    expect(all.map((i) => [i.number, i.status])).toEqual([
      [3, 'investigating'],
      [2, 'cancelled'],
      [1, 'closed'],
    ]);
    expect(await store.list('T-empty', { all: true })).toEqual([]);
  });

  it('serialises 50 concurrent writers: every note lands exactly once', async () => {
    const inc = await declare();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mutate(store, keyOf(inc), (c) => decideNote(c, `note ${i}`, i % 2 ? alice : bob, now))),
    );
    const events = await store.events(keyOf(inc));
    const notes = events.filter((e) => e.type === 'note_added');
    expect(notes).toHaveLength(50);
    expect(new Set(notes.map((e) => (e.type === 'note_added' ? e.text : ''))).size).toBe(50);
    const state = await store.get(keyOf(inc));
    expect(state?.version).toBe(events.length);
    expect(state?.version).toBe(52);
    expect(new Set(results.map((r) => r.after.version)).size).toBe(50);
    expect(project(null, events, keyOf(inc))).toEqual(state);
  });

  it('reads the same incident from a new connection, as after a bot restart', async () => {
    const inc = await declare();
    await mutate(store, keyOf(inc), (c) => decideNote(c, 'before restart', alice, now));
    const other = openRedis(testTarget());
    try {
      const restarted = new RedisIncidentStore(other, t.prefix);
      expect(await restarted.get(keyOf(inc))).toEqual(await store.get(keyOf(inc)));
      expect(await restarted.events(keyOf(inc))).toEqual(await store.events(keyOf(inc)));
      // The new process can keep writing: its script is loaded on first use.
      await mutate(restarted, keyOf(inc), (c) => decideNote(c, 'after restart', bob, now));
      expect((await store.get(keyOf(inc)))?.version).toBe(4);
    } finally {
      await other.quit();
    }
  });

  it('reads a long timeline across pages', async () => {
    const inc = await declare();
    let current = inc;
    const batch = Array.from({ length: 1200 }, (_, i) => event({ type: 'note_added', text: `n${i}` }, alice, now));
    const next = project(current, batch);
    expect(await store.append(keyOf(inc), current.version, batch, next)).toBe(true);
    current = next;
    const events = await store.events(keyOf(inc));
    expect(events).toHaveLength(1202);
    expect(events.slice(2).map((e) => (e.type === 'note_added' ? e.text : ''))).toEqual(batch.map((e) => e.text));
    expect(current.version).toBe(1202);
  });

  it('claims an idempotency key once', async () => {
    expect(await store.claim('slack:Ev123', 60)).toBe(true);
    expect(await store.claim('slack:Ev123', 60)).toBe(false);
    expect(await store.claim('slack:Ev124', 60)).toBe(true);
    expect(await t.redis.ttl(`${t.prefix}once:slack:Ev123`)).toBeGreaterThan(0);
  });

  it('writes nothing when decide refuses with an IncidentError', async () => {
    const inc = await declare();
    await mutate(store, keyOf(inc), (c) => decideCancel(c, undefined, alice, now));
    const before = await store.events(keyOf(inc));
    const refused = mutate(store, keyOf(inc), (c) => decideNote(c, 'too late', alice, now));
    await expect(refused).rejects.toBeInstanceOf(IncidentError);
    await expect(refused).rejects.toMatchObject({ code: 'incident_finished' });
    expect(await store.events(keyOf(inc))).toEqual(before);
    expect((await store.get(keyOf(inc)))?.version).toBe(before.length);
  });

  it('decides on a caller\'s stale copy only when the store agrees, and judges refusals on the stored state', async () => {
    const stale = await declare();
    // Someone else resolves it after the caller read it: the stale copy says "investigating".
    await mutate(store, keyOf(stale), (c) => decideResolve(c, 'fixed', bob, now));
    // Closing is refused on the stale copy but legal on the stored state: it must go through.
    const closed = await mutate(store, keyOf(stale), (c) => decideClose(c, alice, now), { current: stale });
    expect(closed.after.status).toBe('closed');
    // A note decided on the stale copy is re-decided on the stored (closed) state and refused.
    await expect(mutate(store, keyOf(stale), (c) => decideNote(c, 'late', alice, now), { current: stale })).rejects.toMatchObject({
      code: 'incident_finished',
    });
    expect((await store.events(keyOf(stale))).map((e) => e.type)).toEqual(['declared', 'role_assigned', 'resolved', 'closed']);
  });

  it('writes events with an idempotency key once, atomically: a repeat writes nothing', async () => {
    const inc = await declare();
    const once = { key: 'msg:C1:1700000000.000100', ttlSeconds: 60 };
    const note = (c: Incident) => decideNote(c, 'seen once', alice, now);
    const first = await mutate(store, keyOf(inc), note, { once });
    const again = await mutate(store, keyOf(inc), note, { once });
    expect(first.duplicate).toBeUndefined();
    expect(again).toMatchObject({ duplicate: true, events: [] });
    expect((await store.events(keyOf(inc))).filter((e) => e.type === 'note_added')).toHaveLength(1);
    // The same key in another workspace is another key.
    const other = await declare('T2');
    expect((await mutate(store, keyOf(other), note, { once })).duplicate).toBeUndefined();
  });

  it('reports a missing incident and leaves an empty decision unwritten', async () => {
    await expect(mutate(store, { workspace: 'T1', number: 7 }, () => [])).rejects.toMatchObject({
      code: 'incident_not_found',
      details: { ref: 'INC-7' },
    });
    const inc = await declare();
    const r = await mutate(store, keyOf(inc), () => []);
    expect(r.after).toBe(r.before);
    expect(await store.events(keyOf(inc))).toHaveLength(2);
  });

  it('keeps workspaces with :, { and } in their ids apart', async () => {
    const names = ['a:b', 'a', 'a}:{b', '{a}', 'a%3Ab', '', ' ', 'a:b:1'];
    for (const ws of names) await declare(ws, `title ${JSON.stringify(ws)}`);
    for (const ws of names) {
      await mutate(store, { workspace: ws, number: 1 }, () => [event({ type: 'channel_created', channelId: 'C1', channelName: ws }, alice, now)]);
    }
    for (const ws of names) {
      const inc = await store.get({ workspace: ws, number: 1 });
      expect(inc?.workspace).toBe(ws);
      expect(inc?.title).toBe(`title ${JSON.stringify(ws)}`);
      expect((await store.findByChannel(ws, 'C1'))?.channelName).toBe(ws);
      expect(await store.list(ws, { all: true })).toHaveLength(1);
      expect(await store.events({ workspace: ws, number: 1 })).toHaveLength(3);
      expect(await store.nextNumber(ws)).toBe(2);
    }
    // Every key of a workspace carries exactly one hash tag, so Redis Cluster keeps them in one slot.
    const keys: string[] = [];
    for await (const batch of scanKeys(t.redis, `${t.prefix}inc:*`)) keys.push(...batch);
    for (const k of keys) expect(k.slice(t.prefix.length)).toMatch(/^inc:\{[^{}]+\}:[^{}]+$/);
  });
});
