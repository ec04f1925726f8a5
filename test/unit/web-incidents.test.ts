import { describe, expect, it } from 'vitest';
import { applyFilters, parseFilters } from '../../src/web/incident-filters.js';
import { LiveStreams, sseMessage } from '../../src/web/incident-live.js';
import { csvCell, csvRows, tableBody, timeToResolve, toCsv, type TableOptions } from '../../src/web/incident-table.js';
import { alice, bob, carol, incident, pageCtx, person } from '../support/web-incidents.js';

const NOW = new Date('2026-01-10T00:00:00.000Z');
const refs = (list: readonly { ref: string }[]) => list.map((i) => i.ref);

const all = [
  incident(1, { declaredAt: '2025-10-01T00:00:00.000Z', status: 'closed', severity: 'P1', service: 'payments', title: 'Card payments failing', summary: 'Visa declines' }),
  incident(2, { declaredAt: '2026-01-08T12:00:00.000Z', status: 'investigating', severity: 'P3', service: 'search', roles: { commander: bob } }),
  incident(3, { declaredAt: '2026-01-09T08:00:00.000Z', status: 'monitoring', severity: 'p2', service: 'checkout', title: 'Checkout slow', roles: { commander: carol } }),
  incident(4, { declaredAt: '2026-01-04T15:30:00.000Z', status: 'resolved', severity: 'P2', title: 'Login errors', summary: 'SSO provider timing out' }),
];

describe('parseFilters', () => {
  it('keeps the known values of a query string, trimmed', () => {
    expect(parseFilters({ status: 'resolved', severity: ' P1 ', service: 'payments', commander: 'bob', period: '30d', since: '2026-01-01', q: 'card' })).toEqual({
      status: 'resolved',
      severity: 'P1',
      service: 'payments',
      commander: 'bob',
      period: '30d',
      since: '2026-01-01',
      q: 'card',
    });
  });

  it('drops unknown statuses, periods and malformed dates instead of failing', () => {
    expect(parseFilters({ status: 'exploded', period: '5y', since: '2026-02-30', severity: '' })).toEqual({ period: 'all' });
    expect(parseFilters({ since: "2026-01-01' or 1=1" })).toEqual({ period: 'all' });
    expect(parseFilters(undefined)).toEqual({ period: 'all' });
  });

  it('takes the first of repeated parameters and cuts very long values', () => {
    const f = parseFilters({ status: ['monitoring', 'closed'], q: 'x'.repeat(500) });
    expect(f.status).toBe('monitoring');
    expect(f.q).toHaveLength(100);
  });
});

