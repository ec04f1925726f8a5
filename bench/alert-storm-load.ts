import { Agent, request } from 'node:http';
import { forEachConcurrently } from './lib/pool.js';

/**
 * The monitoring side of bench/alert-storm.ts, in its own process as Alertmanager is in
 * production, so the bot's event loop pays only for what it would pay there: concurrent senders
 * POSTing Alertmanager webhook payloads (version 4) over kept-alive connections, each request
 * timed from its write to the end of its answer. Driven over IPC by the parent (`StormRequest`
 * / `StormReply`).
 */

export interface StormPlan {
  /** `http://127.0.0.1:<port>/alerts/<source>` */
  url: string;
  token: string;
  groups: number;
  alertsPerGroup: number;
  alertsPerRequest: number;
  senders: number;
  /** Names the groups and fingerprints apart from another storm's (a warm-up's). */
  tag: string;
}

export type StormRequest = { id: number; op: 'storm'; plan: StormPlan } | { id: number; op: 'stop' };

export interface StormResult {
  /** Each request's time from write to answer, ms, in order of request. */
  latencies: number[];
  /** How many requests got each status. */
  statuses: Record<string, number>;
  /** First write to last answer, ms. */
  wallMs: number;
  /** The incidents each group's answers named (200 answers of alertmanager sources). */
  incidentsByGroup: string[][];
}

export type StormReply = { op: 'ready' } | { id: number; ok: true; result?: StormResult } | { id: number; ok: false; error: string };

/** Header naming the request's group, so the bot's side can tell when a group was first received. */
export const GROUP_HEADER = 'x-bench-group';

/** Request `r` carries alerts `chunk·k … chunk·k + k − 1` of group `r mod groups`: every group opens in the first `groups` requests, then grows. */
export function requestsOf(plan: StormPlan): number {
  return plan.groups * Math.ceil(plan.alertsPerGroup / plan.alertsPerRequest);
}

export function payload(plan: StormPlan, r: number): { group: number; body: string } {
  const group = r % plan.groups;
  const chunk = Math.floor(r / plan.groups);
  const first = chunk * plan.alertsPerRequest;
  const last = Math.min(plan.alertsPerGroup, first + plan.alertsPerRequest);
  const alertname = `Storm${plan.tag}${group}`;
  const startsAt = '2025-06-05T13:35:00Z';
  const alerts = [];
  for (let a = first; a < last; a++) {
    const labels = { alertname, service: 'api', severity: 'critical', instance: `api-${a}:8080` };
    alerts.push({
      status: 'firing',
      labels,
      annotations: { summary: `API latency 281 ms on api-${a} (group ${group})`, description: 'p99 above 200 ms for 5 minutes.' },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.example.com:9090/graph?g0.expr=latency&group=${group}`,
      fingerprint: `${plan.tag}${(group * plan.alertsPerGroup + a).toString(16).padStart(12, '0')}`,
    });
  }
  const groupLabels = { alertname, service: 'api' };
  const body = {
    receiver: 'incident-bot',
    status: 'firing',
    alerts,
    groupLabels,
    commonLabels: { ...groupLabels, severity: 'critical' },
    commonAnnotations: { description: 'p99 above 200 ms for 5 minutes.' },
    externalURL: 'http://alertmanager.example.com:9093',
    version: '4',
    groupKey: `{}:{alertname="${alertname}", service="api"}`,
    truncatedAlerts: 0,
  };
  return { group, body: JSON.stringify(body) };
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every request of the plan, `senders` at a time, as fast as the server answers. */
export async function storm(plan: StormPlan): Promise<StormResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.senders });
  const url = new URL(plan.url);
  const n = requestsOf(plan);
  // Bodies built first: the senders time the HTTP exchange only.
  const bodies = Array.from({ length: n }, (_, r) => payload(plan, r));
  const latencies = new Array<number>(n).fill(NaN);
  const statuses: Record<string, number> = {};
  const byGroup = Array.from({ length: plan.groups }, () => new Set<string>());
  const t0 = performance.now();
  try {
    await forEachConcurrently(n, plan.senders, async (r) => {
      const { group, body } = bodies[r] as { group: number; body: string };
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${plan.token}`, [GROUP_HEADER]: String(group) };
      const start = performance.now();
      const res = await post(agent, url, headers, body);
      latencies[r] = performance.now() - start;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200 && res.text) {
        const incidents = (JSON.parse(res.text) as { incidents?: string[] }).incidents ?? [];
        for (const ref of incidents) byGroup[group]?.add(ref);
      }
    });
    return { latencies, statuses, wallMs: performance.now() - t0, incidentsByGroup: byGroup.map((s) => [...s]) };
  } finally {
    agent.destroy();
  }
}

function main(): void {
  process.on('message', (req: StormRequest) => {
    if (req.op === 'stop') {
      process.send?.({ id: req.id, ok: true } satisfies StormReply, () => process.exit(0));
      return;
    }
    storm(req.plan).then(
      (result) => process.send?.({ id: req.id, ok: true, result } satisfies StormReply),
      (err: Error) => process.send?.({ id: req.id, ok: false, error: err.message } satisfies StormReply),
    );
  });
  process.send?.({ op: 'ready' } satisfies StormReply);
}

// Only in the process bench/alert-storm.ts forks (which sets the variable), not in one that imports this file.
if (process.send && process.env.BENCH_ALERT_LOAD === '1') main();
