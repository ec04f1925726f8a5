import type { AlertSourceConfig } from '../core/alerts/config.js';
import { alertFired, alertProse, alertText, decideAlerts, decideQuiet, isFiringOn, latestByFingerprint } from '../core/alerts/incident.js';
import { routeAlert } from '../core/alerts/routes.js';
import type { AlertBatch, AlertOutcome, IngestResult, NormalizedAlert } from '../core/alerts/types.js';
import { ConflictError } from '../core/errors.js';
import { event, type IncidentEvent } from '../core/events.js';
import type { Actor, Incident } from '../core/model.js';
import { isActive, isTerminal } from '../core/model.js';
import { decideStartEscalation } from '../core/paging.js';
import { BOT, project } from '../core/projection.js';
import type { AlertStore } from '../core/ports.js';
import { cutText, visibleTitle } from '../core/text.js';
import { isOpenPage } from '../core/escalation.js';
import { createIncident } from '../store/mutate.js';
import type { Deps } from './context.js';
import { pagingStart } from './declare.js';
import { outboxOptions, record, runInBackground, wallMs } from './record.js';

/**
 * Alerts in: each delivery's alerts go to the incident their group is bound to, or open one.
 *
 * - A group (Alertmanager/Grafana `groupKey`, an event's `dedup_key`) is bound to one incident by
 *   an atomic claim that also allocates its number (AlertStore.claimGroup): the same payload
 *   delivered four times, or twice at the same moment, opens one incident and pages once.
 * - While that incident is active, re-sends change nothing, a new alert of the group goes on its
 *   timeline (nobody is paged again), and resolves are recorded; the last resolve tells the channel
 *   (or resolves the incident, with the route's `autoResolve`).
 * - Once it is resolved, closed or cancelled, a new firing opens a new incident and the group moves on.
 * - Over the source's `limitPerMinute`, a group that would open an incident folds into the source's
 *   open one instead: nothing is dropped, nobody is paged for each group of a storm.
 *
 * A delivery is answered once it is recorded; the effects (channel, page DMs) run from the outbox.
 */

const TITLE_MAX = 150;

type Paging = Awaited<ReturnType<typeof pagingStart>>;

export function alertActor(source: AlertSourceConfig): Actor {
  return { id: BOT.id, name: source.id };
}

export async function ingestAlerts(deps: Deps, source: AlertSourceConfig, batch: AlertBatch): Promise<IngestResult> {
  const alerts = deps.alerts;
  if (!alerts) throw new Error('ingestAlerts: no alert store in deps');
  const run = new Delivery(deps, alerts, source, batch);
  // Deliveries of one group take turns in this process: each reads what the one before wrote,
  // instead of losing compare-and-set races to it and backing off (other processes still race,
  // and the compare-and-set keeps them right).
  await inLane(`${source.workspace}\n${source.id}\n${batch.groupKey}`, () => run.go());
  return run.result;
}

const lanes = new Map<string, Promise<void>>();

function inLane(key: string, work: () => Promise<void>): Promise<void> {
  const next = (lanes.get(key) ?? Promise.resolve()).then(work, work);
  const tail = next.catch(() => undefined);
  lanes.set(key, tail);
  void tail.then(() => lanes.get(key) === tail && lanes.delete(key));
  return next;
}

class Delivery {
  readonly result: IngestResult;
  private readonly ws: string;
  private readonly actor: Actor;
  private readonly list: NormalizedAlert[];

  constructor(
    private readonly deps: Deps,
    private readonly alerts: AlertStore,
    private readonly source: AlertSourceConfig,
    private readonly batch: AlertBatch,
  ) {
    this.result = { dedupKey: batch.groupKey, incidents: [], outcomes: {} };
    this.ws = source.workspace;
    this.actor = alertActor(source);
    this.list = latestByFingerprint(batch.alerts);
  }

  async go(): Promise<void> {
    const number = await this.alerts.groupIncident(this.ws, this.source.id, this.batch.groupKey);
    const incident = number ? await this.deps.store.get({ workspace: this.ws, number }) : null;
    if (this.batch.acknowledge) return this.acknowledge(incident);
    if (incident && isActive(incident.status)) return this.addTo(incident, this.list);
    if (number && !incident) return this.open(this.list, { number, fresh: false });
    // Resolved by hand (not yet closed): alerts it still lists as firing are re-sends, and resolves
    // go on its timeline. Closed or cancelled, or never seen: every firing opens the group's next
    // incident (an alert still firing after its incident was closed is a problem still there).
    const resend = (a: NormalizedAlert) => incident !== null && !isTerminal(incident.status) && isFiringOn(incident, a.fingerprint);
    const fresh = this.list.filter((a) => a.status === 'firing' && !resend(a));
    const old = this.list.filter((a) => !fresh.includes(a));
    if (incident && old.length) await this.addTo(incident, old);
    else this.count('duplicate', old.length);
    if (fresh.length) await this.openNew(fresh, incident?.number ?? null);
  }

