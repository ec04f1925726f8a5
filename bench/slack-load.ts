import { FakeSlack } from '../test/fakes/fake-slack.js';
import type { SlackSender } from '../test/fakes/slack-sender.js';

/**
 * The Slack side of bench/slack-ack.ts, in its own process as Slack is in production: FakeSlack
 * answering the bots' Web API calls and response_urls, and the load generator sending signed
 * commands and events. Keeping it out of the bots' process means their event loop pays only for
 * what it would pay in production. Driven over IPC by the parent (`LoadRequest` / `LoadReply`).
 */

export type LoadRequest =
  | { id: number; op: 'burst'; port: number; n: number; tag: string }
  | { id: number; op: 'declare'; port: number; text: string }
  | { id: number; op: 'ingest'; port: number; channels: string[]; messages: number; inFlight: number }
  | { id: number; op: 'stop' };

export type LoadReply =
  | { op: 'ready'; apiUrl: string }
  | { id: number; ok: true; latencies?: number[]; text?: string }
  | { id: number; ok: false; error: string };

/** Load generators send as UBENCH0..UBENCH12, all members of the fake workspace. */
export const BENCH_USERS = 13;

const senders = new Map<number, SlackSender>();

function senderFor(fake: FakeSlack, port: number): SlackSender {
  let sender = senders.get(port);
  if (!sender) senders.set(port, (sender = fake.sender(`http://127.0.0.1:${port}/slack/events`)));
  return sender;
}

/** `n` declares sent at once; each one's ack latency in ms. */
async function burst(fake: FakeSlack, sender: SlackSender, n: number, tag: string): Promise<number[]> {
  const channel = fake.workspace.channelByName('general')!.id;
  const sent = await Promise.all(Array.from({ length: n }, (_, i) => sender.command(`declare Bench ${tag} ${i} --sev P4`, { user: `UBENCH${i % 7}`, channel })));
  const bad = sent.find((s) => s.status !== 200);
  if (bad) throw new Error(`a command was answered with HTTP ${bad.status}`);
  return sent.map((s) => s.respondedAt - s.sentAt);
}

/** One command; resolves with the text the bot answered on its response_url. */
async function declare(fake: FakeSlack, sender: SlackSender, text: string): Promise<string> {
  const sent = await sender.command(text, { user: 'UBENCH0', channel: fake.workspace.channelByName('general')!.id });
  return String((await fake.waitForResponse(sent.responseUrl, 30_000)).body.text);
}

/** Message events over the channels, `inFlight` unanswered at a time, until all are acked. */
async function ingest(sender: SlackSender, channels: string[], messages: number, inFlight: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < messages; i = next++) {
      const res = await sender.message({ user: `UBENCH${i % BENCH_USERS}`, channel: channels[i % channels.length]!, text: `ingest message ${i}` });
      if (res.status !== 200) throw new Error(`a message event was answered with HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function handle(fake: FakeSlack, req: LoadRequest): Promise<LoadReply> {
  switch (req.op) {
    case 'burst':
      return { id: req.id, ok: true, latencies: await burst(fake, senderFor(fake, req.port), req.n, req.tag) };
    case 'declare':
      return { id: req.id, ok: true, text: await declare(fake, senderFor(fake, req.port), req.text) };
    case 'ingest':
      await ingest(senderFor(fake, req.port), req.channels, req.messages, req.inFlight);
      return { id: req.id, ok: true };
    case 'stop':
      await fake.close();
      setImmediate(() => process.exit(0));
      return { id: req.id, ok: true };
  }
}

async function main(): Promise<void> {
  const fake = await FakeSlack.start();
  fake.workspace.addChannel('general', { botIsMember: true });
  fake.workspace.addChannel('incidents', { botIsMember: true });
  for (let i = 0; i < BENCH_USERS; i++) fake.workspace.addUser(`UBENCH${i}`, `bench${i}`);
  // Keeps the fake's memory flat over long runs: the bench reads no call log.
  setInterval(() => fake.calls.splice(0), 1000).unref();
  process.on('message', (req: LoadRequest) => {
    handle(fake, req).then(
      (reply) => process.send?.(reply),
      (err: Error) => process.send?.({ id: req.id, ok: false, error: err.message }),
    );
  });
  process.send?.({ op: 'ready', apiUrl: fake.apiUrl } satisfies LoadReply);
}

if (process.send) void main();
