import type { Effect } from './effects.js';
import type { IncidentEvent } from './events.js';
import type { Incident, IncidentKey } from './model.js';

/**
 * Ports: what the core and the commands need from the outside world, and nothing more. Each
 * implementation lives outside src/core (src/store, src/adapters, src/infra) and is wired in
 * src/main.ts, so rules are tested without I/O and platforms are swapped without touching rules.
 */

/** Where "now" comes from. Injected so lifecycle and duration logic is deterministic in tests. */
export interface Clock {
  now(): Date;
}

/**
 * A platform-neutral message. Text uses a small common markup that every adapter renders:
 * `*bold*`, `_italic_`, `<@userId>` for a person and `<#channelId>` for a channel, and times
 * written by `chatTime` (chat-time.ts), which each platform shows in its reader's own zone.
 */
export interface OutboundMessage {
  text: string;
  /** Label/value pairs shown as a compact table (Slack section fields, Discord embed fields). */
  fields?: { label: string; value: string }[];
  /** Smaller print under the message. */
  footer?: string;
  /** Buttons, where the platform has them (Slack, Discord); the local terminal lists them as hints. */
  actions?: MessageAction[];
}

/**
 * What a button does: page DMs have ack and escalate (and declare, on a triage page); resolve
 * ends an incident whose alerts all resolved; an update reminder has update and the two snoozes;
 * the reminder about roles nobody holds has take_comms and take_scribe; a notice draft has Post
 * (notice_<audience>, its value the incident number and the draft's stamp) and Edit
 * (notice_edit_<audience>, which opens a form where the platform has forms).
 */
export const BUTTON_ACTIONS = [
  'ack',
  'escalate',
  'declare',
  'resolve',
  'update',
  'snooze_15',
  'snooze_60',
  'take_comms',
  'take_scribe',
  'notice_internal',
  'notice_external',
  'notice_edit_internal',
  'notice_edit_external',
  // issue 12: the question on closing without follow-ups (src/app/followup-buttons.ts)
  'no_followups',
  'add_followup',
] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

/** A button. `id` says what it does; `value` carries what it acts on (an incident number). */
export interface MessageAction {
  id: ButtonAction;
  label: string;
  value: string;
  style?: 'primary' | 'danger';
}

export interface ChannelRef {
  id: string;
  name: string;
}

export interface MessageRef {
  channelId: string;
  messageId: string;
}

/** A file the bot sends someone by direct message (ChatPort.dmFile). */
export interface UploadFile {
  /** The file name people see and download, with its extension (`stats.png`). */
  name: string;
  data: Buffer;
  /** Shown above the file where the platform has titles (Slack); default the name. */
  title?: string;
  /** Alternative text for an image, for screen readers (Slack alt_text, Discord description). */
  alt?: string;
}

/** How an incident channel opens (ChatPort.createChannel). */
export interface ChannelOptions {
  topic: string;
  private: boolean;
  /**
   * Who is let in from the start (core/effects.ts channelMembers), where the platform can do it
   * in the same call: Discord puts a private channel's member overwrites in the create request.
   * The `invite` that follows still runs and skips whoever is in already; Slack and the terminal
   * leave this to it.
   */
  members?: readonly string[];
}

/**
 * The chat platform, as the bot uses it. Slack, Discord and the local terminal workspace each
 * implement it; effects go through it and through nothing else.
 */
