import { LiveStreams } from '../../src/web/incident-live.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { DEFAULT_SEVERITIES } from '../../src/config.js';
import { event, type IncidentEvent } from '../../src/core/events.js';
import { translator } from '../../src/core/i18n/index.js';
import type { Incident, IncidentKey } from '../../src/core/model.js';
import type { Viewer, WebApp } from '../../src/web/context.js';
import { channelLink, detailBody } from '../../src/web/incident-page.js';
import { insideFolder, renderMarkdown } from '../../src/web/incident-postmortem.js';
import { renderTimeline } from '../../src/web/incident-timeline.js';
import { incidentRoutesWith, parseKey, visibleIncident } from '../../src/web/incidents.js';
import { html } from '../../src/web/html.js';
import { alice, bob, carol, incident, pageCtx, person } from '../support/web-incidents.js';

const at = (hhmm: string) => new Date(`2026-01-05T${hhmm}:00.000Z`);
const ct = translator('en');

/** A private incident of Alice's with Bob paged, a public one, and one in another workspace. */
const secret = incident(1, { private: true, title: 'Payroll leak', escalation: { generation: 0, phase: 'acknowledged', pages: [{ id: 'g0s0-U2', user: bob, at: '2026-01-05T09:01:00.000Z', generation: 0, step: 0, state: 'acknowledged', sentAt: '2026-01-05T09:01:05.000Z', ackedAt: '2026-01-05T09:04:00.000Z' }], acknowledgedBy: bob, acknowledgedAt: '2026-01-05T09:04:00.000Z', ttaMs: 179_000 } });
const open = incident(2, { title: '<script>alert("x")</script> checkout', channelId: 'C1', channelName: 'inc-2-checkout' });
const elsewhere = incident(1, { workspace: 'slack:T9', title: 'Other team' });
const events: IncidentEvent[] = [
  event({ type: 'declared', title: open.title, summary: '', severity: 'P2', private: false }, alice, at('09:00')),
  event({ type: 'message_posted', channelId: 'C1', messageId: 'm1', text: 'restarting <b>pods</b>' }, bob, at('09:05')),
  event({ type: 'message_edited', channelId: 'C1', messageId: 'm1', text: 'restarting the pods' }, bob, at('09:06')),
  event({ type: 'message_deleted', channelId: 'C1', messageId: 'm1' }, bob, at('09:07')),
];

function fakeWeb(viewer: Viewer, store: Record<string, Incident>, eventsOf: (k: IncidentKey) => IncidentEvent[] = () => events, gets?: () => Incident | null): WebApp {
  const id = (k: IncidentKey) => `${k.workspace}/${k.number}`;
  const deps = {
    store: {
      get: async (k: IncidentKey) => (gets ? gets() : (store[id(k)] ?? null)),
      list: async (w: string) => Object.values(store).filter((i) => i.workspace === w),
      events: async (k: IncidentKey) => eventsOf(k),
      workspaces: async () => [...new Set(Object.values(store).map((i) => i.workspace))],
    },
    config: { admins: [], severities: DEFAULT_SEVERITIES, services: [], postmortems: { dir: '/nonexistent-postmortems' }, timeZone: 'UTC', locale: 'en' },
    log: { info() {}, warn() {}, error() {}, child: () => deps.log },
    clock: { now: () => new Date('2026-01-10T00:00:00.000Z') },
  } as unknown as Deps;
  return {
    deps,
    publicUrl: 'http://127.0.0.1:3000',
    page: (req) => pageCtx(viewer, { path: req.url.split('?')[0] ?? '/' }),
    workspacesOf: async (v) => (v.kind === 'admin' ? deps.store.workspaces() : [v.workspace]),
    sign: (p) => p,
    verify: () => true,
    live: new LiveStreams(10, 4),
  };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(viewer: Viewer, opts: { maxStreams?: number; gets?: () => Incident | null } = {}): Promise<FastifyInstance> {
  app = Fastify();
  const store = { 'local/1': secret, 'local/2': open, 'slack:T9/1': elsewhere };
  await incidentRoutesWith({ maxStreams: opts.maxStreams ?? 5, pollMs: 1 })(app, fakeWeb(viewer, store, undefined, opts.gets));
  return app;
}

describe('who sees an incident', () => {
  it('parses only well-formed workspaces and positive numbers', () => {
    expect(parseKey({ workspace: 'slack:T0123', number: '42' })).toEqual({ workspace: 'slack:T0123', number: 42 });
    for (const number of ['0', '-1', '1.5', '1e3', 'x', '01', '12345678901']) expect(parseKey({ workspace: 'local', number })).toBeUndefined();
    for (const workspace of ['', '../etc', 'a b', 'x'.repeat(80), '<b>']) expect(parseKey({ workspace, number: '1' })).toBeUndefined();
  });

  it('shows a private incident only to its people, in its own workspace, and to operators', () => {
    expect(visibleIncident(secret, person(carol), [])).toBeUndefined();
    expect(visibleIncident(secret, person(bob), [])).toBe(secret);
    expect(visibleIncident(secret, person(alice), [])).toBe(secret);
    expect(visibleIncident(secret, person(carol), ['U3'])).toBe(secret);
    expect(visibleIncident(elsewhere, person(alice), [])).toBeUndefined();
    expect(visibleIncident(secret, { kind: 'admin' }, [])).toBe(secret);
    expect(visibleIncident(null, { kind: 'admin' }, [])).toBeUndefined();
  });

  it('answers a non-member with the same 404 page as an incident that does not exist', async () => {
    const server = await serve(person(carol));
    const hidden = await server.inject('/incidents/local/1');
    const absent = await server.inject('/incidents/local/999');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).toBe(absent.body);
    expect(hidden.body).not.toContain('Payroll');
    expect((await server.inject('/incidents/local/1/live')).statusCode).toBe(404);
    expect((await server.inject('/incidents/local/0')).statusCode).toBe(404);
  });

  it('leaves private incidents out of a non-member table and CSV, and shows them to a member', async () => {
    const carolSees = await serve(person(carol));
    expect((await carolSees.inject('/incidents')).body).not.toContain('Payroll');
    expect((await carolSees.inject('/incidents.csv')).body).not.toContain('Payroll');
    await carolSees.close();
    const bobSees = await serve(person(bob));
    const page = await bobSees.inject('/incidents/local/1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Payroll leak');
    expect((await bobSees.inject('/incidents')).body).toContain('Payroll leak');
  });

  it('exports the filtered rows as a CSV attachment', async () => {
    const server = await serve({ kind: 'admin' });
    const res = await server.inject('/incidents.csv?q=other');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="incidents-2026-01-10\.csv"$/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('slack:T9,INC-1,Other team');
  });
});

