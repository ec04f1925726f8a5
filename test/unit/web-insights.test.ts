import { LiveStreams } from '../../src/web/incident-live.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/context.js';
import { DEFAULT_SEVERITIES } from '../../src/config.js';
import type { FollowupEntry } from '../../src/core/followups.js';
import { computeStats, parseSince, selectRecords, weeklySeries } from '../../src/core/stats.js';
import type { StatsRecord } from '../../src/core/stats-types.js';
import type { PageContext, Viewer, WebApp } from '../../src/web/context.js';
import { webTranslator, type WebLang } from '../../src/web/i18n/index.js';
import { insightsRoutes } from '../../src/web/insights.js';
import { durationUnit, insightsBody } from '../../src/web/insights-page.js';
import { niceTicks, stackedBarChart } from '../../src/web/svg-chart.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = new Date('2026-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A closed incident's record (as test/unit/stats.test.ts builds them): offsets in minutes after its declaration. */
function rec(number: number, declared: string, o: { sev: string; service?: string; ackAfter?: number; resolveAfter: number; drill?: boolean; cancelled?: boolean; private?: boolean; followUps?: StatsRecord['followUps'] }): StatsRecord {
  const d = Date.parse(declared);
  const resolved = d + o.resolveAfter * MIN;
  return {
    ref: `INC-${number}`,
    number,
    severity: o.sev,
    ...(o.service ? { service: o.service } : {}),
    declaredAt: iso(d),
    ...(o.ackAfter !== undefined ? { firstPagedAt: iso(d), acknowledgedAt: iso(d + o.ackAfter * MIN), timeToAckMs: o.ackAfter * MIN } : {}),
    resolvedAt: iso(resolved),
    timeToResolveMs: o.resolveAfter * MIN,
    closedAt: iso(resolved + HOUR),
    drill: o.drill ?? false,
    cancelled: o.cancelled ?? false,
    ...(o.private ? { private: true } : {}),
    followUps: o.followUps ?? [],
  };
}

const RECORDS: StatsRecord[] = [
  rec(1, '2026-02-02T10:00:00Z', { sev: 'P1', service: 'payments', ackAfter: 5, resolveAfter: 30 }),
  rec(2, '2026-02-03T10:00:00Z', { sev: 'P2', service: 'payments', ackAfter: 40, resolveAfter: 120 }),
  rec(3, '2026-02-04T10:00:00Z', { sev: 'P1', service: 'search', resolveAfter: 90, followUps: [{ dueAt: '2026-02-20T00:00:00Z' }] }),
  rec(4, '2026-02-12T10:00:00Z', { sev: 'P3', service: 'search', ackAfter: 2, resolveAfter: 20 * 60 }),
  rec(5, '2026-02-25T20:00:00Z', { sev: 'P2', service: 'payments', ackAfter: 1, resolveAfter: 45 }),
  // Left out of every figure: a drill in week 1 and a cancelled incident in week 2.
  rec(6, '2026-02-03T12:00:00Z', { sev: 'P1', service: 'payments', ackAfter: 1, resolveAfter: 1, drill: true }),
  rec(7, '2026-02-13T10:00:00Z', { sev: 'P2', service: 'payments', resolveAfter: 3, cancelled: true }),
];
/** A private P1 in week 1 (2026-02-02): an operator counts it, a person does not. */
const PRIVATE = rec(8, '2026-02-05T10:00:00Z', { sev: 'P1', service: 'payments', ackAfter: 3, resolveAfter: 60, private: true });

const since30 = parseSince('30d', NOW, 'UTC');
const QUERY = { sinceMs: since30.sinceMs, untilMs: NOW.getTime() + 1 };
const OPTIONS = { severities: DEFAULT_SEVERITIES, timeZone: 'UTC', now: NOW };
const SEVERITIES = DEFAULT_SEVERITIES.map((s) => s.id);

