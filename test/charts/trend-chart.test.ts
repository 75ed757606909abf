import { describe, expect, it } from 'vitest';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  renderTrendChart,
  trendChartSpec,
} from '../../src/charts/trend-chart.js';

const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const isPng = (png: Buffer) =>
  png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

const weeks = Array.from({ length: 12 }, (_, i) => `W${36 + i}`);

describe('renderTrendChart', () => {
  it.each([
    [
      'twelve weeks of index, dimensions and a gap',
      weeks,
      [
        { name: 'Alignment index', kind: 'index' as const, values: weeks.map((_, i) => 50 + i) },
        {
          name: 'Tech debt',
          kind: 'dimension' as const,
          values: weeks.map((_, i) => (i === 4 ? null : 40 + i)),
        },
        { name: 'Tech debt — Product', kind: 'product' as const, values: weeks.map(() => 80) },
        {
          name: 'Tech debt — Engineering',
          kind: 'engineering' as const,
          values: weeks.map(() => 30),
        },
      ],
    ],
    ['a single week', ['W47'], [{ name: 'Alignment index', kind: 'index' as const, values: [61] }]],
    [
      'nothing to show',
      weeks,
      [{ name: 'Alignment index', kind: 'index' as const, values: weeks.map(() => null) }],
    ],
  ])('draws %s as a PNG of the chart size', async (_name, labels, series) => {
    const png = await renderTrendChart({ title: 'Alignment trend', weeks: labels, series });
    expect(isPng(png)).toBe(true);
    expect(size(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
  });
});

describe('trendChartSpec', () => {
  it('keeps the weeks in order, leaves hidden weeks out rather than drawing 0, and draws the index thicker', () => {
    const spec = JSON.stringify(
      trendChartSpec({
        title: 't',
        weeks: ['W52', 'W01'],
        series: [
          { name: 'Alignment index', kind: 'index', values: [60, null] },
          { name: 'Tech debt', kind: 'dimension', values: [null, 40] },
        ],
      }),
    );
    expect(spec).toContain('"sort":["W52","W01"]');
    expect(spec).toContain('{"week":"W52","score":60,"series":"Alignment index"');
    expect(spec).not.toContain('"score":0');
    expect(spec).not.toContain('"score":null');
    expect(spec).toContain('"condition":{"test":"datum.kind === \'index\'","value":4},"value":1.5');
  });
});
