import type { AppConfig } from '../config.js';
import type { GuardedAction } from '../core/authz.js';
import type { Translate, MessageKey } from '../core/i18n/index.js';
import type { Actor, Incident } from '../core/model.js';
import type { AlertStore, ChatPort, Clock, IncidentStore, Logger, OnCallStore, OutboundMessage, OutboxStore, PostmortemWriter, Scheduler } from '../core/ports.js';
import type { HandoffTimers } from '../core/handoff.js';
import type { Metrics } from '../infra/metrics.js';

/** Everything a command or an inbound handler may use; built once in src/main.ts. */
export interface Deps {
  store: IncidentStore;
  chat: ChatPort;
  clock: Clock;
  config: AppConfig;
  t: Translate;
  log: Logger;
  postmortems: PostmortemWriter;
  /** Durable timers and the outbound queue (BullMQ). */
  scheduler: Scheduler;
  oncall: OnCallStore;
  /** The claim side of the transactional outbox (entries are written by store.append). */
  outbox: OutboxStore;
  /**
   * Wall-clock milliseconds for outbox leases and retry times (default Date.now). Leases are
   * real time, unlike `clock`, which tests replay; a test that simulates crashes moves this one.
   */
  wallMs?: () => number;
  /**
   * Timer jobs leave their effects running in the background and free their worker slot at once
   * (src/main.ts sets it). Off, a step job awaits them: the property test needs every call of a
   * task to happen inside that task.
   */
  stepEffectsInBackground?: boolean;
  /**
   * The writer of a page also tries its DM at once, beside the queued job that stays the delivery
   * that counts (src/app/effects.ts sendEagerly). src/main.ts sets it.
   */
  eagerPages?: boolean;
  /** Alert groups and their incidents (src/app/alerts.ts); absent where no alert is taken in. */
  alerts?: AlertStore;
  /** Counters and histograms for /metrics (src/infra/metrics.ts); absent in tests that do not look. */
  metrics?: Metrics;
  /** Shift handoff timers (src/app/handoff.ts); absent, no handoff DM is armed. */
  handoffs?: HandoffTimers;
}

/** A platform's slash command, reduced to what every platform has. */
export interface Invocation {
  platform: 'local' | 'slack' | 'discord';
  workspace: string;
  channelId: string;
  user: Actor;
  /** Everything after `/incident`, mentions already in the neutral `<@id>` form. */
  text: string;
}

/** The answer to the person who typed the command; `public` shows it to the whole channel. */
export interface Reply extends OutboundMessage {
  public?: boolean;
}

export interface CommandContext {
  inv: Invocation;
  deps: Deps;
  /** The text after the subcommand name. */
  args: string;
  /** The incident of the channel, for commands whose scope is 'incident'. */
  incident: Incident;
}

export interface Command {
  name: string;
  usage: MessageKey;
  help: MessageKey;
  /** 'incident': only inside an incident channel; the dispatcher finds the incident first. */
  scope: 'anywhere' | 'incident';
  /** What the command does that only the commander, the declarer or an admin may (src/core/authz.ts). */
  guard?: GuardedAction;
  run(ctx: CommandContext): Promise<Reply>;
}
