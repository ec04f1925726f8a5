import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from './analyze.js';
import { Cluster } from './cluster.js';
import { Driver } from './drive.js';
import { ALL_KILL_MODES, KILL_MODES, makePlan, type KillMode } from './plan.js';
import { DISCORD_USERS, DISCORD_WS, Platforms, SLACK_USERS, SLACK_WS } from './platforms.js';
import { RecordReader } from './record.js';
import { botErrors, failures, inbound, MAX_WALL_MS, table } from './report.js';
import { mulberry32 } from './rng.js';

/**
 * `npm run chaos`: paging under fire (issue 8). Two real bot processes share one Redis (Slack
 * over HTTP on both, Discord on bot A), 20 incidents are declared over about 50 s, bots are
 * killed with -9 three times (at a random moment, and at the instant a page DM reaches Slack:
 * once just before and once just after it is accepted), Redis is restarted once (AOF), both
 * fakes answer 429 and 5xx at random, and every inbound event is delivered up to 4 times. Then it waits for the run to settle and compares the record with
 * what the platforms accepted. Exit code 0 only when nothing was lost or doubled and every page
 * held up by an outage went out within 5 s of the bot or Redis coming back.
 *
 *   CHAOS_SEED=7 npm run chaos          another plan (default seed 8)
 *   CHAOS_KEEP=/tmp/chaos npm run chaos keep the bots' logs and the Redis AOF there
 *   CHAOS_INCIDENTS (20), CHAOS_FAULT_RATE (0.1), CHAOS_KILLS (3) change the mix
 *   CHAOS_KILL_MODES=plain,dm-after     only these kinds of kill (default plain,dm-before,dm-after; also dm-twice)
 */

const env = process.env;
const seed = Number(env.CHAOS_SEED ?? 8);
const incidents = Number(env.CHAOS_INCIDENTS ?? 20);
const faultRate = Number(env.CHAOS_FAULT_RATE ?? 0.1);
const kills = Number(env.CHAOS_KILLS ?? 3);
const modes = (env.CHAOS_KILL_MODES ?? KILL_MODES.join(',')).split(',').filter((m): m is KillMode => (ALL_KILL_MODES as readonly string[]).includes(m));
/** Declares are spread over this long; acks, kills and the Redis restart fall inside it. */
const SPAN_MS = 50_000;
const SETTLE_MS = 80_000;
const TIER_DELAY = '3s';

const started = Date.now();
const print = (line: string) => console.log(line);
const note = (line: string) => print(`  ${line}`);

