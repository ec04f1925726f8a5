import { LiveStreams } from '../../src/web/incident-live.js';
import Fastify, { type FastifyInstance } from 'fastify';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { oncall } from '../../commands/oncall.js';
import type { CommandContext, Deps } from '../../src/app/context.js';
import { translator } from '../../src/core/i18n/index.js';
import type { CoverOverride } from '../../src/core/ports.js';
import { schedule } from '../../src/core/rotation.js';
import { rotationSchema, type Rotation } from '../../src/core/rotation-schema.js';
import { signer } from '../../src/web/auth.js';
import type { PageContext, Viewer, WebApp } from '../../src/web/context.js';
import { feedAllowed, feedPath, FEED_DAYS } from '../../src/web/ical.js';
import { webTranslator } from '../../src/web/i18n/index.js';
import { oncallRoutes } from '../../src/web/oncall.js';
import { calendarRange, calendarTable } from '../../src/web/oncall-calendar.js';
import { piecesBetween } from '../../src/web/oncall-shifts.js';

const NOW = new Date('2026-01-07T03:00:00Z'); // Wednesday 12:00 in Seoul
const ZONE = 'Asia/Seoul';

/** Weekdays: alice, bob, carol by the week; weekends: dave and erin on a higher layer; carol covers alice one afternoon. */
const rotation: Rotation = rotationSchema.parse({
  id: 'ops',
  name: 'Ops',
  timeZone: ZONE,
  layers: [
    { members: ['alice', 'bob', 'carol'], shift: '1w', handoff: '09:00', start: '2026-01-05' },
    { members: ['dave', 'erin'], shift: '1w', handoff: '00:00', start: '2026-01-05', days: ['sat', 'sun'] },
  ],
  overrides: [{ user: 'carol', from: '2026-01-14T10:00', to: '2026-01-14T18:00' }],
});
/** A cover from `/incident cover`, kept by deps.oncall. */
const COVERS: Record<string, CoverOverride[]> = { ops: [{ user: 'frank', from: '2026-01-20T00:00:00.000Z', to: '2026-01-21T00:00:00.000Z' }] };

const keys = signer('test-secret');

function makeDeps(names: Record<string, string> = {}): Deps {
  return {
    config: { rotations: [rotation], timeZone: ZONE, locale: 'en' },
    clock: { now: () => NOW },
    oncall: { overrides: async (workspace: string) => (workspace === 'W' ? COVERS : {}) },
    chat: { userName: async (_w: string, id: string) => names[id] ?? `Name of ${id}` },
    t: translator('en'),
  } as unknown as Deps;
}

async function makeApp(viewer: Viewer, names?: Record<string, string>): Promise<FastifyInstance> {
  const deps = makeDeps(names);
  const web: WebApp = {
    deps,
    publicUrl: 'https://oncall.example',
    page: (req) => ({ t: webTranslator('en'), lang: 'en', viewer, csrf: 'c', now: NOW, timeZone: ZONE, playground: false, path: req.url.split('?')[0] ?? '/' }) satisfies PageContext,
    workspacesOf: async (v) => (v.kind === 'admin' ? ['W'] : [v.workspace]),
    sign: keys.sign,
    verify: keys.verify,
    live: new LiveStreams(10, 4),
  };
  const app = Fastify();
  await oncallRoutes(app, web);
  await app.ready();
  return app;
}

const alice: Viewer = { kind: 'person', platform: 'local', workspace: 'W', userId: 'alice', name: 'Alice' };
const signed = (path: string) => `${path}?token=${encodeURIComponent(keys.sign(path))}`;

/** The VEVENTs of a feed as someone's calendar app reads them. */
function readFeed(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((e) => {
    const start = e.getFirstPropertyValue('dtstart') as ICAL.Time;
    const end = e.getFirstPropertyValue('dtend') as ICAL.Time;
    return {
      uid: String(e.getFirstPropertyValue('uid')),
      summary: String(e.getFirstPropertyValue('summary')),
      start: start.toJSDate().toISOString(),
      end: end.toJSDate().toISOString(),
      utc: start.zone === ICAL.Timezone.utcTimezone && end.zone === ICAL.Timezone.utcTimezone,
      stamped: e.getFirstPropertyValue('dtstamp') !== null,
    };
  });
  return { name: String(cal.getFirstPropertyValue('x-wr-calname')), events };
}

