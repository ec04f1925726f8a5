import { commands } from '../commands/index.js';
import type { Deps } from '../src/app/context.js';
import { dispatch } from '../src/app/dispatch.js';
import { LocalWorkspace } from '../src/adapters/local/local-workspace.js';
import { renderPostmortem } from '../src/core/postmortem.js';
import type { Scheduler } from '../src/core/ports.js';
import { computeStats, parseSince } from '../src/core/stats.js';
import { statsText } from '../src/core/stats-text.js';
import { maskUrl } from '../src/infra/redis-server.js';
import { encodeWorkspace } from '../src/store/redis-store.js';
import { benchConfig, benchDeps } from './lib/bot.js';
import { knobReader, type OptionsOf, type Print } from './lib/env.js';
import { openFixture, type Fixture } from './lib/fixture.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { serverInfo } from './lib/redis.js';
import { loadAverages, nodeAndCpu, printTable } from './lib/report.js';
import { fmt, msSince, stats } from './lib/stats.js';
import { longIncidentEvents, statsRecords, writeIncident, writeRecords } from './pm-stats/fixture.js';

/**
 * Issue 12's goals: the postmortem of an incident with 10,000 timeline events renders in ≤ 200 ms
 * (p99), and `/incident stats` over 5,000 closed incidents computes in ≤ 300 ms (p99). Each is
 * printed beside reading the same data from Redis in the same run, as the floor: the XRANGE of the
 * 10,000 events (raw, and parsed as the store does), and the read of the 5,000 index records.
 *
 * Env: REDIS_URL, BENCH_PM_EVENTS (10000), BENCH_PM_RUNS (50), BENCH_STATS_INCIDENTS (5000),
 * BENCH_STATS_RUNS (100).
 */

const KNOBS = {
  events: ['BENCH_PM_EVENTS', 10_000],
  pmRuns: ['BENCH_PM_RUNS', 50],
  incidents: ['BENCH_STATS_INCIDENTS', 5_000],
  statsRuns: ['BENCH_STATS_RUNS', 100],
} as const;

export type PostmortemStatsOptions = OptionsOf<typeof KNOBS>;
export const postmortemStatsOptionsFromEnv = knobReader(KNOBS);

const WORKSPACE = 'local';
const WARM_UP = 3;
const PM_GOAL_MS = 200;
const STATS_GOAL_MS = 300;

/**
 * `runs` timings of `work` (after a few untimed ones, for the JIT): wall-clock ms, and the CPU ms
 * the process spent meanwhile (all its threads), which a busy machine inflates far less.
 */
interface Timings {
  wall: number[];
  cpu: number[];
}

async function timings(runs: number, work: () => unknown): Promise<Timings> {
  for (let i = 0; i < WARM_UP; i++) await work();
  const out: Timings = { wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await work();
    out.wall.push(msSince(start));
    const used = process.cpuUsage(cpu);
    out.cpu.push((used.user + used.system) / 1000);
  }
  return out;
}

const row = (label: string, t: Timings, goal = '') => {
  const s = stats(t.wall);
  const c = stats(t.cpu);
  return [label, String(s.n), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(c.p50), fmt(c.p99), goal];
};

const HEADERS = ['operation', 'runs', 'p50 ms', 'p99 ms', 'max ms', 'CPU p50 ms', 'CPU p99 ms', 'goal (p99)'];

const NO_SCHEDULER: Scheduler = {
  scheduleStep: () => Promise.reject(new Error('bench: no scheduler')),
  cancelSteps: () => Promise.reject(new Error('bench: no scheduler')),
  send: () => Promise.reject(new Error('bench: no scheduler')),
};

function makeDeps(fx: Fixture): Deps {
  const config = benchConfig(fx.pmDir, { timeZone: 'Asia/Seoul' });
  return benchDeps({ redis: fx.redis, prefix: fx.prefix, config, chat: new LocalWorkspace(() => {}, config.channels.announce), log: new CountingLogger(), scheduler: NO_SCHEDULER });
}

