import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SlackSender } from './slack-sender.js';
import { SlackWorkspace, type Answer, type Params } from './slack-web-api.js';

/**
 * A Slack Web API on 127.0.0.1 for the real Bolt app and WebClient to talk to (GoAlert's
 * mockslack idea, in TypeScript). It checks the bearer token, answers the methods the bot uses
 * from an in-memory workspace (slack-web-api.ts), records every call with the time it arrived,
 * injects faults per method (429 with Retry-After, 500, any `ok: false` code, slow answers),
 * and hands out `response_url`s whose posts it keeps. `sender()` signs requests to the bot.
 */

export interface ApiCall {
  method: string;
  params: Params;
  /** performance.now() when the request arrived, comparable with SlackSender's times. */
  at: number;
  status: number;
  answer?: Answer;
}

export interface ResponseUrlPost {
  url: string;
  at: number;
  body: { text?: string; blocks?: unknown[]; response_type?: string; replace_original?: boolean };
}

export type Fault = { status: 429; retryAfter: number } | { status: 500 | 503 } | { error: string; needed?: string } | { delayMs: number };

interface PendingFault {
  method: string;
  fault: Fault;
  times: number;
  when?: (params: Params) => boolean;
}

export const FAKE_TOKEN = 'xoxb-fake-token';
export const FAKE_SECRET = 'fake-signing-secret';
/** JSON-encoded arguments of Web API methods, sent as strings in form bodies. */
const JSON_PARAMS = new Set(['blocks', 'view', 'attachments', 'files']);
/** The fault name of the upload URLs files.getUploadURLExternal hands out (not a Web API method). */
export const UPLOAD_URL = 'upload';

