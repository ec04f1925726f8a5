import type { AppConfig } from '../config.js';
import type { GuardedAction } from '../core/authz.js';
import type { Translate, MessageKey } from '../core/i18n/index.js';
import type { Actor, Incident } from '../core/model.js';
import type { AlertStore, ChatPort, Clock, IncidentStore, Logger, OnCallStore, OutboundMessage, OutboxStore, PostmortemWriter, Scheduler } from '../core/ports.js';
import type { HandoffTimers } from '../core/handoff.js';
import type { FollowupIndex, FollowupTimers } from '../core/followups.js';
import type { StatsChartRenderer, StatsIndex } from '../core/stats-types.js';
import type { PostmortemIndex } from '../core/postmortem-index.js';
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
  /** issue 12: follow-up reminder and digest timers (src/app/followups.ts); absent, none is armed. */
  followups?: FollowupTimers;
  /** issue 12: the cross-incident index of open action items (src/store/redis-actions.ts). */
  actions?: FollowupIndex;
  /** The index of closed incidents behind `/incident stats` (issue 12; src/store/redis-stats.ts); absent, nothing is indexed. */
  stats?: StatsIndex;
  /** issue 12: incidents awaiting their postmortem review and the drafts last posted (src/store/redis-postmortems.ts); absent, the sweep re-arms review reminders of open incidents only and every draft is posted. */
  postmortemIndex?: PostmortemIndex;
  /** issue 14: one-time sign-in links to the web dashboard (src/web/auth.ts); absent, the dashboard is not served. */
  web?: { signInLink(person: { platform: Invocation['platform']; workspace: string; userId: string; name: string }): Promise<{ url: string; minutes: number }> };
  /** Renders `/incident stats`'s weekly chart on Slack and Discord (issue 12); absent, the answer shows text sparklines. */
  charts?: StatsChartRenderer;
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
  /**
   * Slower work that comes after the answer (issue 12: the stats chart upload): the adapter runs
   * it once the answer was sent, so the text never waits for it, and sends what it resolves to
   * (a one-line note that it failed) as a second answer to the same person. See src/app/follow-up.ts.
   */
  followUp?: () => Promise<Reply | undefined>;
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
  /**
   * For 'incident' commands that take the `INC-n` elsewhere than first (`action done A3 INC-7`):
   * the arguments with the reference moved to the front, where the dispatcher looks for it.
   */
  referenceFirst?(args: string): string;
  run(ctx: CommandContext): Promise<Reply>;
}
