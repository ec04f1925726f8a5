import { event, type EventBody, type IncidentEvent } from '../../src/core/events.js';
import type { Actor, Horizon, Incident, IncidentKey } from '../../src/core/model.js';
import type { IncidentStore } from '../../src/core/ports.js';
import { project } from '../../src/core/projection.js';
import type { StatsIndex, StatsRecord } from '../../src/core/stats-types.js';

/**
 * The data of the postmortem and stats bench: one long incident written to Redis as the bot
 * writes it (store.append, batches of events), and closed incidents' index records.
 */

const SECOND = 1000;
const MIN = 60 * SECOND;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A deterministic pseudo-random sequence (mulberry32), so every run builds the same data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE: Actor[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((n, i) => ({ id: `U${i + 1}`, name: n }));
/** Slack gives a command's user as `ualice` and a message's as `alice`: the postmortem's one-name rule has work to do. */
const ALIAS: Actor = { id: 'U1', name: 'ualice' };

/** The body of event number `i` of the long incident (after the opening ones). */
function bodyAt(i: number, n: number, rnd: () => number): EventBody {
  if (i === Math.floor(n * 0.2)) return { type: 'status_changed', from: 'investigating', to: 'identified', message: 'pool exhausted' };
  if (i === Math.floor(n * 0.6)) return { type: 'status_changed', from: 'identified', to: 'monitoring', message: 'rolled back' };
  if (i === Math.floor(n * 0.3)) return { type: 'severity_changed', from: 'P2', to: 'P1', reason: 'checkout down too' };
  const r = rnd();
  const text = `message ${i}: error rate ${(r * 50).toFixed(1)}% on shard ${i % 16}, see dashboard`;
  if (r < 0.7) return { type: 'message_posted', channelId: 'C1', messageId: `m${i}`, text };
  if (r < 0.8) return { type: 'note_added', text };
  if (r < 0.85) return { type: 'key_event', channelId: 'C1', messageId: `m${i}`, text };
  if (r < 0.9) return { type: 'update_posted', text };
  if (r < 0.905) return { type: 'action_added', item: { id: `A${i}`, text: `follow up ${i}`, horizon: (['1w', '1m', 'q'] as Horizon[])[i % 3] ?? '1m', owner: PEOPLE[i % PEOPLE.length] } };
  return { type: 'message_edited', channelId: 'C1', messageId: `m${i - 1}`, text: `${text} (edited)` };
}

/** The long incident's events: declared, paged, acknowledged, `n` in all, resolved and closed at the end. */
export function longIncidentEvents(n: number, start: Date): IncidentEvent[] {
  const rnd = random(7);
  const at = (i: number) => new Date(start.getTime() + i * SECOND);
  const [alice, bob] = [PEOPLE[0] as Actor, PEOPLE[1] as Actor];
  const events: IncidentEvent[] = [
    event({ type: 'declared', title: 'Checkout fails for card payments', summary: 'card payments fail', service: 'payments', severity: 'P2', private: false, detectedAt: new Date(start.getTime() - 6 * MIN).toISOString() }, ALIAS, at(0)),
    event({ type: 'role_assigned', role: 'commander', user: alice }, ALIAS, at(0)),
    event({ type: 'channel_created', channelId: 'C1', channelName: 'inc-1-checkout' }, alice, at(1)),
    event({ type: 'paged', users: [bob], generation: 1, step: 0, tier: 0, round: 0 }, alice, at(2)),
    event({ type: 'acknowledged', generation: 1, ttaMs: 250 * SECOND }, bob, at(252)),
  ];
  for (let i = events.length; i < n - 2; i++) events.push(event(bodyAt(i, n, rnd), PEOPLE[i % PEOPLE.length] as Actor, at(i + 300)));
  events.push(event({ type: 'resolved', summary: 'rolled back the deploy' }, alice, at(n + 300)), event({ type: 'closed' }, alice, at(n + 400)));
  return events;
}

/** Writes the events as the bot would (appends of `batch` events, state projected alongside). */
export async function writeIncident(store: IncidentStore, key: IncidentKey, events: readonly IncidentEvent[], batch = 500): Promise<Incident> {
  let state: Incident | null = null;
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const next: Incident = project(state, slice, key);
    if (!(await store.append(key, state?.version ?? 0, slice, next))) throw new Error('bench: append lost its compare-and-set');
    state = next;
  }
  if (!state) throw new Error('bench: no events');
  return state;
}

const SERVICES = ['payments', 'checkout', 'search', 'auth', 'orders', 'inventory', 'shipping', 'notifications', 'api', 'web'];
const SEVERITIES = ['P1', 'P2', 'P3', 'P3', 'P4', 'P4'];

/** `n` closed incidents spread over the `days` before `now`, with the mix of a busy team: 2% drills, 3% cancelled. */
export function statsRecords(n: number, now: Date, days: number): StatsRecord[] {
  const rnd = random(11);
  const span = days * DAY;
  return Array.from({ length: n }, (_, i): StatsRecord => {
    const declared = now.getTime() - span + Math.floor(((i + rnd()) / n) * span);
    const paged = rnd() < 0.9;
    const ackMs = Math.floor(rnd() * 40 * MIN);
    const ttr = Math.floor(10 * MIN + rnd() ** 3 * 3 * DAY);
    const resolved = declared + ttr;
    const followUps = Array.from({ length: Math.floor(rnd() * 4) }, () => {
      const due = resolved + (1 + Math.floor(rnd() * 60)) * DAY;
      const done = rnd() < 0.7 ? resolved + Math.floor(rnd() * 70 * DAY) : undefined;
      return { dueAt: new Date(due).toISOString(), ...(done !== undefined && done < now.getTime() ? { completedAt: new Date(done).toISOString() } : {}) };
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      ref: `INC-${i + 1}`,
      number: i + 1,
      severity: SEVERITIES[i % SEVERITIES.length] ?? 'P3',
      service: SERVICES[Math.floor(rnd() * SERVICES.length)] ?? 'api',
      declaredAt: iso(declared),
      ...(rnd() < 0.4 ? { detectedAt: iso(declared - 5 * MIN), timeToDetectMs: 5 * MIN } : {}),
      ...(paged ? { firstPagedAt: iso(declared), acknowledgedAt: iso(declared + ackMs), timeToAckMs: ackMs } : {}),
      resolvedAt: iso(resolved),
      timeToResolveMs: ttr,
      closedAt: iso(resolved + HOUR),
      drill: rnd() < 0.02,
      cancelled: rnd() < 0.03,
      ...(rnd() < 0.6 ? { postmortemReviewedAt: iso(resolved + Math.floor(rnd() * 96 * HOUR)) } : {}),
      followUps,
    };
  });
}

/** Writes the records into the index, `concurrency` puts in flight. */
export async function writeRecords(index: StatsIndex, workspace: string, records: readonly StatsRecord[], concurrency = 64): Promise<void> {
  for (let i = 0; i < records.length; i += concurrency) await Promise.all(records.slice(i, i + concurrency).map((r) => index.put(workspace, r)));
}