describe('applyFilters', () => {
  it('lists newest first with no filter', () => {
    expect(refs(applyFilters(all, { period: 'all' }, NOW))).toEqual(['INC-3', 'INC-2', 'INC-4', 'INC-1']);
  });

  it('filters by status, "active" meaning any status before resolved', () => {
    expect(refs(applyFilters(all, { period: 'all', status: 'active' }, NOW))).toEqual(['INC-3', 'INC-2']);
    expect(refs(applyFilters(all, { period: 'all', status: 'resolved' }, NOW))).toEqual(['INC-4']);
  });

  it('filters by severity (any case) and service', () => {
    expect(refs(applyFilters(all, { period: 'all', severity: 'P2' }, NOW))).toEqual(['INC-3', 'INC-4']);
    expect(refs(applyFilters(all, { period: 'all', service: 'payments' }, NOW))).toEqual(['INC-1']);
  });

  it('finds a commander by user id or by part of the name', () => {
    expect(refs(applyFilters(all, { period: 'all', commander: 'U3' }, NOW))).toEqual(['INC-3']);
    expect(refs(applyFilters(all, { period: 'all', commander: '@bob' }, NOW))).toEqual(['INC-2']);
    expect(refs(applyFilters(all, { period: 'all', commander: 'KIM' }, NOW))).toEqual(['INC-4', 'INC-1']);
  });

  it('keeps the period and the since date, the date in the page time zone', () => {
    expect(refs(applyFilters(all, { period: '7d' }, NOW))).toEqual(['INC-3', 'INC-2', 'INC-4']);
    expect(refs(applyFilters(all, { period: 'all', since: '2026-01-05' }, NOW, 'UTC'))).toEqual(['INC-3', 'INC-2']);
    // 2026-01-04T15:30Z is 00:30 on 5 January in Seoul.
    expect(refs(applyFilters(all, { period: 'all', since: '2026-01-05' }, NOW, 'Asia/Seoul'))).toEqual(['INC-3', 'INC-2', 'INC-4']);
  });

  it('searches every word in the reference, title and summary', () => {
    expect(refs(applyFilters(all, { period: 'all', q: 'visa' }, NOW))).toEqual(['INC-1']);
    expect(refs(applyFilters(all, { period: 'all', q: 'sso login' }, NOW))).toEqual(['INC-4']);
    expect(refs(applyFilters(all, { period: 'all', q: 'inc-3' }, NOW))).toEqual(['INC-3']);
    expect(refs(applyFilters(all, { period: 'all', q: 'login visa' }, NOW))).toEqual([]);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and ends rows with CRLF', () => {
    expect(toCsv([['a', 'b,c'], ['say "hi"', 'two\nlines']])).toBe('a,"b,c"\r\n"say ""hi""","two\nlines"\r\n');
  });

  it('puts an apostrophe before cells a spreadsheet would run as a formula', () => {
    for (const cell of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=1', '\r=1']) expect(csvCell(cell).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('Checkout down')).toBe('Checkout down');
    expect(csvCell('a = b')).toBe('a = b');
  });

  it('has a header and one row per incident, with times in minutes and the markers', () => {
    const inc = incident(9, {
      title: '=cmd|calc',
      private: true,
      drill: { scenario: 'db', dry: true, symptoms: 0 },
      escalation: { generation: 0, phase: 'acknowledged', pages: [], ttaMs: 90_000 },
      statusHistory: [
        { status: 'investigating', at: '2026-01-05T09:00:00.000Z' },
        { status: 'resolved', at: '2026-01-05T10:30:00.000Z' },
      ],
    });
    const rows = csvRows([inc], pageCtx(person(alice)));
    expect(rows[0]).toContain('Time to acknowledge (minutes)');
    expect(rows[1]).toEqual(['local', 'INC-9', '=cmd|calc', 'P2', 'investigating', '', 'Alice Kim', '2026-01-05 09:00', '2026-01-05T09:00:00.000Z', '1.5', '90', 'yes', 'yes']);
    expect(toCsv(rows).split('\r\n')[1]).toContain(",'=cmd|calc,");
  });

  it('counts the time to resolve to the first resolve, as the metrics do, even after a reopen', () => {
    const inc = incident(5, {
      status: 'investigating',
      statusHistory: [
        { status: 'investigating', at: '2026-01-05T09:00:00.000Z' },
        { status: 'resolved', at: '2026-01-05T09:20:00.000Z' },
        { status: 'investigating', at: '2026-01-05T11:00:00.000Z' },
      ],
    });
    expect(timeToResolve(inc)).toBe(20 * 60_000);
    expect(timeToResolve(incident(6))).toBeUndefined();
  });
});

describe('the table page', () => {
  const options: TableOptions = { severities: ['P1', 'P2'], services: ['payments'], commanders: ['Bob Lee'], total: 2, maxRows: 500, manyWorkspaces: false };

  it('shows user text as text: a <script> title is escaped', () => {
    const inc = incident(7, { title: '<script>alert(1)</script>', roles: { commander: { id: 'U9', name: '<img src=x onerror=alert(1)>' } } });
    const out = tableBody(pageCtx(person(alice)), { period: 'all' }, [inc], options).value;
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('href="/incidents/local/7"');
  });

  it('keeps the filters in the form and in the CSV link', () => {
    const out = tableBody(pageCtx(person(alice)), { period: '30d', severity: 'P1', q: 'card & "co"' }, [], options).value;
    expect(out).toContain('<option value="P1" selected>');
    expect(out).toContain('<option value="30d" selected>');
    expect(out).toContain('value="card &amp; &quot;co&quot;"');
    expect(out).toContain('href="/incidents.csv?severity=P1&amp;period=30d&amp;q=card+%26+%22co%22"');
    expect(out).toContain('No incidents match these filters.');
  });

  it('marks drills and private incidents and shows the times to acknowledge and resolve', () => {
    const inc = incident(8, { private: true, drill: { scenario: 'db', dry: false, symptoms: 1 }, escalation: { generation: 0, phase: 'acknowledged', pages: [], ttaMs: 3 * 60_000 } });
    const out = tableBody(pageCtx(person(alice)), { period: 'all' }, [inc], options).value;
    expect(out).toContain('<span class="badge drill">drill</span>');
    expect(out).toContain('<span class="badge private">private</span>');
    expect(out).toContain('<td class="num">3 min</td>');
  });

  it('says so when there are no incidents at all, in Korean too', () => {
    const ko = pageCtx(person(alice), { lang: 'ko', t: (k, p) => (k === 'incidents.empty' ? '아직 장애가 없습니다.' : pageCtx(person(alice)).t(k, p)) });
    expect(tableBody(ko, { period: 'all' }, [], { ...options, total: 0 }).value).toContain('아직 장애가 없습니다.');
  });

  it('shows at most maxRows rows and says how many are left out', () => {
    const many = Array.from({ length: 5 }, (_, i) => incident(i + 1));
    const out = tableBody(pageCtx(person(alice)), { period: 'all' }, many, { ...options, maxRows: 2 }).value;
    expect(out.match(/<tr data-ref=/g)).toHaveLength(2);
    expect(out).toContain('Showing the newest 2 of 5');
  });
});

describe('the live timeline stream', () => {
  it('sends every line of the HTML as its own data: line', () => {
    expect(sseMessage('<ol>\n<li>a</li>\r\n<li>b</li></ol>')).toBe('data: <ol>\ndata: <li>a</li>\ndata: <li>b</li></ol>\n\n');
  });

  it('refuses a stream beyond the cap until one closes', () => {
    const streams = new LiveStreams(2);
    const stopped: number[] = [];
    const first = streams.add(() => stopped.push(1));
    expect(streams.add(() => stopped.push(2))).toBeDefined();
    expect(streams.add(() => stopped.push(3))).toBeUndefined();
    first?.();
    expect(streams.add(() => stopped.push(4))).toBeDefined();
    streams.stopAll();
    expect(stopped).toEqual([2, 4]);
  });
});
