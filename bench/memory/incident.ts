import type { Redis } from 'ioredis';
import { commands } from '../../commands/index.js';
import type { Deps, Invocation, Reply } from '../../src/app/context.js';
import { dispatch } from '../../src/app/dispatch.js';
import { recordReaction } from '../../src/app/reactions.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import type { MessageRef, OutboundMessage } from '../../src/core/ports.js';
import { BullScheduler } from '../../src/scheduler/bullmq-scheduler.js';
import { RedisActionIndex } from '../../src/store/redis-actions.js';
import { RedisAlertStore } from '../../src/store/redis-alerts.js';
import { RedisPostmortemIndex } from '../../src/store/redis-postmortems.js';
import { benchConfig, benchDeps } from '../lib/bot.js';
import type { CountingLogger } from '../lib/logger.js';

/**
 * One realistic incident for the Redis memory bench, through dispatch() as an adapter drives it:
 * declared (P1, paging the on-call person by the default policy), its page DM acknowledged by a
 * ✅ reaction on the DM, 20 notes, then (for a closed one) resolved and closed, which writes the
 * postmortem draft and indexes the incident for stats.
 */

export const WORKSPACE = 'local';
export const NOTES = 20;

const POLICY = { policies: [{ id: 'p', tiers: [{ targets: [{ user: 'oncall' }], delay: '15m' }] }], defaultPolicy: 'p' };
const PAGED = /You are paged: INC-(\d+)/;

/** The local workspace, printing nothing, with every page DM noted by incident number. */
export class PagedChat extends LocalWorkspace {
  private readonly dms = new Map<number, MessageRef>();
  private readonly waiting = new Map<number, () => void>();

  constructor(announce: string) {
    super(() => {}, announce);
  }

  override async dm(ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    const ref = await super.dm(ws, userId, message);
    const n = Number(PAGED.exec(message.text)?.[1] ?? NaN);
    if (Number.isFinite(n) && !this.dms.has(n)) {
      this.dms.set(n, ref);
      this.waiting.get(n)?.();
    }
    return ref;
  }

  /** The incident's page DM, once the platform got it (10 s at most). */
  async pageDm(n: number): Promise<MessageRef> {
    const known = this.dms.get(n);
    if (known) return known;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiting.set(n, resolve)),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`bench: no page DM for INC-${n}`)), 10_000))),
    ]).finally(() => {
      clearTimeout(timer);
      this.waiting.delete(n);
    });
    return this.dms.get(n) as MessageRef;
  }
}

/** Deps as src/main.ts builds them (every Redis store and index), around the noting chat. */
export function memoryDeps(redis: Redis, url: string, prefix: string, pmDir: string, log: CountingLogger): { deps: Deps; chat: PagedChat; scheduler: BullScheduler } {
  const config = benchConfig(pmDir, POLICY);
  const chat = new PagedChat(config.channels.announce);
  const scheduler = new BullScheduler({ connection: url, prefix: `${prefix}{q}` });
  const base = benchDeps({ redis, prefix, config, chat, log, scheduler });
  const deps: Deps = {
    ...base,
    alerts: new RedisAlertStore(redis, prefix),
    postmortemIndex: new RedisPostmortemIndex(redis, prefix),
    actions: new RedisActionIndex(redis, prefix),
  };
  return { deps, chat, scheduler };
}

/** Declare, page, ack, notes; resolve and close unless `open`. Any unexpected reply stops the bench. */
export async function runIncident(deps: Deps, chat: PagedChat, i: number, o: { open: boolean }): Promise<void> {
  const commander = { id: `ic${i % 50}`, name: `ic${i % 50}` };
  const inv = (channelId: string, text: string): Invocation => ({ platform: 'local', workspace: WORKSPACE, channelId, user: commander, text });
  const run = async (channelId: string, text: string, wanted: RegExp): Promise<Reply> => {
    const reply = await dispatch(deps, commands, inv(channelId, text));
    if (!wanted.test(reply.text)) throw new Error(`bench: "${text}" answered "${reply.text}"`);
    return reply;
  };
  const declared = await run('general', `declare Checkout latency on shard ${i} --sev P1`, /^Declared INC-\d+/);
  const m = /^Declared INC-(\d+):.*<#([^>]+)>/.exec(declared.text);
  if (!m?.[1] || !m[2]) throw new Error(`bench: declare answered "${declared.text}"`);
  const number = Number(m[1]);
  const channel = m[2];
  const dm = await chat.pageDm(number);
  // The DM is linked to its page in the write that records it sent: wait for that link.
  for (let tries = 0; !(await deps.store.findPageByMessage(WORKSPACE, dm.channelId, dm.messageId)); tries++) {
    if (tries > 1000) throw new Error(`bench: page DM of INC-${number} never linked`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const acked = await recordReaction(deps, { workspace: WORKSPACE, channelId: dm.channelId, messageId: dm.messageId, user: { id: 'oncall', name: 'oncall' }, emoji: '✅' });
  if (!acked?.startsWith(`Acknowledged INC-${number}`)) throw new Error(`bench: ✅ on the page DM of INC-${number} answered "${acked}"`);
  for (let n = 1; n <= NOTES; n++) await run(channel, `note step ${n}: checked the shard ${i} dashboards, p99 still at 2.3 s`, /^Noted/);
  if (o.open) return;
  await run(channel, 'resolve rolled back the deploy', /^Done\./);
  await run(channel, 'close', /^INC-\d+ is closed\./);
}