export interface ChatPort {
  /**
   * Opens the incident's channel. `name` is a wish: when it is taken the adapter picks the next
   * free variant and returns the name it really used.
   */
  createChannel(workspace: string, name: string, options: ChannelOptions): Promise<ChannelRef>;
  /** Adds people to a channel; people already in it are not an error. */
  invite(workspace: string, channelId: string, userIds: string[]): Promise<void>;
  /** Replaces the channel's topic, e.g. when the severity changes; the topic names the severity. */
  setTopic(workspace: string, channelId: string, topic: string): Promise<void>;
  post(workspace: string, channelId: string, message: OutboundMessage): Promise<MessageRef>;
  /** Replaces a message the bot posted earlier (the incident summary). */
  update(workspace: string, ref: MessageRef, message: OutboundMessage): Promise<void>;
  /** Sends a direct message to one person. */
  dm(workspace: string, userId: string, message: OutboundMessage): Promise<MessageRef>;
  /**
   * Posts in a channel the config names rather than one the bot opened: the announcement channel
   * (`channels.announce`), or, given `channel`, another configured channel NAME (the stakeholder
   * notices' `channels.stakeholders`, `channels.external`). The adapter finds the channel by name.
   */
  announce(workspace: string, message: OutboundMessage, channel?: string): Promise<MessageRef>;
  react(workspace: string, ref: MessageRef, emoji: string): Promise<void>;
  /**
   * Pins a message the bot posted in a channel (the incident summary), so it stays at hand
   * however long the channel gets. Pinning one already pinned is not an error: an effect run
   * twice must not fail the second time.
   */
  pin(workspace: string, ref: MessageRef): Promise<void>;
  /**
   * Sends a file to one person by direct message (the `/incident stats` chart, a PNG: the answer
   * is theirs alone, so is the chart), with `message` as its comment when given. Never into a
   * channel, never joining one. Slack uploads it to the DM channel `dm` opens (conversations.open)
   * in three steps (files.getUploadURLExternal, the upload URL, files.completeUploadExternal; scope
   * `files:write`), Discord sends it as an attachment in the DM channel, the terminal prints one
   * line naming it. Failures are PlatformErrors as for `dm`; nothing is retried here (the caller
   * answers without the file).
   */
  dmFile(workspace: string, userId: string, file: UploadFile, message?: OutboundMessage): Promise<void>;
  /** The display name of a user id, for records that outlive the chat (postmortem files). */
  userName(workspace: string, userId: string): Promise<string>;
  /**
   * Whether a user id names a real, active person of the workspace (not deleted, not a bot):
   * before someone is made to cover a rotation, a made-up id must not silence its pages.
   */
  isMember(workspace: string, userId: string): Promise<boolean>;
}

/**
 * Durable incident storage. State and events are written together or not at all; concurrent
 * writers are serialised by a compare-and-set on the incident's version.
 */
