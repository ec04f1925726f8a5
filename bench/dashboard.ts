import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRelay } from '../src/app/relay.js';
import { parseEnv } from '../src/config.js';
import { startHttpServer } from '../src/http/server.js';
import { ensureRedis, freePort } from '../src/infra/redis-server.js';
import { webAreas } from '../src/web/areas.js';
import { dashboard } from '../src/web/mount.js';
import { benchWorkers } from './lib/bot.js';
import { knobReader, type OptionsOf } from './lib/env.js';
import { CountingLogger } from './lib/logger.js';
import { runAsMain } from './lib/main.js';
import { nodeAndCpu, printTable } from './lib/report.js';
import { memoryDeps, runIncident, WORKSPACE } from './memory/incident.js';

/**
 * `npm run bench:dashboard`: how long the dashboard's pages take and how much they weigh with
 * many incidents (issue 14), on a throwaway redis-server. Incidents are made as the Redis memory
 * bench makes them (declared P1, paged, ✅ on the page DM, 20 notes; closed ones resolved and
 * closed with their postmortem), through dispatch() on the real stores and queues. Each page is
 * asked `BENCH_DASHBOARD_REQUESTS` times, one after another, by a signed-in session; the baseline
 * is `/livez` on the same server in the same run (the HTTP stack with no page behind it).
 */

const KNOBS = {
  closed: ['BENCH_DASHBOARD_CLOSED', 600],
  open: ['BENCH_DASHBOARD_OPEN', 100],
  requests: ['BENCH_DASHBOARD_REQUESTS', 30],
  lanes: ['BENCH_DASHBOARD_LANES', 8],
} as const;

export type DashboardBenchOptions = OptionsOf<typeof KNOBS>;
export const dashboardOptionsFromEnv = knobReader(KNOBS);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The cookie header of a response's Set-Cookie lines, merged into `jar`. */
function keep(jar: Map<string, string>, res: Response): void {
  for (const set of res.headers.getSetCookie()) {
    const [pair = ''] = set.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

export async function dashboardBench(o: DashboardBenchOptions): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-dashboard-'));
  const server = await ensureRedis(`redis://127.0.0.1:${await freePort()}`, { dataDir, ephemeral: true });
  const redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const pmDir = await mkdtemp(join(tmpdir(), 'bench-dashboard-pm-'));
  const prefix = 'ic:';
  const log = new CountingLogger();
  const { deps, chat, scheduler } = memoryDeps(redis, server.url, prefix, pmDir, log);
  const workers = benchWorkers(deps, server.url, `${prefix}{q}`);
  const relay = startRelay(deps);
  const env = parseEnv({ KEY_PREFIX: prefix, PORT: '0' });
  if (!env.ok) throw new Error(env.problems.join('; '));
  const web = dashboard({ env: env.env, deps, redis, areas: webAreas, playground: false })!;
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', log: deps.log, web: (f) => web.register(f) });
  web.listening(http.url);
  const t0 = Date.now();
  try {
    let started = 0;
    const drive = async (count: number, open: boolean) => {
      let next = 0;
      const lane = async () => {
        while (next < count) {
          next++;
          await runIncident(deps, chat, ++started, { open });
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.lanes, count) }, lane));
    };
    await drive(o.closed, false);
    await drive(o.open, true);
    const made = (Date.now() - t0) / 1000;

    // Signed in as the commander of the first incidents, as `/incident web` would sign them in.
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const { url } = await deps.web!.signInLink({ platform: 'local', workspace: WORKSPACE, userId: 'ic1', name: 'ic1' });
    const confirm = await fetch(url);
    keep(jar, confirm);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await confirm.text())?.[1] ?? '';
    const signed = await fetch(url, { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }) });
    keep(jar, signed);
    if (signed.status !== 303) throw new Error(`bench: sign-in answered ${signed.status}`);

    const pages = ['/livez', '/incidents', '/incidents?q=shard%2042', `/incidents/${WORKSPACE}/1`, '/incidents.csv', '/insights', '/oncall'];
    const rows: (string | number)[][] = [];
    let baseline = NaN;
    for (const path of pages) {
      const ms: number[] = [];
      let bytes = 0;
      for (let i = 0; i < o.requests; i++) {
        const t = performance.now();
        const res = await fetch(new URL(path, http.url), { headers: { cookie: cookie() }, redirect: 'manual' });
        const body = await res.arrayBuffer();
        ms.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`bench: ${path} answered ${res.status}`);
        bytes = body.byteLength;
      }
      ms.sort((a, b) => a - b);
      const median = percentile(ms, 50);
      if (path === '/livez') baseline = median;
      rows.push([path, median.toFixed(1), percentile(ms, 95).toFixed(1), path === '/livez' ? '1.0×' : `${(median / baseline).toFixed(0)}×`, (bytes / 1024).toFixed(1)]);
    }
    log.assertQuiet('dashboard bench');
    console.log(`# Dashboard pages with ${o.closed} closed and ${o.open} open incidents (${nodeAndCpu()})`);
    console.log(`${o.closed + o.open} incidents made in ${made.toFixed(1)} s; ${o.requests} requests per page, one at a time, signed in as a person; baseline /livez.`);
    printTable((l) => console.log(l), ['page', 'median ms', 'p95 ms', 'vs /livez', 'KB'], rows);
  } finally {
    await http.close();
    await relay.stop();
    await workers.close(2_000);
    await scheduler.close();
    await redis.quit().catch(() => undefined);
    await server.stop();
    await rm(pmDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

runAsMain(import.meta.url, () => dashboardBench(dashboardOptionsFromEnv()));