function configYaml(pmDir: string): string {
  const tiers = (users: readonly string[]) => users.map((u) => `      - targets: [{ user: "${u}" }]\n        delay: ${TIER_DELAY}`).join('\n');
  return [
    'channels: { announce: incidents }',
    `postmortems: { dir: ${JSON.stringify(pmDir)} }`,
    'policies:',
    '  - id: slack',
    '    tiers:',
    tiers(SLACK_USERS),
    '  - id: discord',
    '    tiers:',
    tiers(DISCORD_USERS.map((u) => u.id)),
    'routes:',
    '  - { severity: P1, policy: slack }',
    '  - { severity: P2, policy: discord }',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const rng = mulberry32(seed);
  const plan = makePlan(rng.fork('plan'), { incidents, discordIncidents: Math.round(incidents / 5), kills, spanMs: SPAN_MS, modes });
  print(`chaos: seed ${seed}, ${incidents} incidents (${plan.incidents.filter((i) => i.platform === 'discord').length} on Discord), ${kills} kills (${plan.kills.map((k) => k.mode).join(', ')}), 1 Redis restart, faults ${Math.round(faultRate * 100)} %`);
  const dir = await mkdtemp(join(tmpdir(), 'chaos-'));
  let platforms: Platforms | undefined;
  let cluster: Cluster | undefined;
  let reader: RecordReader | undefined;
  let details: object = {};
  // Exit handlers run synchronously: the bots are SIGKILLed (redis-server has its own handler in
  // ensureRedis) and the temp dir removed, whatever ends the run.
  const killAll = () => {
    cluster?.killAllNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  // A run that hangs must still end (and end its children) well inside CI's patience.
  const watchdog = setTimeout(() => {
    print(`chaos: watchdog: still running after ${MAX_WALL_MS / 1000} s; giving up`);
    process.exit(3);
  }, MAX_WALL_MS + 15_000);
  watchdog.unref();
  try {
    platforms = await Platforms.start(rng, faultRate);
    cluster = await Cluster.start(dir, platforms, configYaml(join(dir, 'postmortems')));
    await Promise.all([cluster.addBot('A', true), cluster.addBot('B', false)]);
    print(`chaos: bots up after ${((Date.now() - started) / 1000).toFixed(1)} s; running the plan`);
    reader = new RecordReader(cluster.redisUrl, cluster.prefix);
    const driver = new Driver(platforms, cluster, plan, rng.fork('drive'), reader, note);
    await driver.run();
    print(`chaos: plan done after ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the bots to settle`);
    const budget = Math.min(SETTLE_MS, MAX_WALL_MS - 10_000 - (Date.now() - started));
    const pending = await reader.settle([SLACK_WS, DISCORD_WS], budget, (p, waited) => note(`still pending after ${Math.round(waited / 1000)} s: ${JSON.stringify(p)}`));
    // Room for a late duplicate (a retry that raced the last link) to show up before counting.
    await new Promise((r) => setTimeout(r, 1_000));
    const slack = await reader.incidents(SLACK_WS);
    const discord = await reader.incidents(DISCORD_WS);
    const wallMs = Date.now() - started;
    const figures = analyze([...slack, ...discord], platforms.pageDms(), cluster.outages);
    const inb = inbound(driver, slack, discord);
    details = { seed, plan, outages: cluster.outages, kills: driver.disruptions.kills, incidents: driver.incidents, pages: figures.pages };
    print('');
    print(table(figures, inb, platforms.faults, cluster, wallMs));
    const errors = botErrors(cluster);
    if (errors.length) print(`\nerrors the bots logged:\n${errors.slice(0, 10).map((e) => `  ${e}`).join('\n')}`);
    for (const p of [...figures.lost, ...figures.duplicated, ...figures.windowDuplicated]) {
      note(`${p.key}: ${p.verdict}, state ${p.page.state}, DMs ${p.dms.map((d) => `${d.messageId} by ${d.bot} at +${((d.at - started) / 1000).toFixed(2)}s`).join(', ') || 'none'}, linked ${p.page.dm?.messageId ?? 'none'}`);
    }
    for (const m of inb.messagesMissing) note(`not on the timeline: ${m}`);
    const failed = failures(figures, inb, pending, cluster, wallMs);
    print(failed.length ? `\nchaos: FAIL (seed ${seed})\n${failed.map((f) => `  - ${f}`).join('\n')}` : `\nchaos: PASS (seed ${seed})`);
    return failed.length ? 1 : 0;
  } finally {
    await reader?.close();
    await cluster?.stop();
    await platforms?.close();
    if (env.CHAOS_KEEP) await keep(dir, env.CHAOS_KEEP, cluster, details);
    await rm(dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

/** Copies the bots' output, the Redis data and every page's figures out of the temp dir, for a look after a failure. */
async function keep(dir: string, to: string, cluster: Cluster | undefined, details: object): Promise<void> {
  await mkdir(to, { recursive: true });
  await writeFile(join(to, 'details.json'), JSON.stringify(details, null, 1));
  await cp(dir, join(to, 'run'), { recursive: true }).catch(() => undefined);
  for (const bot of cluster?.bots.values() ?? []) {
    for (const [i, proc] of bot.history.entries()) await writeFile(join(to, `bot-${bot.name}-${i + 1}.log`), `${proc.out()}\n--- stderr ---\n${proc.err()}`);
  }
  print(`chaos: logs kept in ${to}`);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    print(`chaos: error: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