  /** Records what these alerts change on the incident (a re-send changes nothing). */
  private async addTo(incident: Incident, list: readonly NormalizedAlert[], folded?: string): Promise<void> {
    const { after, events } = await record(this.deps, incident, (inc) => decideAlerts(inc, list, this.actor, this.deps.clock.now(), folded ? { folded } : {}), {
      current: incident,
      background: true,
    });
    this.touched(after);
    const fired = events.filter((e) => e.type === 'alert_fired').length;
    const resolved = events.filter((e) => e.type === 'alert_resolved').length;
    this.count(folded ? 'folded' : 'added', fired);
    this.count('resolved', resolved);
    this.count('duplicate', list.length - fired - resolved);
    await this.touch(after, list);
  }

  private async openNew(firing: NormalizedAlert[], replace: number | null): Promise<void> {
    const route = routeAlert(this.deps.config, this.source, firing[0] as NormalizedAlert);
    if (route.action === 'drop') return this.count('dropped', firing.length);
    // Over the source's limit (alerts of groups that would open an incident, a minute), a new
    // group folds into the source's latest open incident, unless it is more severe than that one
    // or that one is a triage page (no channel): those open as usual.
    const count = await this.alerts.countAlerts(this.source.id, firing.length, wallMs(this.deps));
    if (count > this.source.limitPerMinute) {
      const storm = await this.latestOpen();
      if (storm && !storm.triage && !moreSevere(this.deps, route.severity, storm.severity)) {
        const bound = await this.alerts.bindGroup(this.ws, this.source.id, this.batch.groupKey, storm.number);
        const target = bound === storm.number ? storm : await this.deps.store.get({ workspace: this.ws, number: bound });
        if (target && isActive(target.status)) return this.addTo(target, firing, bound === storm.number ? this.batch.groupKey : undefined);
      }
    }
    // The claim and the policy's first tier are read at once: neither needs the other.
    const [claim, paging] = await Promise.all([this.alerts.claimGroup(this.ws, this.source.id, this.batch.groupKey, replace), this.pagingFor(firing)]);
    return this.open(firing, claim, paging);
  }

  private pagingFor(firing: readonly NormalizedAlert[]) {
    const route = routeAlert(this.deps.config, this.source, firing.find((a) => a.status === 'firing') ?? (firing[0] as NormalizedAlert));
    return pagingStart(this.deps, this.ws, route.severity, route.service, this.deps.clock.now(), route.policy);
  }

  /** Opens the group's incident under the number its claim holds; a delivery that lost the race adds to the winner's. */
  private async open(firing: NormalizedAlert[], claim: { number: number; fresh: boolean }, paging?: Paging): Promise<void> {
    const key = { workspace: this.ws, number: claim.number };
    if (!claim.fresh) {
      const existing = await this.deps.store.get(key);
      if (existing) return this.addTo(existing, firing);
    }
    const live = firing.filter((a) => a.status === 'firing');
    if (!live.length) return this.count('duplicate', firing.length);
    const events = this.declaration(live, key.number, paging ?? (await this.pagingFor(live)));
    let created;
    try {
      created = await createIncident(this.deps.store, key, events, outboxOptions(this.deps));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Another delivery of the same group created it a moment ago: ours adds what it lacks.
      const winner = await this.deps.store.get(key);
      if (!winner) throw err;
      return this.addTo(winner, firing);
    }
    runInBackground(this.deps, created.entries ?? [], created.after);
    this.touched(created.after);
    this.count(created.after.triage ? 'paged' : 'opened', live.length);
    await this.touch(created.after, live);
  }

  /** The declaration, its alerts and tier 1's page: one append, like `/incident declare`. */
  private declaration(live: NormalizedAlert[], number: number, paging: Paging): IncidentEvent[] {
    const first = live[0] as NormalizedAlert;
    const route = routeAlert(this.deps.config, this.source, first);
    const now = this.deps.clock.now();
    const title = visibleTitle(alertText(this.batch.title ?? first.summary, TITLE_MAX)) ?? `${this.source.id} alert`;
    const summary = cutText(alertProse(first.description ?? ''), this.deps.config.limits.text, '…');
    const starts = live.flatMap((a) => (a.startsAt ? [Date.parse(a.startsAt)] : [])).filter((ms) => Number.isFinite(ms) && ms <= now.getTime());
    const declared = event(
      {
        type: 'declared',
        title,
        summary,
        severity: route.severity,
        private: false,
        ...(route.service ? { service: route.service } : {}),
        alert: { source: this.source.id, groupKey: cutText(this.batch.groupKey, 1024, '…'), autoResolve: route.autoResolve },
        ...(route.action === 'page' ? { triage: true as const } : {}),
        ...(starts.length ? { detectedAt: new Date(Math.min(...starts)).toISOString() } : {}),
      },
      this.actor,
      now,
    );
    const fired = live.map((a) => alertFired(a, this.actor, now));
    const draft = project(null, [declared, ...fired], { workspace: this.ws, number });
    const start = paging ? decideStartEscalation(draft, paging.policy.id, paging.snapshot, now, paging.overrides, (id) => paging.names.get(id) ?? id) : [];
    return [declared, ...fired, ...start];
  }

