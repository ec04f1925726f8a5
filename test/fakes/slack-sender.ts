import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FakeSlack } from './fake-slack.js';

/**
 * Slack's side of the bot's inbound traffic: signed slash commands (form-encoded, with a
 * response_url and trigger_id from FakeSlack), Events API envelopes (JSON, with event_id and
 * team_id, optionally marked as a retry) and interactions (`payload=<json>`: block_actions,
 * view_submission). Payloads are built from fixed ids with overrides, as Bolt's own tests do.
 * `timestamp` and `signature` can be forced to test the receiver's checks.
 */

export interface SendOptions {
  /** Seconds since the epoch for x-slack-request-timestamp; default now. */
  timestamp?: number;
  /** Replaces the computed x-slack-signature. */
  signature?: string;
  retryNum?: number;
}

export interface Sent {
  status: number;
  body: string;
  /** performance.now() before sending and when the response headers arrived. */
  sentAt: number;
  respondedAt: number;
}

export interface CommandOptions extends SendOptions {
  user: string;
  userName?: string;
  channel: string;
  channelName?: string;
}

const APP_ID = 'A0FAKEAPP';

export class SlackSender {
  private eventSeq = 0;

  constructor(
    readonly botUrl: string,
    private readonly secret: string,
    private readonly fake: FakeSlack,
  ) {}

  private get teamId(): string {
    return this.fake.workspace.teamId;
  }

  /** Slack's request signature: v0=HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`). */
  sign(body: string, timestamp: number): string {
    return `v0=${createHmac('sha256', this.secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  }

  async send(body: string, contentType: string, o: SendOptions = {}): Promise<Sent> {
    const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': o.signature ?? this.sign(body, timestamp),
    };
    if (o.retryNum) Object.assign(headers, { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' });
    const sentAt = performance.now();
    const res = await fetch(this.botUrl, { method: 'POST', headers, body });
    const respondedAt = performance.now();
    return { status: res.status, body: await res.text(), sentAt, respondedAt };
  }

  async command(text: string, o: CommandOptions): Promise<Sent & { responseUrl: string; triggerId: string }> {
    const responseUrl = this.fake.responseUrl();
    const triggerId = this.fake.triggerId();
    const form = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: this.teamId,
      team_domain: 'fake',
      channel_id: o.channel,
      channel_name: o.channelName ?? o.channel.toLowerCase(),
      user_id: o.user,
      user_name: o.userName ?? o.user.toLowerCase(),
      command: '/incident',
      text,
      api_app_id: APP_ID,
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    return { ...(await this.send(form.toString(), 'application/x-www-form-urlencoded', o)), responseUrl, triggerId };
  }

  async event(event: Record<string, unknown>, o: SendOptions & { eventId?: string } = {}): Promise<Sent & { eventId: string }> {
    const eventId = o.eventId ?? `Ev${String(++this.eventSeq).padStart(8, '0')}`;
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: this.teamId,
      api_app_id: APP_ID,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.teamId, user_id: this.fake.workspace.botUserId, is_bot: true }],
      event,
    });
    return { ...(await this.send(body, 'application/json', o)), eventId };
  }

  message(o: { user: string; channel: string; text: string; ts?: string }, send: SendOptions & { eventId?: string } = {}) {
    const ts = o.ts ?? this.fake.workspace.nextTs();
    return this.event({ type: 'message', channel: o.channel, user: o.user, text: o.text, ts, event_ts: ts, channel_type: 'channel' }, send);
  }

  reaction(o: { user: string; channel: string; ts: string; reaction: string }) {
    const item = { type: 'message', channel: o.channel, ts: o.ts };
    return this.event({ type: 'reaction_added', user: o.user, reaction: o.reaction, item, item_user: this.fake.workspace.botUserId, event_ts: this.fake.workspace.nextTs() });
  }

  pin(o: { user: string; channel: string; ts: string; text: string }) {
    const item = { type: 'message', channel: o.channel, message: { type: 'message', ts: o.ts, text: o.text } };
    return this.event({ type: 'pin_added', user: o.user, channel_id: o.channel, item, event_ts: this.fake.workspace.nextTs() });
  }

  interaction(payload: Record<string, unknown>, o: SendOptions = {}): Promise<Sent> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', o);
  }

  private who(user: string) {
    return { team: { id: this.teamId, domain: 'fake' }, user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.teamId } };
  }

  /** A button pressed on a message the bot posted; answers go to the returned response_url. */
  async press(o: { user: string; actionId: string; value: string; channel: string; messageTs: string }): Promise<Sent & { responseUrl: string }> {
    const responseUrl = this.fake.responseUrl();
    const sent = await this.interaction({
      type: 'block_actions',
      ...this.who(o.user),
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      trigger_id: this.fake.triggerId(),
      container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false },
      channel: { id: o.channel, name: o.channel },
      message: { type: 'message', ts: o.messageTs, text: '' },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: o.actionId, block_id: 'actions', value: o.value, text: { type: 'plain_text', text: o.actionId }, action_ts: String(Date.now() / 1000) }],
    });
    return { ...sent, responseUrl };
  }

  /** Submits a view the bot opened (as views.open received it) with the given state values. */
  submit(o: { user: string; view: Record<string, unknown>; values: Record<string, Record<string, unknown>> }): Promise<Sent> {
    return this.interaction({
      type: 'view_submission',
      ...this.who(o.user),
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      trigger_id: this.fake.triggerId(),
      view: { ...o.view, id: 'V0SUBMIT', team_id: this.teamId, app_id: APP_ID, hash: 'h', state: { values: o.values } },
      response_urls: [],
    });
  }
}
