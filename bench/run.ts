import { coreThroughput, optionsFromEnv } from './core-throughput.js';
import { escalationTimers, escalationTimersOptionsFromEnv } from './escalation-timers.js';
import { slackAck, slackAckOptionsFromEnv } from './slack-ack.js';
import { discordLatency, discordOptionsFromEnv } from './discord-latency.js';
import { declarePage, declarePageOptionsFromEnv } from './declare-page.js';
import { alertStorm, alertStormOptionsFromEnv } from './alert-storm.js';
import { postmortemStats, postmortemStatsOptionsFromEnv } from './postmortem-stats.js';
import { redisMemory, redisMemoryOptionsFromEnv } from './redis-memory.js';
import { leaseFailover, leaseFailoverOptionsFromEnv } from './lease-failover.js';
import { replicasBench, replicasOptionsFromEnv } from './replicas.js';
import { exitWhenDone } from './lib/main.js';

/**
 * `npm run bench`: every benchmark, one after another, each printing a Markdown section that can
 * be pasted into docs/performance.md. Not a test: it prints figures and fails only when a bench
 * cannot run (no Redis, a command answering with an error).
 */
const benches: { name: string; run: () => Promise<void> }[] = [
  { name: 'core-throughput', run: () => coreThroughput(optionsFromEnv()) },
  { name: 'escalation-timers', run: () => escalationTimers(escalationTimersOptionsFromEnv()) },
  { name: 'declare-page', run: async () => void (await declarePage(declarePageOptionsFromEnv())) },
  { name: 'slack-ack', run: () => slackAck(slackAckOptionsFromEnv()) },
  { name: 'discord-latency', run: () => discordLatency(discordOptionsFromEnv()) },
  { name: 'alert-storm', run: async () => void (await alertStorm(alertStormOptionsFromEnv())) },
  { name: 'postmortem-stats', run: () => postmortemStats(postmortemStatsOptionsFromEnv()) },
  { name: 'redis-memory', run: () => redisMemory(redisMemoryOptionsFromEnv()) },
  { name: 'lease-failover', run: () => leaseFailover(leaseFailoverOptionsFromEnv()) },
  { name: 'replicas', run: () => replicasBench(replicasOptionsFromEnv()) },
];

async function main(): Promise<void> {
  for (const bench of benches) {
    process.stderr.write(`bench: ${bench.name}...\n`);
    await bench.run();
    console.log('');
  }
}

exitWhenDone(main);