  /** The events API's acknowledge: the monitoring side took it; paging stops. */
  private async acknowledge(incident: Incident | null): Promise<void> {
    if (!incident || !isActive(incident.status)) return this.count('duplicate', this.list.length || 1);
    const { events } = await record(this.deps, incident, (inc) => decideSourceAck(inc, this.actor, this.deps.clock.now()), { current: incident, background: true });
    this.touched(incident);
    this.count(events.length ? 'acknowledged' : 'duplicate', 1);
  }

  private async latestOpen(): Promise<Incident | null> {
    const number = await this.alerts.latestIncident(this.ws, this.source.id);
    const inc = number ? await this.deps.store.get({ workspace: this.ws, number }) : null;
    return inc && isActive(inc.status) ? inc : null;
  }

  private async touch(inc: Incident, list: readonly NormalizedAlert[]): Promise<void> {
    if (this.source.resolveAfterQuietMs === undefined) return;
    const firing = list.filter((a) => a.status === 'firing').map((a) => a.fingerprint);
    await this.alerts.touch(this.ws, inc.number, firing, wallMs(this.deps));
  }

  private touched(inc: Incident): void {
    if (!this.result.incidents.includes(inc.ref)) this.result.incidents.push(inc.ref);
  }

  private count(outcome: AlertOutcome, n: number): void {
    if (n > 0) this.result.outcomes[outcome] = (this.result.outcomes[outcome] ?? 0) + n;
  }
}

/** Whether severity `a` ranks above `b` (severities are listed most severe first). */
function moreSevere(deps: Deps, a: string, b: string): boolean {
  const rank = (id: string) => deps.config.severities.findIndex((s) => s.id === id);
  return rank(a) < rank(b);
}

/** The source acknowledged (events API): every open page of the policy stands down. */
export function decideSourceAck(inc: Incident, actor: Actor, now: Date): IncidentEvent[] {
  const esc = inc.escalation;
  if (!esc || esc.phase !== 'paging' || !isActive(inc.status)) return [];
  const first = esc.pages[0]?.at ?? now.toISOString();
  const stoodDown = esc.pages.filter((p) => p.step >= 0 && isOpenPage(p)).map((p) => p.id);
  return [event({ type: 'acknowledged', generation: esc.generation, ttaMs: Math.max(0, now.getTime() - Date.parse(first)), ...(stoodDown.length ? { stoodDown } : {}) }, actor, now)];
}

/**
 * resolveAfterQuiet: alerts of sources that never send resolves count as resolved once they were
 * not heard of for that long. Runs in every process; each change is a compare-and-set on the
 * incident, so two processes sweeping at once record it once.
 */
export async function sweepQuietAlerts(deps: Deps): Promise<number> {
  const alerts = deps.alerts;
  const sources = deps.config.alertSources.filter((s) => s.resolveAfterQuietMs !== undefined);
  if (!alerts || !sources.length) return 0;
  let resolved = 0;
  for (const workspace of new Set(sources.map((s) => s.workspace))) {
    for (const inc of await deps.store.list(workspace, { limit: SWEPT_PER_WORKSPACE })) {
      const source = sources.find((s) => s.id === inc.alerts?.source && s.workspace === workspace);
      if (!source?.resolveAfterQuietMs || !isActive(inc.status)) continue;
      const seen = await alerts.lastSeen(workspace, inc.number);
      const quietMs = source.resolveAfterQuietMs;
      const now = () => new Date(wallMs(deps));
      const { events } = await record(deps, inc, (cur) => decideQuiet(cur, seen, quietMs, alertActor(source), now()), { current: inc, background: true });
      resolved += events.filter((e) => e.type === 'alert_resolved').length;
    }
  }
  return resolved;
}

/** Open incidents the quiet sweep looks at per workspace, newest first (the store's default is 50). */
const SWEPT_PER_WORKSPACE = 5_000;

/** The quiet sweep every minute (src/main.ts), until stopped. */
export function startAlertSweep(deps: Deps, everyMs = 60_000): { stop(): void } {
  const timer = setInterval(() => {
    void sweepQuietAlerts(deps).catch((err: Error) => deps.log.error({ err: err.message }, 'alert quiet sweep failed'));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
