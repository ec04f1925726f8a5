import { PlatformError } from '../../src/core/errors.js';
import type { ChannelRef, ChatPort, MessageRef, OutboundMessage } from '../../src/core/ports.js';
import type { Task, World } from './paging-world.js';

/**
 * The chat platform of a property run: records every message the bot sends (DMs with who they
 * went to, which task sent them and, for page DMs, which page the outbound job carried), keeps
 * each message's current content (edits replace it, so a DM whose buttons were replaced by the
 * outcome shows that), and fails calls as the command sequence says.
 */

export type FailKind = 'rate_limited' | 'transient' | 'permanent' | 'accepted_timeout';

export interface Failure {
  kind: FailKind;
  /** 'dm' fails only DMs; 'any' fails whichever platform call comes next. */
  scope: 'dm' | 'any';
}

export interface SentDm {
  seq: number;
  task: Task;
  user: string;
  ref: MessageRef;
  text: string;
  /** The page the delivering outbound job carries (job.page). */
  page?: { number: number; pageId: string };
  jobId?: string;
  /** When the DM call was made, the sender's last read of the page's incident (op seq, `wall`). */
  read?: { seq: number; wall: number };
  /** `wall` when the DM call was made. */
  wall: number;
  /** The platform took the DM but the call failed (a timeout after acceptance): the bot never learned. */
  timedOut?: boolean;
}

export class FakePlatform {
  failures: Failure[] = [];
  readonly dms: SentDm[] = [];
  readonly messages = new Map<string, { channelId: string; message: OutboundMessage }>();
  /** Messages whose edit the platform refused for good (deleted, archived): they keep what they showed. */
  readonly refusedEdits = new Set<string>();
  private ids = 0;

  constructor(private readonly world: World) {}

  /** The chat port one task sees; the world gates each of its calls. */
  portFor(task: Task): ChatPort {
    const hit = (what: 'dm' | 'other') => this.take(what);
    const nextId = () => `m${++this.ids}`;
    const store = (channelId: string, message: OutboundMessage): MessageRef => {
      const ref = { channelId, messageId: nextId() };
      this.messages.set(ref.messageId, { channelId, message });
      return ref;
    };
    const world = this.world;
    return {
      createChannel: async (_ws, name): Promise<ChannelRef> => {
        failAround(hit('other'));
        return { id: `C-${name}`, name };
      },
      invite: async () => failAround(hit('other')),
      setTopic: async () => failAround(hit('other')),
      react: async () => failAround(hit('other')),
      pin: async () => failAround(hit('other')),
      dmFile: async () => failAround(hit('other')),
      userName: async (_ws, id) => id,
      isMember: async () => true,
      post: async (_ws, channelId, message) => {
        const f = hit('other');
        fail(f, true);
        const ref = store(channelId, message);
        fail(f);
        return ref;
      },
      announce: async (_ws, message) => {
        const f = hit('other');
        fail(f, true);
        const ref = store('C-announce', message);
        fail(f);
        return ref;
      },
      update: async (_ws, ref, message) => {
        const f = hit('other');
        if (f?.kind === 'permanent') this.refusedEdits.add(ref.messageId);
        fail(f, true);
        const old = this.messages.get(ref.messageId);
        if (!old) throw new PlatformError('message_not_found', 'permanent');
        this.messages.set(ref.messageId, { channelId: old.channelId, message });
        fail(f);
      },
      dm: async (_ws, user, message) => {
        const f = hit('dm');
        fail(f, true);
        const ref = store(`D-${user}`, message);
        const job = task.outbound;
        const page = job?.page;
        this.dms.push({
          seq: world.seq,
          task,
          user,
          ref,
          text: message.text,
          wall: world.wall,
          ...(page ? { page, read: task.lastRead.get(page.number) } : {}),
          ...(job ? { jobId: job.id } : {}),
          ...(f ? { timedOut: true } : {}),
        });
        fail(f);
        return ref;
      },
    };
  }

  private take(what: 'dm' | 'other'): Failure | undefined {
    const head = this.failures[0];
    if (!head || (head.scope === 'dm' && what !== 'dm')) return undefined;
    this.failures.shift();
    return head;
  }
}

/** For calls whose work the fake does not model: fails before or after "doing" it, as `fail` says. */
function failAround(f: Failure | undefined): void {
  fail(f, true);
  fail(f);
}

/**
 * Throws the failure, if any. `before` is the moment before the platform does anything: every
 * kind but 'accepted_timeout' fails there; that one fails after the platform did the work.
 */
function fail(f: Failure | undefined, before = false): void {
  if (!f) return;
  if (before === (f.kind === 'accepted_timeout')) return;
  if (f.kind === 'rate_limited') throw new PlatformError('429 Too Many Requests', 'rate_limited', 1_000);
  if (f.kind === 'permanent') throw new PlatformError('cannot_dm_user', 'permanent', undefined, 'the user has DMs closed');
  throw new PlatformError(f.kind === 'accepted_timeout' ? 'request timed out' : '503 Service Unavailable', 'transient');
}
