import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { DigestChart } from '../domain/digest.js';

/**
 * The digest's chart as a PNG: only when Slack refuses its native chart block,
 * and for the demo. The same few lines as the native chart (the index, and
 * Product's and Engineering's lines on the featured gap), in large type so it
 * reads as a thumbnail, and broken where a week shows nothing, never joined.
 * This module loads vega and resvg; the app imports it only when it draws.
 */

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 560;

/**
 * The index dark, the two sides violet and blue: no red, green or yellow, which
 * the digest's legend gives to scores (🟢 🟡 🔴), so no side reads as a verdict.
 */
export const COLORS = { index: '#1d3557', product: '#7b2cbf', engineering: '#0077b6' } as const;

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** The vega-lite spec: a line a series, a gap (not a join) where a week has no score. */
export function trendChartSpec(chart: DigestChart): TopLevelSpec {
  const values = chart.lines.flatMap((line) =>
    line.values.map((v, i) => ({
      week: chart.weeks[i],
      score: v,
      series: line.name,
      kind: line.kind,
    })),
  );
  const names = chart.lines.map((l) => l.name);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    padding: 24,
    title: { text: chart.title, anchor: 'start', fontSize: 30 },
    data: { values },
    // A missing week breaks the line instead of joining its neighbours.
    mark: { type: 'line', point: { size: 120 }, invalid: 'break-paths-show-domains' },
    encoding: {
      x: {
        field: 'week',
        type: 'ordinal',
        sort: chart.weeks,
        scale: { domain: chart.weeks },
        title: null,
        axis: { labelAngle: 0, labelFontSize: 18 },
      },
      y: {
        field: 'score',
        type: 'quantitative',
        scale: { domain: [0, 100] },
        title: 'Score (0–100)',
        axis: { labelFontSize: 18, titleFontSize: 18 },
      },
      color: {
        field: 'series',
        type: 'nominal',
        sort: names,
        scale: { domain: names, range: chart.lines.map((l) => COLORS[l.kind]) },
        legend: { title: null, orient: 'top', labelFontSize: 20, symbolSize: 300, labelLimit: 400 },
      },
      strokeWidth: { condition: { test: "datum.kind === 'index'", value: 6 }, value: 4 },
      strokeDash: {
        condition: { test: "datum.kind === 'index'", value: [1, 0] },
        value: [10, 6],
      },
      detail: { field: 'series' },
    },
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
}

/** Renders the chart to a PNG of CHART_WIDTH × CHART_HEIGHT, in the process (no browser). */
export async function renderTrendChart(chart: DigestChart): Promise<Buffer> {
  const { spec } = compile(trendChartSpec(chart));
  const view = new View(parseVega(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: CHART_WIDTH },
    background: 'white',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      fontFiles: FONT_FILES.filter((f) => existsSync(f)),
    },
  }).render();
  return Buffer.from(png.asPng());
}
