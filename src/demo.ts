import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { ManualClock } from './infra/clock.js';
import { ensureRedis } from './infra/redis-server.js';
import { runLocal, settingsOrExit } from './main.js';
import type { LocalTerminal } from './adapters/local/terminal.js';
import type { LocalWorkspace } from './adapters/local/local-workspace.js';
import type { BullScheduler } from './scheduler/bullmq-scheduler.js';
import { parseConfig } from './config.js';
import { PAGING, STEPS, demoStepMs, kst, lastDmTo } from './demo-script.js';

/**
 * `npm run demo`: replays seed 004's incident #1 (sale-day thread-pool exhaustion, 2025-12-26,
 * KST) through the local workspace, one step every DEMO_STEP_MS (1.5 s by default): tier 1 is
 * paged, nobody answers, tier 2 is paged five minutes later and acknowledges with a ✅ reaction,
 * and the incident runs to its postmortem. The clock follows the real incident's minutes (timers
 * that fall due on it are promoted), so the postmortem's durations and MTTA are the incident's own.
 * Data goes under its own key prefix, wiped at each run.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const base = settingsOrExit();
  const prefix = 'ic-demo:';
  const settings = {
    env: { ...base.env, KEY_PREFIX: prefix },
    config: { ...parsedPaging(), timeZone: 'Asia/Seoul', postmortems: { dir: `${base.env.DATA_DIR}/postmortems` } },
  };
  await wipe(settings.env.REDIS_URL, `${base.env.DATA_DIR}/redis`, prefix);
  const stepMs = demoStepMs();
  const clock = new ManualClock(kst('09:00'));
  const input = new PassThrough();
  let terminal: LocalTerminal | undefined;
  let scheduler: BullScheduler | undefined;
  let chat: LocalWorkspace | undefined;
  const running = runLocal({
    ...settings,
    input,
    print: (l) => console.log(l),
    clock,
    onReady: (t, s, c) => ((terminal = t), (scheduler = s), (chat = c)),
    linger: () => sleep(Math.min(stepMs, 500)),
  });
  while (!terminal || !scheduler || !chat) await sleep(10);
  for (const step of STEPS) {
    await sleep(stepMs);
    clock.set(kst(step.at));
    // Escalation timers that fell due on the replayed clock run now.
    await scheduler.promoteDue(clock.now());
    if (step.note) console.log(`\n\x1b[2m${step.at} KST  (${step.note})\x1b[0m`);
    if (step.note) await sleep(Math.min(stepMs, 800));
    if (!step.line && !step.react) continue;
    if (terminal.state.user !== step.as) await terminal.handleLine(`/as @${step.as}`);
    const line = step.react ? `/react ${lastDmTo(chat, step.as)} ✅` : (step.line ?? '');
    console.log(`\n\x1b[2m${step.at} KST\x1b[0m  @${step.as} #${terminal.state.channel}> ${line}`);
    await terminal.handleLine(line);
  }
  input.end();
  await running;
  console.log('\nThe postmortem draft above is also on disk (path in the close message). Run `npm start` to try it yourself.');
}

function parsedPaging() {
  const parsed = parseConfig(PAGING);
  if (!parsed.ok) throw new Error(`demo config: ${parsed.problems.join('; ')}`);
  return parsed.config;
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
