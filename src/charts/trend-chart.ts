import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 560;

export type SeriesKind = 'index' | 'dimension' | 'product' | 'engineering';
export interface ChartSeries {
  name: string;
  kind: SeriesKind;
  values: (number | null)[];
}
export interface TrendChartInput {
  title: string;
  subtitle?: string;
  weeks: string[];
  series: ChartSeries[];
}

/** Soft colours for the dimension lines, so the index and the gap lines stand out. */
const DIMENSION_COLORS = [
  '#8ecae6',
  '#f4a261',
  '#90be6d',
  '#cdb4db',
  '#e9c46a',
  '#a8dadc',
  '#f28482',
  '#b5838d',
  '#84a59d',
];

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** The vega-lite spec of the trend chart: one line per series, gaps where a week has no score. */
export function trendChartSpec(input: TrendChartInput): TopLevelSpec {
  const values = input.series.flatMap((s, order) =>
    s.values.flatMap((v, i) =>
      v === null ? [] : [{ week: input.weeks[i], score: v, series: s.name, kind: s.kind, order }],
    ),
  );
  const names = input.series.map((s) => s.name);
  let dimension = 0;
  const colors = input.series.map((s) =>
    s.kind === 'index'
      ? '#1d3557'
      : s.kind === 'product'
        ? '#d62828'
        : s.kind === 'engineering'
          ? '#0077b6'
          : (DIMENSION_COLORS[dimension++ % DIMENSION_COLORS.length] ?? '#999999'),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    padding: 16,
    title: {
      text: input.title,
      ...(input.subtitle ? { subtitle: input.subtitle } : {}),
      anchor: 'start',
      fontSize: 20,
    },
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'week',
        type: 'ordinal',
        sort: input.weeks,
        scale: { domain: input.weeks },
        title: null,
        axis: { labelAngle: 0 },
      },
      y: { field: 'score', type: 'quantitative', scale: { domain: [0, 100] }, title: 'Score' },
      color: {
        field: 'series',
        type: 'nominal',
        sort: names,
        scale: { domain: names, range: colors },
        legend: { title: null, orient: 'right', labelLimit: 240 },
      },
      strokeWidth: { condition: { test: "datum.kind === 'index'", value: 4 }, value: 1.5 },
      strokeDash: {
        condition: {
          test: "datum.kind === 'product' || datum.kind === 'engineering'",
          value: [6, 4],
        },
        value: [1, 0],
      },
      detail: { field: 'series' },
    },
    config: {
      font: 'DejaVu Sans',
      axis: { labelFontSize: 12, titleFontSize: 13 },
      legend: { labelFontSize: 12 },
    },
  } as TopLevelSpec;
}

/** Renders the chart to a PNG of CHART_WIDTH × CHART_HEIGHT, in the process (no browser). */
export async function renderTrendChart(input: TrendChartInput): Promise<Buffer> {
  const { spec } = compile(trendChartSpec(input));
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