export interface IncidentStore {
  /** Allocates the next incident number of a workspace (1, 2, 3, ...), never reused. */
  nextNumber(workspace: string): Promise<number>;
  get(key: IncidentKey): Promise<Incident | null>;
  findByChannel(workspace: string, channelId: string): Promise<Incident | null>;
  /**
   * Appends events and writes `next` as the new state, only if the stored version is still
   * `expectedVersion` (0 for a new incident). Returns false when someone else wrote first.
   * The outbox entries and page links in `options` are written by the same atomic write.
   */
  append(key: IncidentKey, expectedVersion: number, events: readonly IncidentEvent[], next: Incident, options?: AppendOptions): Promise<boolean | 'duplicate'>;
  /** The page a DM carries, from the link its `page_sent` event wrote; null for any other message. */
  findPageByMessage(workspace: string, channelId: string, messageId: string): Promise<{ number: number; pageId: string } | null>;
  /** The incident's events in the order they were appended. */
  events(key: IncidentKey): Promise<IncidentEvent[]>;
  /** Incidents of a workspace, newest first; only open ones (not closed or cancelled) unless `all`. */
  list(workspace: string, options?: { all?: boolean; limit?: number }): Promise<Incident[]>;
  /**
   * Claims an idempotency key for `ttlSeconds`: true for the first caller, false for any repeat.
   * Guards side effects that may run twice (retried events, re-run jobs).
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back (the work it guarded failed), so the next `claim` of the key is true again. */
  release(key: string): Promise<void>;
  /** Holds a key for `ttlSeconds` from now, whether or not its claim is still held (the guarded work is done). */
  keep(key: string, ttlSeconds: number): Promise<void>;
  /**
   * A claim held by one run: `owner` is a value unique to the run, and only that run renews or
   * gives back the claim (compare-and-set), so a run that stalled past the TTL can neither
   * extend nor delete a claim another run took meanwhile. True for the first claimer.
   */
  claimAs(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Holds the claim `ttlMs` from now if it is `owner`'s or ran out untaken; false when another run holds it. */
  keepAs(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the claim back if it is still `owner`'s; false (nothing deleted) otherwise. */
  releaseAs(key: string, owner: string): Promise<boolean>;
  /** Every workspace that has incidents: for the start-up sweep that re-arms escalation timers. */
  workspaces(): Promise<string[]>;
}

/** What an append writes besides the events and the state, in the same atomic write. */
export interface AppendOptions {
  once?: OnceKey;
  /** Effects the events imply, leased to the writer until `leaseUntilMs` (wall clock) so it runs them first. */
  outbox?: { entries: readonly OutboxEntry[]; leaseUntilMs: number };
  /** Page DMs to link to their pages, so a reaction on the DM finds its page. */
  pageLinks?: readonly { channelId: string; messageId: string; pageId: string }[];
}

/**
 * An effect waiting in the transactional outbox. `id` is derived from the append that wrote it
 * (`<number>-<version>-<index>`, zero-padded so ids sort in the order they were written) and is
 * the idempotency key of everything the effect does (its queue job ids, its sent marks).
 */
export interface OutboxEntry {
  id: string;
  workspace: string;
  number: number;
  effect: Effect;
  /** Failed tries so far (for the backoff). */
  attempts: number;
}

/**
 * The outbox's claim side. Entries are written by IncidentStore.append; a relay in every bot
 * process claims the ones that are due (never claimed, retry time reached, or whose claimer's
 * lease ran out because it died), performs them, and completes them. At least once, by design:
 * every effect is idempotent by its entry id.
 */
export interface OutboxStore {
  /** Leases up to `limit` due entries of a workspace until `leaseUntilMs`; oldest first. */
  claim(workspace: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboxEntry[]>;
  /** Extends the lease of entries still being worked on (only those still in the outbox). */
  extend(workspace: string, ids: readonly string[], leaseUntilMs: number): Promise<void>;
  /** The entries are done: they leave the outbox (one round trip for a batch). */
  complete(workspace: string, ids: string | readonly string[]): Promise<void>;
  /** The entry failed: it is tried again at `atMs`, with its attempt count stored. */
  retry(entry: OutboxEntry, atMs: number): Promise<void>;
  /** How many entries a workspace has waiting, or only those due by `dueBeforeMs` (metrics, tests, the chaos script). */
  pending(workspace: string, dueBeforeMs?: number): Promise<number>;
}

/** A stand-in on a rotation, from config or from `/incident cover`. Times are ISO (UTC). */
export interface CoverOverride {
  user: string;
  from: string;
  to: string;
}

/** What paging needs to remember beyond the incident itself. */
export interface OnCallStore {
  /** Overrides added with `/incident cover`, by rotation id; expired ones are dropped. */
  addOverride(workspace: string, rotationId: string, override: CoverOverride, now: Date): Promise<void>;
  overrides(workspace: string, now: Date): Promise<Record<string, CoverOverride[]>>;
  /** Side effects done once: `done` is checked before a send and `markDone` called after it. */
  done(key: string): Promise<boolean>;
  markDone(key: string, ttlSeconds: number): Promise<void>;
  /**
   * A sliding-window quota (`limits.pagesPerHour`): adds `by` to what `key` counted in the
   * `windowMs` before `now`, unless that would pass `limit`, in one atomic step. Answers whether
   * it was added and the count in the window (with `by` when added, without when refused).
   */
  countRecent(key: string, q: { by: number; limit: number; windowMs: number; now: Date }): Promise<{ added: boolean; count: number }>;
}

/**
 * An idempotency key taken in the same atomic write as the events: when it is already taken the
 * append writes nothing and answers 'duplicate'. A redelivered chat message is recorded once, and
 * a crash can never leave the key taken without the events written.
 */
export interface OnceKey {
  key: string;
  ttlSeconds: number;
}

/** Keeps postmortem drafts where people can edit them (a directory of Markdown files). */
export interface PostmortemWriter {
  /** Writes the draft and returns where it went. Writing again replaces it. */
  write(incident: Incident, markdown: string): Promise<string>;
}

/** Structured logging with fixed messages; data goes in the object. */
export interface Logger {
  info(data: object, msg: string): void;
  warn(data: object, msg: string): void;
  error(data: object, msg: string): void;
  child(bindings: object): Logger;
}

/** One escalation step of one incident. Its queue job id is derived from these fields alone. */
export type StepKind = 'ack_timeout' | 'update_due' | 'roles_due' | 'drill_step' | 'postmortem_due';

export interface StepRef {
  workspace: string;
  number: number;
  /** Bumped when an escalation is restarted (manual page, escalate), so older timers are superseded. */
  generation: number;
  step: number;
  /**
   * An acknowledgement timeout (the policy's ackTimeout) rather than a policy step; or a timer of
   * the guided response: an update reminder (`update_due`, `step` = its due time in seconds) or
   * the check for roles nobody holds (`roles_due`), a drill's next symptom (`drill_step`, `step` =
   * the symptom's index), a postmortem review reminder (`postmortem_due`, `step` = its due time
   * in seconds; issue 12). Those are not paging: nothing cancels
   * them with the steps, and each re-reads the incident and does nothing once it moved on.
   */
  kind?: StepKind;
}

/** A message that must arrive: delivered through the outbound queue with retries. */
export interface OutboundJob {
  /** Deterministic: the same logical message enqueued twice is delivered once. */
  id: string;
  workspace: string;
  kind: 'dm' | 'post' | 'update' | 'announce';
  /** User id for a DM, channel id for a post or an update; for an announcement, a configured channel NAME other than the announcement channel (a notice). */
  target?: string;
  /** The message an update replaces. */
  messageId?: string;
  /** Set on summary edits: the summary of this incident is rendered again at delivery. */
  summaryOf?: number;
  /** An edit of the pinned checklist of this incident: rendered again when delivered. */
  checklistOf?: number;
  message: OutboundMessage;
  /** Set on page DMs: sent only while the page is `requested`, then linked to it (page_sent). */
  page?: { number: number; pageId: string };
  /** Set on page DM edits: the outcome of this page is rendered again at delivery. */
  outcomeOf?: { number: number; pageId: string };
  /** Set on stand-down DMs: skipped at delivery when that person has an open page again. */
  standDownOf?: { number: number; userId: string };
}

/**
 * Durable timers and deliveries (BullMQ). Scheduling and sending are idempotent by id, so a job
 * that runs twice, or a command retried after a crash, schedules and sends nothing twice.
 */
export interface Scheduler {
  /**
   * Runs the step after `delayMs`. `dueAt` is the step's time on the bot's Clock, kept for dry
   * runs and demos. `replaceFailed` re-arms a step whose earlier job failed for good (the sweep).
   */
  scheduleStep(step: StepRef, delayMs: number, dueAt: string, options?: { replaceFailed?: boolean }): Promise<void>;
  /**
   * Removes the pending steps of an incident's escalation (only those of generations up to
   * `upToGeneration`, when given: an outbox entry run again late must not remove a timer a
   * later escalation armed). A step already running is not
   * stopped here: every step re-reads the incident and does nothing once it is acknowledged.
   */
  cancelSteps(workspace: string, number: number, upToGeneration?: number): Promise<void>;
  /** Queues a message; failures (rate limits, 5xx, timeouts) delay it, never drop it. */
  send(job: OutboundJob): Promise<void>;
}

/**
 * Where alert groups meet their incidents (src/app/alerts.ts). A group is bound to one incident
 * number; binding a new group allocates the number from the workspace's incident sequence in the
 * same atomic step, so two deliveries of one new group at the same moment get the same number.
 */
export interface AlertStore {
  /** The incident number a source's group is bound to, if any. */
  groupIncident(workspace: string, source: string, groupKey: string): Promise<number | null>;
  /**
   * Binds the group to a newly allocated number, unless it is already bound to a number other
   * than `replace` (the finished incident a new firing moves on from): then that number, not fresh.
   * A fresh number is also the source's latest incident from then on.
   */
  claimGroup(workspace: string, source: string, groupKey: string, replace: number | null): Promise<{ number: number; fresh: boolean }>;
  /** Binds the group to an existing incident (folding it in) unless it is bound already; returns the number it is bound to. */
  bindGroup(workspace: string, source: string, groupKey: string, number: number): Promise<number>;
  /** Remembers when each of these alerts was last heard of (for resolveAfterQuiet). */
  touch(workspace: string, number: number, fingerprints: readonly string[], atMs: number): Promise<void>;
  lastSeen(workspace: string, number: number): Promise<Record<string, number>>;
  /** Adds `n` alerts to the source's count for the current minute and returns the new count. */
  countAlerts(source: string, n: number, atMs: number): Promise<number>;
  /** The incident the source opened last (where alerts over its limit fold in). */
  latestIncident(workspace: string, source: string): Promise<number | null>;
}
