import { defineConfig } from 'vitest/config';

/**
 * The Redis-touching suites that run a second time on a real three-master Redis Cluster (the
 * `cluster` project; test/support/global-redis.ts starts it): the stores and their scripts, the
 * paging core with its queues, and one whole incident per platform. The rest (pure core, security,
 * HTTP) does not depend on the topology.
 */
export const ON_CLUSTER = [
  'test/integration/redis-store.test.ts',
  'test/integration/alerts.test.ts',
  'test/integration/escalation.test.ts',
  'test/integration/escalation-race.test.ts',
  'test/integration/paging-trust.test.ts',
  'test/integration/paging-after-ack.test.ts',
  'test/integration/scheduler.test.ts',
  'test/integration/followups.test.ts',
  'test/integration/handoff.test.ts',
  'test/integration/stats.test.ts',
  'test/integration/postmortem-index.test.ts',
  'test/integration/capture.test.ts',
  'test/integration/bounded-growth.test.ts',
  'test/integration/note-path.test.ts',
  'test/integration/lease.test.ts',
  'test/integration/replay-guard.test.ts',
  'test/integration/claims.test.ts',
  'test/e2e/cluster-failover.test.ts',
  'test/e2e/local-workspace.test.ts',
  'test/e2e/slack.test.ts',
  'test/e2e/slack-replicas.test.ts',
  'test/e2e/discord-incident.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-redis.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: files run in parallel on both; each integration file uses its own key prefix.
    fileParallelism: true,
    projects: [
      { extends: true, test: { name: 'single', include: ['test/**/*.test.ts'], exclude: ['test/e2e/cluster-failover.test.ts'] } },
      { extends: true, test: { name: 'cluster', include: ON_CLUSTER } },
    ],
  },
});
