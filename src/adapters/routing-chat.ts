import { PlatformError } from '../core/errors.js';
import type { ChannelOptions, ChannelRef, ChatPort, MessageRef, OutboundMessage, UploadFile } from '../core/ports.js';

const HAND_BACK_MS = 2_000;

/**
 * One chat port over several platforms. Workspace ids carry their platform as a prefix
 * (`slack:T0123`, `discord:8812...`), so a queued page or a step job finds its way back to the
 * platform its incident lives on, whichever process runs it.
 */
export class RoutingChat implements ChatPort {
  private readonly routes = new Map<string, ChatPort>();

  register(platform: string, chat: ChatPort): void {
    this.routes.set(platform, chat);
  }

  /** Throws (inside the async methods below, so callers always get a rejected promise). */
  private to(workspace: string): ChatPort {
    const platform = workspace.includes(':') ? workspace.slice(0, workspace.indexOf(':')) : workspace;
    const chat = this.routes.get(platform);
    // Another bot process has this platform (Discord's gateway runs in one process only): hand
    // the job back to the queue for a while, without using up an attempt, for that process to take.
    if (!chat) throw new PlatformError(`no ${platform} adapter in this process`, 'rate_limited', HAND_BACK_MS, `run a process with ${platform} credentials`);
    return chat;
  }

  async createChannel(ws: string, name: string, options: ChannelOptions): Promise<ChannelRef> {
    return this.to(ws).createChannel(ws, name, options);
  }
  async invite(ws: string, channelId: string, userIds: string[]): Promise<void> {
    return this.to(ws).invite(ws, channelId, userIds);
  }
  async setTopic(ws: string, channelId: string, topic: string): Promise<void> {
    return this.to(ws).setTopic(ws, channelId, topic);
  }
  async post(ws: string, channelId: string, message: OutboundMessage): Promise<MessageRef> {
    return this.to(ws).post(ws, channelId, message);
  }
  async update(ws: string, ref: MessageRef, message: OutboundMessage): Promise<void> {
    return this.to(ws).update(ws, ref, message);
  }
  async dm(ws: string, userId: string, message: OutboundMessage): Promise<MessageRef> {
    return this.to(ws).dm(ws, userId, message);
  }
  async announce(ws: string, message: OutboundMessage, channel?: string): Promise<MessageRef> {
    return this.to(ws).announce(ws, message, channel);
  }
  async react(ws: string, ref: MessageRef, emoji: string): Promise<void> {
    return this.to(ws).react(ws, ref, emoji);
  }
  async pin(ws: string, ref: MessageRef): Promise<void> {
    return this.to(ws).pin(ws, ref);
  }
  async dmFile(ws: string, userId: string, file: UploadFile, message?: OutboundMessage): Promise<void> {
    return this.to(ws).dmFile(ws, userId, file, message);
  }
  async isMember(ws: string, userId: string): Promise<boolean> {
    return this.to(ws).isMember(ws, userId);
  }

  async userName(ws: string, userId: string): Promise<string> {
    return this.to(ws).userName(ws, userId);
  }
}
