import { commands } from '../../commands/index.js';
import type { Deps, Invocation, Reply } from '../../src/app/context.js';
import { dispatch } from '../../src/app/dispatch.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import type { RedisClient } from '../../src/infra/redis-client.js';
import { BullScheduler, type RedisConnection } from '../../src/scheduler/bullmq-scheduler.js';
import { benchConfig, benchDeps } from '../lib/bot.js';
import type { CountingLogger } from '../lib/logger.js';

/** One incident's life in the core bench: declare → notes → resolve → close, through dispatch(). */

export const KINDS = ['declare', 'note', 'resolve', 'close'] as const;
export type Kind = (typeof KINDS)[number];

export const WORKSPACE = 'local';

/**
 * Deps as src/main.ts builds them, with a chat that prints nowhere and a logger that only counts.
 * `connection` is BullMQ's: a URL, or `bullConnection(target)` for a Cluster.
 */
export function makeDeps(redis: RedisClient, connection: RedisConnection, prefix: string, pmDir: string, log: CountingLogger): Deps {
  const config = benchConfig(pmDir);
  return benchDeps({
    redis,
    prefix,
    config,
    chat: new LocalWorkspace(() => {}, config.channels.announce),
    log,
    scheduler: new BullScheduler({ connection, prefix: `${prefix}{q}` }),
  });
}

export type Runner = (kind: Kind, run: () => Promise<Reply>) => Promise<Reply>;

/** One incident's life, through dispatch() like an adapter; any unexpected reply stops the bench. */
export async function runIncident(deps: Deps, userId: string, notes: number, run: Runner, workspace = WORKSPACE): Promise<void> {
  const user = { id: userId, name: userId };
  const inv = (channelId: string, text: string): Invocation => ({ platform: 'local', workspace, channelId, user, text });
  const declared = await run('declare', () => dispatch(deps, commands, inv('general', `declare Checkout latency for ${userId} --sev P2`)));
  const m = /^Declared (\S+):.*<#([^>]+)>/.exec(declared.text);
  if (!m?.[1] || !m[2]) throw new Error(`bench: declare answered "${declared.text}"`);
  const [, ref, channel] = m;
  const expect = (reply: Reply, wanted: string, what: string): void => {
    if (!reply.text.startsWith(wanted)) throw new Error(`bench: ${what} in #${channel} answered "${reply.text}"`);
  };
  for (let n = 1; n <= notes; n++) {
    const reply = await run('note', () => dispatch(deps, commands, inv(channel, `note step ${n}: checked the "${userId}" dashboards, p99 still high`)));
    expect(reply, deps.t('reply.note_added', { ref }), 'note');
  }
  expect(await run('resolve', () => dispatch(deps, commands, inv(channel, 'resolve rolled back the deploy'))), deps.t('reply.done'), 'resolve');
  expect(await run('close', () => dispatch(deps, commands, inv(channel, 'close'))), deps.t('reply.closed', { ref, path: '' }), 'close');
}