describe("an incident's page", () => {
  it('escapes the title, shows the timeline with edits and deletions, and follows it live', async () => {
    const res = await (await serve(person(carol))).inject('/incidents/local/2');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; checkout');
    expect(res.body).toContain('restarting &lt;b&gt;pods&lt;/b&gt;');
    expect(res.body).toContain('(edited a message) restarting the pods');
    expect(res.body).toContain('(deleted a message)');
    expect(res.body).toContain(`data-live="/incidents/local/2/live?v=${open.version}"`);
    expect(res.body).toContain('<code>#inc-2-checkout</code>');
  });

  it('streams the timeline as Server-Sent Events and ends when the incident can no longer be seen', async () => {
    let calls = 0;
    const server = await serve(person(carol), { gets: () => (++calls <= 2 ? { ...open, version: open.version + calls } : null) });
    const res = await server.inject('/incidents/local/2/live');
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const messages = res.body.split('\n\n').filter((m) => m.startsWith('data: '));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('(deleted a message)');
    expect(messages[0]!.split('\n').every((line) => line.startsWith('data: '))).toBe(true);
  });

  it('answers 503 beyond the cap of open live timelines', async () => {
    const res = await (await serve(person(carol), { maxStreams: 0 })).inject('/incidents/local/2/live');
    expect(res.statusCode).toBe(503);
  });

  it('shows who was paged, by which tier, and who acknowledged when', () => {
    const out = detailBody({ ctx: pageCtx(person(bob)), ct, inc: secret, severityNames: { P2: 'High' }, timeline: html``, postmortem: { kind: 'missing' } }).value;
    expect(out).toContain('<td>Bob Lee</td><td><time datetime="2026-01-05T09:01:00.000Z">2026-01-05 09:01</time></td><td>step 1</td><td>acknowledged</td>');
    expect(out).toContain('Bob Lee · <time datetime="2026-01-05T09:04:00.000Z">2026-01-05 09:04</time> · after 2 min');
    expect(out).toContain('No postmortem yet.');
  });

  it('renders the postmortem from Markdown without raw HTML or javascript: links', () => {
    const out = renderMarkdown('# Review\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) [docs](https://example.com)').value;
    expect(out).toContain('<h1>Review</h1>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).not.toContain('href="javascript:');
    expect(out).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>');
    expect(insideFolder('/data/pm/local/INC-1-x.md', '/data/pm')).toBe(true);
    expect(insideFolder('/data/pm/../secrets.md', '/data/pm')).toBe(false);
    expect(insideFolder('/data/pm/local/INC-1.txt', '/data/pm')).toBe(false);
  });

  it('links the chat channel on Slack and Discord, and names it on the local workspace', () => {
    expect(channelLink({ workspace: 'slack:T01', channelId: 'C02', channelName: 'inc-7' })).toEqual({ text: '#inc-7', href: 'https://app.slack.com/client/T01/C02' });
    expect(channelLink({ workspace: 'discord:123', channelId: '456', channelName: 'inc-7' })).toEqual({ text: '#inc-7', href: 'https://discord.com/channels/123/456' });
    expect(channelLink({ workspace: 'local', channelId: 'c1', channelName: 'inc-7' })).toEqual({ text: '#inc-7' });
    expect(channelLink({ workspace: 'slack:T01', channelId: 'C02/../x', channelName: 'inc-7' })).toEqual({ text: '#inc-7' });
    expect(channelLink({ workspace: 'local' })).toBeUndefined();
  });

  it('renders the timeline in the page language, a day heading before each day', () => {
    const out = renderTimeline(events, translator('ko'), { t: pageCtx(person(alice)).t, timeZone: 'Asia/Seoul' }).value;
    expect(out).toContain('<h3>2026-01-05</h3>');
    expect(out).toContain('(메시지 삭제)');
    expect(out).toContain('<time datetime="2026-01-05T09:07:00.000Z">18:07</time>');
  });
});