/** Answers a Web API method outside the workspace, checking the caller's token itself. */
export type MethodHandler = (token: string, params: Params) => Answer;

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly workspace: SlackWorkspace;
  private readonly faults: PendingFault[] = [];
  private readonly routes = new Map<string, MethodHandler>();
  private responseSeq = 0;
  private triggerSeq = 0;

  private constructor(
    private readonly server: Server,
    readonly token: string,
    workspace: SlackWorkspace,
  ) {
    this.workspace = workspace;
  }

  static async start(o: { token?: string; workspace?: SlackWorkspace } = {}): Promise<FakeSlack> {
    const server = createServer();
    const fake = new FakeSlack(server, o.token ?? FAKE_TOKEN, o.workspace ?? new SlackWorkspace());
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.workspace.uploadBase = `${fake.baseUrl}/upload/`;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What SLACK_API_URL (clientOptions.slackApiUrl) should be. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** Signs and sends commands, events and interactions to a bot listening at `botUrl`. */
  sender(botUrl: string, secret = FAKE_SECRET): SlackSender {
    return new SlackSender(botUrl, secret, this);
  }

  /** Makes the next `times` calls to `method` (matching `when`) fail with `fault`; `UPLOAD_URL` for the file upload URLs. */
  fail(method: string, fault: Fault, o: { times?: number; when?: (params: Params) => boolean } = {}): void {
    this.faults.push({ method, fault, times: o.times ?? 1, ...(o.when ? { when: o.when } : {}) });
  }

  /**
   * Answers `method` with `handler` instead of the workspace and the bot-token check: for
   * methods that take another token (apps.connections.open takes the app-level xapp- token).
   */
  route(method: string, handler: MethodHandler): void {
    this.routes.set(method, handler);
  }

  /** A fresh response_url, as Slack puts in every command and interaction. */
  responseUrl(): string {
    return `${this.baseUrl}/respond/${++this.responseSeq}`;
  }

  triggerId(): string {
    return `trigger-${++this.triggerSeq}`;
  }

  callsTo(method: string, when: (c: ApiCall) => boolean = () => true): ApiCall[] {
    return this.calls.filter((c) => c.method === method && when(c));
  }

  /** Every topic conversations.setTopic accepted for a channel, oldest first (the current one is `workspace.topicOf`). */
  topicsSet(channelId: string): string[] {
    return this.callsTo('conversations.setTopic', (c) => c.params.channel === channelId && c.answer?.ok === true).map((c) => String(c.params.topic ?? ''));
  }

  /** Resolves with the first truthy value `find` returns, polling; rejects after `timeoutMs`. */
  async waitFor<T>(find: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = find();
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`FakeSlack: timed out waiting for ${what}; last calls: ${this.calls.slice(-8).map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  waitForCall(method: string, when: (c: ApiCall) => boolean = () => true, timeoutMs?: number): Promise<ApiCall> {
    return this.waitFor(() => this.calls.find((c) => c.method === method && c.status === 200 && c.answer?.ok && when(c)), `a ${method} call`, timeoutMs);
  }

  /** The answer posted to one response_url. */
  waitForResponse(url: string, timeoutMs?: number): Promise<ResponseUrlPost> {
    return this.waitFor(() => this.responses.find((r) => r.url === url), `an answer on ${url}`, timeoutMs);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const path = new URL(req.url ?? '/', this.baseUrl).pathname;
    if (path.startsWith('/upload/')) return this.upload(path.slice('/upload/'.length), bytes, String(req.headers['content-type'] ?? ''), res);
    if (path.startsWith('/respond/')) {
      this.responses.push({ url: `${this.baseUrl}${path}`, at, body: JSON.parse(raw || '{}') as ResponseUrlPost['body'] });
      return json(res, 200, { ok: true });
    }
    if (!path.startsWith('/api/')) return json(res, 404, { ok: false, error: 'not_found' });
    const method = path.slice('/api/'.length);
    const params = parseParams(raw, String(req.headers['content-type'] ?? ''));
    const call: ApiCall = { method, params, at, status: 200 };
    this.calls.push(call);
    const fault = this.takeFault(method, params);
    if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    else if (fault && 'status' in fault) {
      call.status = fault.status;
      if (fault.status === 429) res.setHeader('retry-after', String(fault.retryAfter));
      return json(res, fault.status, { ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' });
    } else if (fault) {
      call.answer = { ok: false, error: fault.error, ...(fault.needed ? { needed: fault.needed } : {}) };
      return json(res, 200, call.answer);
    }
    const auth = String(req.headers.authorization ?? '');
    const token = auth.replace(/^Bearer\s+/i, '') || String(params.token ?? '');
    const route = this.routes.get(method);
    if (route) call.answer = route(token, params);
    else call.answer = token === this.token ? this.workspace.handle(method, params) : { ok: false, error: 'invalid_auth' };
    json(res, 200, call.answer);
  }

  /**
   * The upload URL of files.getUploadURLExternal: Slack takes the bytes as the raw body or as a
   * multipart form's file (the WebClient sends a form with one file field); it answers 200
   * `OK - <length>` in plain text. A fault named `UPLOAD_URL` fails it with its status.
   */
  private async upload(fileId: string, body: Buffer, contentType: string, res: ServerResponse): Promise<void> {
    const fault = this.takeFault(UPLOAD_URL, {});
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('upload failed');
      return;
    }
    const data = contentType.includes('multipart/form-data') ? await fileOfForm(body, contentType) : body;
    const stored = data && this.workspace.receiveUpload(fileId, data);
    if (!stored) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown upload');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${data.length}`);
  }

  private takeFault(method: string, params: Params): Fault | undefined {
    const i = this.faults.findIndex((f) => f.method === method && (!f.when || f.when(params)));
    const pending = this.faults[i];
    if (!pending) return undefined;
    if (--pending.times <= 0) this.faults.splice(i, 1);
    return pending.fault;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** The first file of a multipart/form-data body, parsed as any fetch Response parses a form. */
async function fileOfForm(body: Buffer, contentType: string): Promise<Buffer | null> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  for (const value of form.values()) if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  return null;
}

/** Form-encoded (the WebClient's default) or JSON; JSON-valued arguments come back as objects. */
function parseParams(raw: string, contentType: string): Params {
  if (contentType.includes('application/json')) return (raw ? JSON.parse(raw) : {}) as Params;
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = JSON_PARAMS.has(key) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