/** What schedule() says a year ahead: the shifts (someone on call), the last cut at the year's end. */
function expectedShifts(covers: CoverOverride[]) {
  const until = NOW.getTime() + FEED_DAYS * 86_400_000;
  return schedule(rotation, NOW, 1000, covers)
    .filter((s) => s.userId !== null && s.from.getTime() < until)
    .map((s) => ({ userId: s.userId as string, start: s.from.toISOString(), end: new Date(Math.min(s.to.getTime(), until)).toISOString() }));
}

describe('the rotation iCal feed', () => {
  it('parses with ical.js and holds exactly the shifts schedule() gives, a year ahead, covers included', async () => {
    const app = await makeApp({ kind: 'admin' });
    const res = await app.inject({ url: signed(feedPath.rotation('W', 'ops')) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const feed = readFeed(res.body);
    expect(feed.name).toBe('On call: Ops');
    const want = expectedShifts(COVERS.ops!);
    expect(want.length).toBeGreaterThan(100);
    expect(feed.events.map((e) => ({ summary: e.summary, start: e.start, end: e.end }))).toEqual(
      want.map((s) => ({ summary: `Name of ${s.userId} on call`, start: s.start, end: s.end })),
    );
    expect(feed.events.some((e) => e.summary === 'Name of frank on call' && e.start === '2026-01-20T00:00:00.000Z')).toBe(true);
    expect(feed.events.every((e) => e.utc && e.stamped)).toBe(true);
    expect(new Set(feed.events.map((e) => e.uid)).size).toBe(feed.events.length);
    // Fetched again later the same shift keeps its UID, so calendar apps update rather than duplicate.
    const again = readFeed((await app.inject({ url: signed(feedPath.rotation('W', 'ops')) })).body);
    expect(again.events[3]?.uid).toBe(feed.events[3]?.uid);
  });

  it('agrees with what /incident oncall says now and next', async () => {
    const app = await makeApp({ kind: 'admin' });
    const feed = readFeed((await app.inject({ url: signed(feedPath.rotation('W', 'ops')) })).body);
    const inv = { platform: 'local', workspace: 'W', channelId: 'c', user: { id: 'alice', name: 'Alice' }, text: 'oncall' } as const;
    const reply = await oncall.run({ deps: makeDeps(), inv, args: '' } as unknown as CommandContext);
    // "now: <@alice> until T" then "then: <@dave> from T until T", times as chat time tokens.
    const lines = reply.text.split('\n').slice(1);
    const said = lines.map((line) => ({ user: /<@(\w+)>/.exec(line)?.[1], times: [...line.matchAll(/t:(\d+):/g)].map((m) => new Date(Number(m[1]) * 1000).toISOString()) }));
    expect(said).toHaveLength(3);
    said.forEach((s, i) => {
      const e = feed.events[i]!;
      expect(e.summary).toBe(`Name of ${s.user} on call`);
      expect(s.times.at(-1)).toBe(e.end);
      if (i > 0) expect(s.times[0]).toBe(e.start);
    });
  });
});

describe('the personal iCal feed', () => {
  it('holds that person’s shifts across rotations and nobody else’s', async () => {
    const app = await makeApp(alice);
    const res = await app.inject({ url: signed(feedPath.person('W', 'alice')) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const feed = readFeed(res.body);
    expect(feed.name).toBe('On call shifts of Name of alice');
    const want = expectedShifts(COVERS.ops!).filter((s) => s.userId === 'alice');
    expect(want.length).toBeGreaterThan(10);
    expect(feed.events.map((e) => [e.summary, e.start, e.end])).toEqual(want.map((s) => ['On call: Ops', s.start, s.end]));
  });
});

describe('feed tokens', () => {
  it('refuses a missing, wrong or borrowed token with a bare 404', async () => {
    const app = await makeApp({ kind: 'admin' });
    const rotationPath = feedPath.rotation('W', 'ops');
    const personPath = feedPath.person('W', 'alice');
    const tries = [
      rotationPath,
      `${rotationPath}?token=nope`,
      `${rotationPath}?token=${encodeURIComponent(keys.sign(personPath))}`,
      `${personPath}?token=${encodeURIComponent(keys.sign(rotationPath))}`,
      `${feedPath.person('W', 'bob')}?token=${encodeURIComponent(keys.sign(personPath))}`,
      `${rotationPath}?token=${encodeURIComponent(signer('other-secret').sign(rotationPath))}`,
      // A rotation feed given for one workspace does not open another's (covers are per workspace).
      `${feedPath.rotation('X', 'ops')}?token=${encodeURIComponent(keys.sign(rotationPath))}`,
    ];
    for (const url of tries) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toBe('');
      expect(res.headers['content-type'], url).not.toContain('calendar');
    }
    expect((await app.inject({ url: signed(personPath) })).statusCode).toBe(200);
  });

  it('verifies only the very path it was signed for', () => {
    const path = feedPath.rotation('W', 'ops');
    expect(feedAllowed(path, keys.sign(path), keys.verify)).toBe(true);
    expect(feedAllowed(path, keys.sign(`${path}x`), keys.verify)).toBe(false);
    expect(feedAllowed(path, undefined, keys.verify)).toBe(false);
    expect(feedAllowed(path, ['a'], keys.verify)).toBe(false);
  });
});

describe('the calendar', () => {
  const week = calendarRange('week', { year: 2026, month: 1, day: 14 }, ZONE);
  const render = (names: (id: string) => string = (id) => id) =>
    calendarTable({ rotation, range: week, pieces: piecesBetween(rotation, week.from, week.until, []), covers: [], truncated: false, timeZone: ZONE, now: NOW, name: names, t: webTranslator('en') }).value;

  it('marks the override in its day and the layers on theirs', () => {
    const table = render();
    const cells = [...table.matchAll(/<td class="day[^"]*">([\s\S]*?)<\/td>/g)].map((m) => m[1] ?? '');
    expect(cells).toHaveLength(7);
    const wednesday = cells[2]!;
    expect(wednesday).toContain('2026-01-14');
    expect(wednesday).toMatch(/<li class="shift override"><span class="when">10:00–18:00<\/span> <span class="who">carol<\/span> <span class="badge">override<\/span><\/li>/);
    expect(wednesday).toMatch(/<li class="shift layer-0"><span class="when">…–10:00<\/span> <span class="who">bob<\/span> <span class="badge">layer 1<\/span>/);
    // The weekend is one shift on the higher layer, from Saturday 00:00 to Monday 00:00.
    expect(cells[5]).toMatch(/<li class="shift layer-1"><span class="when">00:00–…<\/span> <span class="who">erin<\/span> <span class="badge">layer 2<\/span><\/li><\/ul>$/);
    expect(cells[6]).toMatch(/<li class="shift layer-1"><span class="when">…–24:00<\/span> <span class="who">erin<\/span> <span class="badge">layer 2<\/span><\/li><\/ul>$/);
    expect(cells.filter((c) => c.includes('override'))).toHaveLength(1);
  });

  it('escapes names', () => {
    expect(render(() => '<img src=x onerror=alert(1)>')).not.toContain('<img');
  });

  it('keeps the month view in the previous and next links', async () => {
    const app = await makeApp(alice);
    const res = await app.inject({ url: '/oncall/ops?view=month&date=2026-01-14' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/oncall/ops?view=month&amp;date=2025-12-01"');
    expect(res.body).toContain('href="/oncall/ops?view=month&amp;date=2026-02-01"');
    // January 2026 from Monday 29 December to Sunday 1 February: five weeks.
    expect(res.body.match(/<td class="day/g)).toHaveLength(35);
    expect(res.body).toContain('<span class="who">Name of frank</span> <span class="badge">override</span>');
    expect((await app.inject({ url: '/oncall/nope' })).statusCode).toBe(404);
  });
});

describe('the on-call page', () => {
  it('says who is on call now and who takes over when, with the feed URLs', async () => {
    const app = await makeApp(alice);
    const body = (await app.inject({ url: '/oncall' })).body;
    expect(body).toMatch(/<dd class="now"><strong>Alice<\/strong> <span class="muted">\(you\)<\/span> · until 2026-01-10 00:00<\/dd>/);
    expect(body).toMatch(/<dd class="next"><strong>Name of dave<\/strong> · takes over at 2026-01-10 00:00<\/dd>/);
    const urls = [...body.matchAll(/<a class="feed" href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    expect(urls).toEqual([`https://oncall.example${signed(feedPath.person('W', 'alice'))}`, `https://oncall.example${signed(feedPath.rotation('W', 'ops'))}`]);
    const admin = await makeApp({ kind: 'admin' });
    const adminBody = (await admin.inject({ url: '/oncall' })).body;
    expect([...adminBody.matchAll(/<a class="feed"/g)]).toHaveLength(1);
  });
});
