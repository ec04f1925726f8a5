import { afterEach, describe, expect, it } from 'vitest';
import { runStep } from '../../src/app/escalation.js';
import { acknowledge } from '../../src/app/reactions.js';
import type { IncidentEvent } from '../../src/core/events.js';
import type { IncidentStore } from '../../src/core/ports.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, PAGING, eventsOf, pageDms, text } from '../support/paging.js';

/**
 * Tier 2's step job racing alice's acknowledgement, in different orders. Whatever the order,
 * exactly one of two things happened and the record says which: the ack came first and the
 * step did nothing, or the step paged dave first and the ack stood his page down. Nobody is
 * paged after the ack, and dave got a page DM exactly when his page was recorded as sent.
 */

let app: TestApp;
afterEach(() => app?.close());

type Outcome = 'ack wins' | 'step pages';

interface Race {
  /** Runs both; `hold` pauses the next store call of one side until the other side is done. */
  run(step: () => Promise<void>, ack: () => Promise<unknown>, hold: Holds): Promise<void>;
  /** The outcome this order forces, when it forces one. */
  forces?: Outcome;
}

interface Holds {
  /** The step's first read of the incident waits until `until` settles. */
  stepRead(until: Promise<unknown>): void;
  /**
   * The first write of events matching `match` waits until `release()` (its compare-and-set then
   * loses to whatever was written meanwhile); `reached` settles when that write was attempted.
   */
  write(match: (events: readonly IncidentEvent[]) => boolean): { reached: Promise<void>; release(): void };
}

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pagesDave = (events: readonly IncidentEvent[]) => events.some((e) => e.type === 'paged' && e.step === 1);
const acks = (events: readonly IncidentEvent[]) => events.some((e) => e.type === 'acknowledged');

const RACES: Record<string, Race> = {
  'ack, then the step': { forces: 'ack wins', run: async (step, ack) => void (await ack(), await step()) },
  'step, then the ack': { forces: 'step pages', run: async (step, ack) => void (await step(), await ack()) },
  'both at once': { run: async (step, ack) => void (await Promise.all([step(), ack()])) },
  'the ack 2 ms into the step': { run: async (step, ack) => void (await Promise.all([step(), later(2).then(ack)])) },
  'the step 2 ms into the ack': { run: async (step, ack) => void (await Promise.all([ack(), later(2).then(step)])) },
  "both at once, the step's read held until the ack is in": {
    forces: 'ack wins',
    run: async (step, ack, hold) => {
      const acked = ack();
      hold.stepRead(acked);
      await Promise.all([step(), acked]);
    },
  },
  "the step decided, its write held until the ack is in": {
    forces: 'ack wins',
    run: async (step, ack, hold) => {
      const held = hold.write(pagesDave);
      const stepping = step();
      await held.reached;
      await ack();
      held.release();
      await stepping;
    },
  },
  "the ack decided on a stale read, its write held until the step paged": {
    forces: 'step pages',
    run: async (step, ack, hold) => {
      const held = hold.write(acks);
      const acking = ack();
      await held.reached;
      await step();
      held.release();
      await acking;
    },
  },
};

describe('a step racing an acknowledgement', () => {
  it('in every order: one outcome, consistent with the record; nobody paged after the ack', async () => {
    app = await testApp(PAGING);
    const store = app.deps.store;
    const realGet = store.get.bind(store);
    const realAppend = store.append.bind(store);
    await app.type('/as @carol');
    const outcomes: Record<string, Outcome> = {};

    for (const [n, [name, race]] of Object.entries(RACES).map((r, i) => [i + 1, r] as const)) {
      await app.type('/join #general');
      await app.type(`/incident declare Race ${n} --sev P1`);
      app.clock.advance(5 * MIN);
      const from = app.output.length;
      const key = { workspace: 'local', number: n };
      const incident = await realGet(key);
      const holds = installHolds(store, realGet, realAppend);
      await race.run(
        () => runStep(app.deps, { ...key, generation: 1, step: 1 }),
        () => acknowledge(app.deps, incident!, { id: 'alice', name: 'alice' }),
        holds,
      );
      store.get = realGet;
      store.append = realAppend;
      await app.settle();

      const events = await eventsOf(app, n);
      const at = events.findIndex((e) => e.type === 'acknowledged');
      const ack = events[at];
      expect(ack?.type === 'acknowledged' && ack.actor.id, name).toBe('alice');
      expect(events.filter((e) => e.type === 'acknowledged'), name).toHaveLength(1);
      expect(events.slice(at + 1).filter((e) => e.type === 'paged'), `${name}: paged after the ack`).toEqual([]);

      const stoodDown = ack?.type === 'acknowledged' ? (ack.stoodDown ?? []) : [];
      const ackWon = !pagesDave(events) && !stoodDown.includes('g1s1-dave');
      const stepPaged = pagesDave(events.slice(0, at)) && stoodDown.includes('g1s1-dave');
      expect([ackWon, stepPaged].filter(Boolean), `${name}: exactly one outcome`).toHaveLength(1);
      const outcome: Outcome = ackWon ? 'ack wins' : 'step pages';
      if (race.forces) expect(outcome, name).toBe(race.forces);
      outcomes[name] = outcome;

      // A DM to dave exactly when his page went out (it may have raced the ack), never twice.
      const out = text(app.output.slice(from));
      const sentAt = events.findIndex((e) => e.type === 'page_sent' && e.pageId === 'g1s1-dave');
      expect(pageDms(out, 'dave'), name).toHaveLength(sentAt === -1 ? 0 : 1);
      if (ackWon) expect(sentAt, name).toBe(-1);
      // Told to stand down only if his DM was out when alice acknowledged (a later one shows the outcome instead).
      const standDowns = out.match(/\[DM @dave · m\d+\] bot:\n\s+Stand down: @alice acknowledged/g) ?? [];
      expect(standDowns, name).toHaveLength(sentAt !== -1 && sentAt < at ? 1 : 0);
    }

    // Both outcomes really happened: the orders above are different interleavings, not one.
    expect(new Set(Object.values(outcomes))).toEqual(new Set(['ack wins', 'step pages']));
    const from = app.output.length;
    await app.advance(60 * MIN);
    expect(pageDms(text(app.output.slice(from)), 'manager')).toHaveLength(0);
    for (let n = 1; n <= Object.keys(RACES).length; n++) expect(await app.scheduler.pendingSteps('local', n)).toEqual([]);
  });
});

function installHolds(store: IncidentStore, realGet: IncidentStore['get'], realAppend: IncidentStore['append']): Holds {
  return {
    stepRead(until) {
      let held = false;
      store.get = async (key) => {
        if (!held) {
          held = true;
          await until;
        }
        return realGet(key);
      };
    },
    write(match) {
      let reached: () => void = () => {};
      let release: () => void = () => {};
      const out = { reached: new Promise<void>((r) => (reached = r)), release: () => release() };
      const released = new Promise<void>((r) => (release = r));
      let held = false;
      store.append = async (key, version, events, next, o) => {
        if (!held && match(events)) {
          held = true;
          reached();
          await released;
        }
        return realAppend(key, version, events, next, o);
      };
      return out;
    },
  };
}