async function postmortemSection(o: PostmortemStatsOptions, fx: Fixture, deps: Deps): Promise<void> {
  const key = { workspace: WORKSPACE, number: 1 };
  const events = longIncidentEvents(o.events, new Date('2026-11-20T01:00:00Z'));
  const inc = await writeIncident(deps.store, key, events);
  const streamKey = `${fx.prefix}inc:{${encodeWorkspace(WORKSPACE)}}:1:events`;
  const read = await deps.store.events(key);
  if (read.length !== o.events) throw new Error(`bench: read ${read.length} events, wrote ${o.events}`);
  const opts = { t: deps.t, timeZone: deps.config.timeZone, severityName: (id: string) => deps.config.severities.find((s) => s.id === id)?.name, now: new Date('2026-11-21T00:00:00Z') };
  const markdown = renderPostmortem(inc, read, opts);
  const xrange = await timings(o.pmRuns, () => fx.redis.xrange(streamKey, '-', '+'));
  const parsed = await timings(o.pmRuns, () => deps.store.events(key));
  const render = await timings(o.pmRuns, () => renderPostmortem(inc, read, opts));
  const both = await timings(o.pmRuns, async () => renderPostmortem(inc, await deps.store.events(key), opts));
  o.print(`### Postmortem of an incident with ${o.events.toLocaleString('en')} timeline events\n`);
  o.print(`The draft is ${markdown.length.toLocaleString('en')} characters, ${markdown.split('\n').length.toLocaleString('en')} lines.\n`);
  printTable(o.print, HEADERS, [
    row(`floor: XRANGE of the ${o.events.toLocaleString('en')} events (raw)`, xrange),
    row('floor: store.events (XRANGE + JSON.parse)', parsed),
    row('renderPostmortem', render, `≤ ${PM_GOAL_MS} ms ${verdict(render, PM_GOAL_MS)}`),
    row('store.events + renderPostmortem', both),
  ]);
}

async function statsSection(o: PostmortemStatsOptions, deps: Deps): Promise<void> {
  const now = new Date();
  const index = deps.stats;
  if (!index) throw new Error('bench: deps without a stats index');
  const records = statsRecords(o.incidents, now, 360);
  await writeRecords(index, WORKSPACE, records);
  const since = parseSince('365d', now, deps.config.timeZone);
  const query = { sinceMs: since.sinceMs, untilMs: now.getTime() + 1 };
  const read = await index.since(WORKSPACE, query.sinceMs, query.untilMs);
  if (read.length !== o.incidents) throw new Error(`bench: read ${read.length} records, wrote ${o.incidents}`);
  const options = { severities: deps.config.severities, timeZone: deps.config.timeZone, now };
  const figures = () => statsText(computeStats(read, query, options), { t: deps.t, timeZone: deps.config.timeZone, since, query: {}, sparklines: true });
  const inv = { platform: 'local' as const, workspace: WORKSPACE, channelId: 'general', user: { id: 'U1', name: 'alice' }, text: 'stats --since 365d' };
  const reply = await dispatch(deps, commands, inv);
  if (!reply.text.includes('MTTR')) throw new Error(`bench: stats answered "${reply.text}"`);
  const floor = await timings(o.statsRuns, () => index.since(WORKSPACE, query.sinceMs, query.untilMs));
  const compute = await timings(o.statsRuns, figures);
  const command = await timings(o.statsRuns, () => dispatch(deps, commands, inv));
  o.print(`\n### Stats over ${o.incidents.toLocaleString('en')} closed incidents\n`);
  printTable(o.print, HEADERS, [
    row(`floor: read the ${o.incidents.toLocaleString('en')} index records (one EVALSHA + JSON.parse)`, floor),
    row('computeStats + statsText', compute, `≤ ${STATS_GOAL_MS} ms ${verdict(compute, STATS_GOAL_MS)}`),
    row('`/incident stats --since 365d` through dispatch()', command),
  ]);
}

function verdict(t: Timings, goalMs: number): string {
  return stats(t.wall).p99 <= goalMs ? '(met)' : '(**missed**)';
}

async function printHeader(print: Print, o: PostmortemStatsOptions, fx: Fixture): Promise<void> {
  const server = await serverInfo(fx.redis);
  print('## Postmortem and stats (issue 12)\n');
  print(`- ${nodeAndCpu()}, ${process.platform}/${process.arch}`);
  print(`- Redis ${server.version} at ${maskUrl(fx.url)}${fx.spawned ? ' (throwaway, started for this run)' : ''}, AOF ${server.aof ? 'on' : 'off'}`);
  print(`- ${o.pmRuns} timed runs of each postmortem operation, ${o.statsRuns} of each stats operation, after ${WARM_UP} untimed ones`);
  print(`- Load average at start: ${loadAverages()}\n`);
}

export async function postmortemStats(o: PostmortemStatsOptions): Promise<void> {
  const fx = await openFixture(o.redisUrl, 'bench', o.print);
  try {
    const deps = makeDeps(fx);
    await printHeader(o.print, o, fx);
    await postmortemSection(o, fx, deps);
    await statsSection(o, deps);
  } finally {
    await fx.close();
  }
}

runAsMain(import.meta.url, () => postmortemStats(postmortemStatsOptionsFromEnv()));
