import { describe, expect, it } from 'vitest';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  renderTrendChart,
  trendChartSpec,
} from '../../src/charts/trend-chart.js';
import type { ChartLine } from '../../src/domain/digest.js';

const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const isPng = (png: Buffer) =>
  png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

const weeks = Array.from(
  { length: 12 },
  (_, i) => `${5 + i * 7 > 31 ? (5 + i * 7) % 31 : 5 + i * 7} Oct`,
);

describe('renderTrendChart (the fallback when Slack refuses the native chart)', () => {
  it.each([
    [
      'twelve weeks of the index and a gap, one week hidden',
      weeks,
      [
        {
          name: 'Alignment index',
          kind: 'index',
          values: weeks.map((_, i) => (i === 4 ? null : 50 + i)),
        },
        { name: 'Tech debt · Product', kind: 'product', values: weeks.map(() => 80) },
        { name: 'Tech debt · Engineering', kind: 'engineering', values: weeks.map(() => 30) },
      ] satisfies ChartLine[],
    ],
    [
      'a single week',
      ['16 Nov'],
      [{ name: 'Alignment index', kind: 'index', values: [61] }] satisfies ChartLine[],
    ],
    [
      'nothing to show',
      weeks,
      [
        { name: 'Alignment index', kind: 'index', values: weeks.map(() => null) },
      ] satisfies ChartLine[],
    ],
  ])('draws %s as a PNG of the chart size', async (_name, labels, lines) => {
    const png = await renderTrendChart({
      title: 'Alignment index, last 12 weeks',
      weeks: labels,
      lines,
    });
    expect(isPng(png)).toBe(true);
    expect(size(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
  });
});

describe('trendChartSpec', () => {
  it('keeps the weeks in order, breaks a line at a hidden week instead of joining it, and draws the index thicker', () => {
    const spec = JSON.stringify(
      trendChartSpec({
        title: 't',
        weeks: ['21 Dec', '28 Dec', '4 Jan'],
        lines: [{ name: 'Alignment index', kind: 'index', values: [60, null, 62] }],
      }),
    );
    expect(spec).toContain('"sort":["21 Dec","28 Dec","4 Jan"]');
    expect(spec).toContain('{"week":"28 Dec","score":null');
    expect(spec).toContain('"invalid":"break-paths-show-domains"');
    expect(spec).not.toContain('"score":0');
    expect(spec).toContain('"condition":{"test":"datum.kind === \'index\'","value":6},"value":4');
    expect(spec).toContain('"fontSize":30');
  });
});

/** The hue (0–360°) of a #rrggbb colour. */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe('the sides’ colours', () => {
  it('are neither red, yellow nor green, the colours the legend gives to scores', () => {
    const spec = trendChartSpec({
      title: 't',
      weeks: ['16 Nov'],
      lines: [
        { name: 'Alignment index', kind: 'index', values: [61] },
        { name: 'Tech debt · Product side', kind: 'product', values: [80] },
        { name: 'Tech debt · Engineering side', kind: 'engineering', values: [30] },
      ],
    }) as { encoding: { color: { scale: { range: string[] } } } };
    const [, product, engineering] = spec.encoding.color.scale.range;
    for (const colour of [product, engineering]) {
      const h = hue(colour ?? '');
      // Red (🔴) around 0°, yellow (🟡) 40–70°, green (🟢) 80–160°: a side is none of them.
      expect(h > 20 && h < 340).toBe(true);
      expect(h >= 40 && h <= 160).toBe(false);
    }
    expect(hue(product ?? '')).not.toBeCloseTo(hue(engineering ?? ''), -1);
  });
});