function body(records: readonly StatsRecord[], o: { lang?: WebLang; admin?: boolean } = {}): string {
  const stats = computeStats(records, QUERY, OPTIONS);
  return insightsBody({ ctx: { t: webTranslator(o.lang ?? 'en'), lang: o.lang ?? 'en' }, stats, severities: SEVERITIES, admin: o.admin ?? false, indexed: true }).value;
}

/** The incidents table: week → severity → count, as a reader of the table sees it. */
function incidentsTable(page: string): Record<string, Record<string, number>> {
  const table = /<table class="chart-table" id="table-incidents">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  const out: Record<string, Record<string, number>> = {};
  for (const row of table.matchAll(/<tr data-week="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    const cells: Record<string, number> = {};
    for (const cell of (row[2] ?? '').matchAll(/data-severity="([^"]+)">(\d+)</g)) cells[cell[1] ?? ''] = Number(cell[2]);
    cells.total = Number(/data-total>(\d+)</.exec(row[2] ?? '')?.[1]);
    out[row[1] ?? ''] = cells;
  }
  return out;
}

function svgOf(page: string, id: string): string {
  return new RegExp(`<svg[^>]*aria-labelledby="${id}-title[\\s\\S]*?</svg>`).exec(page)?.[0] ?? '';
}

describe('insights page body', () => {
  it('shows the same per-week counts by severity in its table as weeklySeries', () => {
    const { counted } = selectRecords(RECORDS, QUERY);
    const series = weeklySeries(counted, QUERY.sinceMs, QUERY.untilMs, 'UTC');
    const table = incidentsTable(body(RECORDS));
    expect(Object.keys(table)).toEqual(series.weeks.map((w) => w.start));
    for (const week of series.weeks) {
      const row = table[week.start] ?? {};
      for (const [sev, n] of Object.entries(week.incidents)) expect(row[sev], `${week.start} ${sev}`).toBe(n);
      expect(row.total).toBe(Object.values(week.incidents).reduce((a, b) => a + b, 0));
    }
    expect(table['2026-02-02']).toEqual({ P1: 2, P2: 1, P3: 0, total: 3 });
  });

  it('leaves drills and cancelled incidents out of every chart and says how many', () => {
    const page = body(RECORDS);
    // Week 1 has a drill (P1) and week 2 a cancelled P2: neither is counted.
    expect(incidentsTable(page)['2026-02-02']?.P1).toBe(2);
    expect(incidentsTable(page)['2026-02-09']).toEqual({ P1: 0, P2: 0, P3: 1, total: 1 });
    expect(page).toContain('Incidents counted: 5. Left out: 1 drills, 1 cancelled.');
    // The drill's 1-minute resolve would be week 1's median MTTR otherwise.
    expect(/id="table-mttr">[\s\S]*?data-week="2026-02-02"><th scope="row">2026-02-02<\/th><td class="num" data-ms="(\d+)"/.exec(page)?.[1]).toBe(String(90 * MIN));
  });

  it('draws each chart with a title, a description, axis names, a legend and the numbers in a table', () => {
    const page = body(RECORDS);
    for (const id of ['chart-incidents', 'chart-mtta', 'chart-mttr', 'chart-mtbf']) {
      const svg = svgOf(page, id);
      expect(svg, id).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`));
      expect(svg, id).toContain('class="legend"');
    }
    expect(svgOf(page, 'chart-incidents')).toContain('>Week of</text>');
    expect(svgOf(page, 'chart-incidents')).toContain('>Incidents</text>');
    // MTTR's weeks reach 20 h: the axis reads in hours; MTTA's stay under 2 h: in minutes.
    expect(svgOf(page, 'chart-mttr')).toContain('>hours</text>');
    expect(svgOf(page, 'chart-mtta')).toContain('>minutes</text>');
    for (const table of ['table-incidents', 'table-mtta', 'table-mttr', 'table-mtbf']) expect(page).toContain(`id="${table}"`);
    // MTBF of payments: incidents 1, 2 and 5, (Feb 25 20:00 − Feb 2 10:00) / 2.
    expect(page).toMatch(/<tr data-service="payments"><th scope="row">payments<\/th><td class="num">3<\/td><td class="num" data-ms="(\d+)">/);
    expect(/data-service="payments">[\s\S]*?data-ms="(\d+)"/.exec(page)?.[1]).toBe(String((Date.parse('2026-02-25T20:00:00Z') - Date.parse('2026-02-02T10:00:00Z')) / 2));
  });

  it('escapes a service name in the SVG and the table', () => {
    const evil = '<script>alert(1)</script>';
    const page = body([rec(1, '2026-02-02T10:00:00Z', { sev: 'P1', service: evil, resolveAfter: 30 }), rec(2, '2026-02-09T10:00:00Z', { sev: 'P2', service: evil, resolveAfter: 30 })]);
    const svg = svgOf(page, 'chart-mtbf');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toContain('<script');
    expect(page).not.toContain('<script');
  });

  it('gives empty-state sentences and no chart without incidents', () => {
    const page = body([rec(6, '2026-02-03T12:00:00Z', { sev: 'P1', resolveAfter: 1, drill: true })]);
    expect(page).not.toContain('<svg');
    expect(page).toContain('No incident was declared in this period.');
    expect(page).toContain('No incident of this period was acknowledged after a page.');
    expect(page).toContain('No follow-up of these incidents is overdue.');
  });

  it('says everything in Korean for a Korean reader', () => {
    const page = body(RECORDS, { lang: 'ko' });
    expect(page).toContain('주별 심각도별 장애');
    expect(page).toContain('집계된 장애 5건');
    expect(svgOf(page, 'chart-mttr')).toContain('>시간</text>');
    expect(page).not.toContain('Week of');
  });

  it('counts overdue follow-ups and lists them by owner when known', () => {
    const stats = computeStats(RECORDS, QUERY, OPTIONS);
    const page = insightsBody({ ctx: { t: webTranslator('en'), lang: 'en' }, stats, severities: SEVERITIES, admin: true, indexed: true, overdueByOwner: [{ owner: 'Alice <a>', count: 1 }] }).value;
    expect(page).toContain('data-overdue="1">1 overdue</p>');
    expect(page).toContain('<th scope="row">Alice &lt;a&gt;</th><td class="num">1</td>');
  });
});

describe('svg charts', () => {
  it('takes whole, round ticks for counts and a unit that reads well for durations', () => {
    expect(niceTicks(7, { integer: true })).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, { integer: true })).toEqual([0, 1]);
    expect(niceTicks(2.4)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1.1)).toEqual([0, 0.5, 1, 1.5]);
    expect(durationUnit(90 * MIN).key).toBe('insights.unit.minutes');
    expect(durationUnit(20 * HOUR).key).toBe('insights.unit.hours');
    expect(durationUnit(10 * 24 * HOUR).key).toBe('insights.unit.days');
  });

  it('stacks bars so that a week with more incidents is taller', () => {
    const svg = stackedBarChart({ id: 'c', title: 'T', desc: 'D', xLabel: 'x', yLabel: 'y', categories: ['a', 'b'], series: [{ name: 'P1', colour: '#000', values: [1, 4] }], integer: true }).value;
    const bars = /<g class="bars">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    const heights = [...bars.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(bars).toContain('<title>b · P1: 4</title>');
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeCloseTo((heights[0] ?? 0) * 4);
  });
});

async function makeApp(viewer: Viewer, records: StatsRecord[], entries: FollowupEntry[] = [], lang: WebLang = 'en'): Promise<FastifyInstance> {
  const deps = {
    config: { severities: DEFAULT_SEVERITIES, timeZone: 'UTC', locale: 'en', admins: ['root'] },
    clock: { now: () => NOW },
    stats: { since: async (w: string, from: number, until?: number) => (w === 'W' ? records.filter((r) => Date.parse(r.declaredAt) >= from && (until === undefined || Date.parse(r.declaredAt) < until)) : []) },
    actions: { built: async () => true, list: async (w: string) => (w === 'W' ? entries : []) },
    log: { warn: () => undefined },
  } as unknown as Deps;
  const web: WebApp = {
    deps,
    publicUrl: 'https://dash.example',
    page: (req) => ({ t: webTranslator(lang), lang, viewer, csrf: 'c', now: NOW, timeZone: 'UTC', playground: false, path: req.url.split('?')[0] ?? '/' }) satisfies PageContext,
    workspacesOf: async (v) => (v.kind === 'admin' ? ['W', 'X'] : [v.workspace]),
    sign: () => 's',
    verify: () => false,
    live: new LiveStreams(10, 4),
  };
  const app = Fastify();
  await insightsRoutes(app, web);
  await app.ready();
  return app;
}

const PERSON: Viewer = { kind: 'person', platform: 'slack', workspace: 'W', userId: 'U1', name: 'Una' };

describe('GET /insights', () => {
  it('counts a private incident for an operator and a configured admin, not for a person', async () => {
    const week1 = async (viewer: Viewer) => {
      const app = await makeApp(viewer, [...RECORDS, PRIVATE]);
      const res = await app.inject({ url: '/insights?period=30d' });
      expect(res.statusCode).toBe(200);
      return incidentsTable(res.body)['2026-02-02'];
    };
    expect(await week1({ kind: 'admin' })).toEqual({ P1: 3, P2: 1, P3: 0, total: 3 + 1 });
    expect(await week1({ ...PERSON, userId: 'root' })).toMatchObject({ P1: 3 });
    expect(await week1(PERSON)).toEqual({ P1: 2, P2: 1, P3: 0, total: 3 });
  });

  it('keeps the period in the URL, defaults to 90 days and refuses a period /incident stats refuses', async () => {
    const app = await makeApp(PERSON, RECORDS);
    const def = await app.inject({ url: '/insights' });
    expect(def.body).toContain('The last 90 days, drills excluded');
    expect(def.body).toContain('name="period" value="90d"');
    const dated = await app.inject({ url: '/insights?period=2026-02-10' });
    expect(Object.values(incidentsTable(dated.body)).reduce((a, r) => a + (r.total ?? 0), 0)).toBe(2);
    const bad = await app.inject({ url: `/insights?period=${encodeURIComponent('<b>soon')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('“&lt;b&gt;soon” is not a period');
    expect(bad.body).not.toContain('<b>soon');
  });

  it('lists the overdue follow-ups of counted incidents by owner, not those of drills or private ones for a person', async () => {
    const entry = (number: number, o: Partial<FollowupEntry>): FollowupEntry => ({ workspace: 'W', number, ref: `INC-${number}`, id: `a${number}`, text: 'fix', horizon: '1w', createdAt: '2026-02-05T00:00:00Z', dueAt: '2026-02-20T00:00:00Z', private: false, ...o });
    const entries = [entry(3, { owner: { id: 'U2', name: 'Bo' } }), entry(6, { owner: { id: 'U3', name: 'Drill Person' }, drill: true }), entry(8, { owner: { id: 'U4', name: 'Secret' }, private: true })];
    const app = await makeApp(PERSON, [...RECORDS, PRIVATE], entries);
    const res = await app.inject({ url: '/insights?period=30d' });
    expect(res.body).toContain('data-overdue="1">1 overdue</p>');
    expect(res.body).toContain('<th scope="row">Bo</th><td class="num">1</td>');
    expect(res.body).not.toContain('Drill Person');
    expect(res.body).not.toContain('Secret');
  });

  it('offers an operator the choice of workspace and serves a light page', async () => {
    const app = await makeApp({ kind: 'admin' }, RECORDS, [], 'ko');
    const res = await app.inject({ url: '/insights?period=90d&workspace=X' });
    expect(res.body).toContain('<option value="X" selected>X</option>');
    expect(res.body).toContain('이 기간에 선언된 장애가 없습니다.');
    const all = await app.inject({ url: '/insights?period=365d' });
    expect(Buffer.byteLength(all.body)).toBeLessThan(200 * 1024);
    expect(all.body).toContain('주별 심각도별 장애');
  });
});
