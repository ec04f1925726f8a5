import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import type { StatsSeries } from '../../src/core/stats-types.js';
import { renderStatsChart, unrenderable, type StatsChartLabels } from '../../src/infra/stats-chart.js';
import { pngSize } from '../support/png.js';

/**
 * The `/incident stats` chart as the PNG people get: a real image of the promised size, drawn
 * from the data (the severities' colours show where there are incidents of them), and the same
 * bytes for the same data. Korean words are drawn where a Hangul font is installed and left out,
 * never drawn as boxes, where none is.
 */

const EN: StatsChartLabels = { title: 'Incidents and MTTR per week, last 30 days', incidents: 'Incidents', mttr: 'MTTR', hours: 'hours' };
const KO: StatsChartLabels = { title: '주별 장애 건수와 MTTR, 최근 30일', incidents: '장애 건수', mttr: 'MTTR', hours: '시간' };
const NONE: StatsChartLabels = { title: '', incidents: '', mttr: '', hours: '' };
const HOUR = 3_600_000;

function series(p1: number[], mttrHours: (number | undefined)[] = []): StatsSeries {
  return {
    weeks: p1.map((n, i) => {
      const mttr = mttrHours[i];
      const incidents: Record<string, number> = n ? { P1: n, P3: 1 } : { P3: 1 };
      return { start: `2026-10-${String(5 + 7 * i).padStart(2, '0')}`, incidents, ...(mttr === undefined ? {} : { mttrMs: mttr * HOUR }) };
    }),
  };
}

/** How many pixels of the image have exactly this colour. */
async function pixelsOf(png: Buffer, rgb: [number, number, number]): Promise<number> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2]) n++;
  return n;
}

const P1_RED: [number, number, number] = [0xd6, 0x27, 0x28];

describe('the stats chart (PNG)', () => {
  it('is a PNG of 1000 × 684 with the signature and IHDR first, also for no weeks at all', async () => {
    const png = await renderStatsChart(series([2, 0, 1, 3], [1.5, undefined, 4, 0.25]), EN);
    expect(pngSize(png)).toEqual({ width: 1000, height: 684 });
    expect(pngSize(await renderStatsChart({ weeks: [] }, EN))).toEqual({ width: 1000, height: 684 });
  });

  it('is drawn from the data: other numbers give another image, the same numbers the same bytes', async () => {
    const a = await renderStatsChart(series([2, 0, 1, 3], [1.5, undefined, 4, 0.25]), EN);
    const again = await renderStatsChart(series([2, 0, 1, 3], [1.5, undefined, 4, 0.25]), EN);
    const moreIncidents = await renderStatsChart(series([2, 0, 5, 3], [1.5, undefined, 4, 0.25]), EN);
    const slowerResolve = await renderStatsChart(series([2, 0, 1, 3], [1.5, undefined, 9, 0.25]), EN);
    expect(again.equals(a)).toBe(true);
    expect(moreIncidents.equals(a)).toBe(false);
    expect(slowerResolve.equals(a)).toBe(false);
  });

  it('stacks each severity in its colour: P1 red is there only when P1 incidents are', async () => {
    expect(await pixelsOf(await renderStatsChart(series([2, 0, 1]), EN), P1_RED)).toBeGreaterThan(500);
    expect(await pixelsOf(await renderStatsChart(series([0, 0, 0]), EN), P1_RED)).toBe(0);
  });

  it('draws Korean words where a Hangul font is installed, and leaves them out (not boxes) where none is', async () => {
    const ko = await renderStatsChart(series([1, 2]), KO);
    const bare = await renderStatsChart(series([1, 2]), { ...NONE, mttr: 'MTTR' });
    const missing = unrenderable(KO);
    if (missing.length === 0) {
      expect(ko.equals(bare)).toBe(false);
    } else {
      // Every Hangul syllable of the labels is reported, and the image is the one without those words.
      expect(missing).toEqual(expect.arrayContaining(['주', '별', '장', '애', '시', '간']));
      expect(ko.equals(bare)).toBe(true);
    }
    expect(unrenderable(EN)).toEqual([]);
  });
});

describe('local workspace: sending a file by DM', () => {
  it('keeps the file in the person\'s DM and prints one line with its name and size', async () => {
    const lines: string[] = [];
    const ws = new LocalWorkspace((line) => lines.push(line), 'incidents');
    await ws.dmFile('local', 'alice', { name: 'incident-stats-2026-10-05.png', data: Buffer.alloc(36_500), title: 'Incidents and MTTR' });
    expect(lines).toEqual(['[DM @alice] file: incident-stats-2026-10-05.png (36 KB)']);
    expect(ws.files.map((f) => [f.channelId, f.file.name, f.file.data.length])).toEqual([['dm-alice', 'incident-stats-2026-10-05.png', 36_500]]);
  });
});
