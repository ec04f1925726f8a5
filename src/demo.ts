import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { ManualClock } from './infra/clock.js';
import { ensureRedis } from './infra/redis-server.js';
import { runLocal, settingsOrExit } from './main.js';
import type { LocalTerminal } from './adapters/local/terminal.js';

/**
 * `npm run demo`: replays seed 004's incident #1 (sale-day thread-pool exhaustion, 2025-12-26,
 * KST) through the local workspace, one step every DEMO_STEP_MS (1.5 s by default). The clock
 * follows the real incident's minutes, so the postmortem's durations are the incident's own.
 * Data goes under its own key prefix, wiped at each run.
 */

interface Step {
  at: string; // KST wall time on 2025-12-26
  as: string;
  line: string;
}

const STEPS: Step[] = [
  { at: '09:09', as: 'bob', line: '/incident declare Sale-day outage: API thread pool exhausted --sev P1 --service checkout --summary "Traffic 15x normal at the sale start; all API calls failing"' },
  { at: '09:10', as: 'bob', line: 'Tomcat threads 200/200, HikariCP connections 10/10, error rate 89%' },
  { at: '09:11', as: 'bob', line: '/incident role comms @carol' },
  { at: '09:12', as: 'alice', line: 'Reading the server logs: "Connection is not available" everywhere' },
  { at: '09:15', as: 'alice', line: '/incident note Restarted the API servers: the pools filled again at once' },
  { at: '09:20', as: 'bob', line: '/incident status identified Thread pool and DB pool exhausted by sale traffic; nginx rate limit 100 req/s applied, errors 89% -> 45%' },
  { at: '09:25', as: 'carol', line: '/incident note Customer notice sent: temporary access problems, please retry shortly' },
  { at: '09:30', as: 'alice', line: '/incident note Raised Tomcat max-threads 200 -> 400 and HikariCP pool 10 -> 50, rolling restart' },
  { at: '09:40', as: 'bob', line: '/incident status monitoring Error rate 45% -> 5%, 350 TPS and stable' },
  { at: '09:47', as: 'bob', line: '/incident resolve Error rate 0.3%, p95 280 ms' },
  { at: '09:50', as: 'bob', line: '/incident action Make the pool settings permanent in production --owner @bob --due 1w' },
  { at: '09:51', as: 'alice', line: '/incident action Alert on thread and connection pool usage --owner @alice --due 1w' },
  { at: '09:52', as: 'carol', line: '/incident action Load test before every large sale --owner @carol --due 1m' },
  { at: '09:53', as: 'bob', line: '/incident action Load tests in the CI pipeline --due q' },
  { at: '11:00', as: 'bob', line: '/incident timeline' },
  { at: '11:00', as: 'bob', line: '/incident close' },
];

const kst = (hhmm: string) => new Date(`2025-12-26T${hhmm}:00+09:00`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const base = settingsOrExit();
  const prefix = 'ic-demo:';
  const settings = {
    env: { ...base.env, KEY_PREFIX: prefix },
    config: { ...base.config, timeZone: 'Asia/Seoul', postmortems: { dir: `${base.env.DATA_DIR}/postmortems` } },
  };
  await wipe(settings.env.REDIS_URL, `${base.env.DATA_DIR}/redis`, prefix);
  const stepMs = Number(process.env.DEMO_STEP_MS ?? 1500);
  const clock = new ManualClock(kst('09:00'));
  const input = new PassThrough();
  let terminal: LocalTerminal | undefined;
  const running = runLocal({ ...settings, input, print: (l) => console.log(l), clock, onReady: (t) => (terminal = t) });
  while (!terminal) await sleep(10);
  for (const step of STEPS) {
    await sleep(stepMs);
    clock.set(kst(step.at));
    if (terminal.state.user !== step.as) await terminal.handleLine(`/as @${step.as}`);
    console.log(`\n\x1b[2m${step.at} KST\x1b[0m  @${step.as} #${terminal.state.channel}> ${step.line}`);
    await terminal.handleLine(step.line);
  }
  input.end();
  await running;
  console.log('\nThe postmortem draft above is also on disk (path in the close message). Run `npm start` to try it yourself.');
}

/** The demo starts from an empty workspace every time. */
async function wipe(url: string, dataDir: string, prefix: string): Promise<void> {
  const server = await ensureRedis(url, { dataDir });
  const redis = new Redis(server.url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  await server.stop();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
