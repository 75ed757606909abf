import { DIMENSION_LABELS, DIMENSIONS, type Dimension, SIDE_LABELS } from './dimensions.js';
import type { Group, PeriodScore, VisibleGap, VisibleGroup } from './scoring.js';
import { DISCUSSION_QUESTIONS } from './topics.js';
import {
  type FeaturedGap,
  GAP_WEEKS,
  type GapCall,
  type SaidCalls,
  TREND_WEEKS,
  type TrendLine,
} from './trends.js';
import type { Week } from './weeks.js';

export interface DimensionLine {
  dimension: Dimension;
  current: Group | undefined;
  /** Over the last 8 closed weeks; undefined when the week has no calls. */
  trend: TrendLine | undefined;
  /** In how many of the last 8 closed weeks its score was shown: why a trend may lack data. */
  shownWeeks: number;
}

/** A score the calls say rose or fell: the index or a dimension, its line and where it stands now. */
export interface Move {
  scope: 'index' | Dimension;
  line: TrendLine;
  score: number | undefined;
}

/** A line of the digest's chart: the index, or one side of the featured gap. */
export interface ChartLine {
  name: string;
  kind: 'index' | 'product' | 'engineering';
  /** One value a week, oldest first; null where the week shows nothing (a gap, never joined). */
  values: (number | null)[];
}

/** The digest's chart: the last 12 closed weeks, few lines, the story in them. */
export interface DigestChart {
  title: string;
  /** The weeks on the axis, short: '16 Nov'. */
  weeks: string[];
  lines: ChartLine[];
}

export interface Digest {
  week: Week;
  threshold: number;
  /** no_data: nobody answered; too_few: under the threshold; first: no earlier week; normal. */
  state: 'no_data' | 'too_few' | 'first' | 'normal';
  /** The index, its trend, and in how many of the last 8 closed weeks it was shown. */
  index: { current: Group; trend: TrendLine | undefined; shownWeeks: number };
  dimensions: DimensionLine[];
  /** What the calls say rose or fell, the largest first: the story at the top. */
  moves: Move[];
  /** How many closed pulses the week had (two in a week are taken together). */
  pulses: number;
  chart: DigestChart | undefined;
  /**
   * The gap the digest features, over the last 4 closed weeks, with its call
   * and whether it is widening; without calls, the week's own largest gap.
   */
  largestGap:
    | {
        dimension: Dimension;
        gap: VisibleGap;
        call: GapCall | undefined;
        trend: Omit<FeaturedGap, 'dimension'> | undefined;
        /** The weeks its numbers come from: the earliest week with this gap shown, up to now (1: this week). */
        weeks: number;
      }
    | undefined;
  /** When no gap is shown: the rule that hid it, in words ("fewer than 3 on the Engineering side answered"). */
  gapHidden: string | undefined;
  /**
   * When the week itself shows everyone only (its sides hidden) though a gap is
   * shown from the weeks before: which side was short that week.
   */
  weekSidesHidden: string | undefined;
  respondents: number;
  invited: number;
  comments: string[];
  topic: { dimension: Dimension; why: 'divided' | 'weakest'; question: string } | undefined;
}

/**
 * Everything the weekly digest says, worked out from the scored weeks (oldest
 * first, the digest's own week last) and that week's calls. Pure: the view
 * turns it into Block Kit.
 */
export function buildDigest(input: {
  weeks: Week[];
  scores: PeriodScore[];
  comments: string[];
  threshold: number;
  calls?: SaidCalls | undefined;
}): Digest {
  const { weeks, scores, threshold, calls } = input;
  const week = weeks.at(-1);
  const current = scores.at(-1);
  if (week === undefined || current === undefined)
    throw new Error('a digest needs at least one week');
  const dimensionOf = (s: PeriodScore | undefined, d: Dimension) =>
    s?.dimensions.find((x) => x.dimension === d);
  const answeredBefore = scores.slice(0, -1).some((s) => s.respondents > 0);

  const recent = scores.slice(-TREND_WEEKS);
  const dimensions: DimensionLine[] = DIMENSIONS.map((dimension) => ({
    dimension,
    current: dimensionOf(current, dimension)?.overall,
    trend: calls?.trends[dimension],
    shownWeeks: recent.filter((s) => dimensionOf(s, dimension)?.overall.visible === true).length,
  }));
  const scoreOf = (g: Group | undefined) => (g?.visible === true ? g.score : undefined);
  const moved = (line: TrendLine | undefined): line is TrendLine =>
    line !== undefined && (line.call === 'rise' || line.call === 'fall');
  const moves: Move[] = [
    ...(moved(calls?.trends.index)
      ? [{ scope: 'index' as const, line: calls.trends.index, score: scoreOf(current.index) }]
      : []),
    ...dimensions.flatMap((d) =>
      moved(d.trend) ? [{ scope: d.dimension, line: d.trend, score: scoreOf(d.current) }] : [],
    ),
  ].sort((a, b) => Math.abs(b.line.change ?? 0) - Math.abs(a.line.change ?? 0));

  let largestGap: Digest['largestGap'];
  // The numbers of a gap with calls pool the last 4 closed weeks; say how many of them it covers.
  const gapWindow = calls === undefined ? scores.slice(-1) : scores.slice(-GAP_WEEKS);
  const gapWeeks = (d: Dimension) => {
    const first = gapWindow.findIndex((s) => dimensionOf(s, d)?.gap.visible === true);
    return first < 0 ? 1 : gapWindow.length - first;
  };
  const featured = calls?.featured;
  const featuredGap = featured === undefined ? undefined : calls?.gaps[featured.dimension];
  if (featured !== undefined && featuredGap?.gap !== undefined) {
    largestGap = {
      dimension: featured.dimension,
      gap: featuredGap.gap,
      call: featuredGap.call,
      trend: { call: featured.call, from: featured.from, to: featured.to, weeks: featured.weeks },
      weeks: gapWeeks(featured.dimension),
    };
  } else if (calls !== undefined) {
    // No gap could be tested: the largest published one, said as not enough data.
    const top = DIMENSIONS.flatMap((dimension) => {
      const line = calls.gaps[dimension];
      return line.gap === undefined ? [] : [{ dimension, gap: line.gap, call: line.call }];
    }).sort((a, b) => Math.abs(b.gap.points) - Math.abs(a.gap.points))[0];
    if (top !== undefined)
      largestGap = { ...top, trend: undefined, weeks: gapWeeks(top.dimension) };
  } else {
    // A week published before calls existed: its own largest gap, without a call.
    const gaps = current.dimensions
      .filter((d): d is typeof d & { gap: VisibleGap } => d.gap.visible)
      .sort(
        (a, b) =>
          Math.abs(b.gap.points) - Math.abs(a.gap.points) ||
          DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
      );
    const top = gaps[0];
    if (top !== undefined)
      largestGap = {
        dimension: top.dimension,
        gap: top.gap,
        call: undefined,
        trend: undefined,
        weeks: 1,
      };
  }

  const gapHidden = largestGap === undefined ? whyNoGap(current, calls) : undefined;
  const weekSidesHidden = largestGap === undefined ? undefined : sidesHiddenIn(current);

  let topic: Digest['topic'];
  if (largestGap !== undefined && largestGap.call === 'apart') {
    topic = {
      dimension: largestGap.dimension,
      why: 'divided',
      question: DISCUSSION_QUESTIONS[largestGap.dimension],
    };
  } else {
    const weakest = current.dimensions
      .map((d) => ({ dimension: d.dimension, group: d.overall }))
      .filter((d): d is { dimension: Dimension; group: VisibleGroup } => d.group.visible)
      .sort(
        (a, b) =>
          a.group.score - b.group.score ||
          DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
      )[0];
    if (weakest !== undefined) {
      topic = {
        dimension: weakest.dimension,
        why: 'weakest',
        question: DISCUSSION_QUESTIONS[weakest.dimension],
      };
    }
  }

  const state: Digest['state'] =
    current.respondents === 0
      ? 'no_data'
      : current.respondents < (current.threshold ?? threshold) || !current.index.visible
        ? 'too_few'
        : answeredBefore
          ? 'normal'
          : 'first';
  return {
    week,
    // The week was judged with the threshold it was published with, whatever the survey's is now.
    threshold: current.threshold ?? threshold,
    state,
    index: {
      current: current.index,
      trend: calls?.trends.index,
      shownWeeks: recent.filter((s) => s.index.visible).length,
    },
    dimensions,
    moves,
    pulses: current.pulses,
    chart:
      state === 'normal' || state === 'first'
        ? chartOf(weeks, scores, largestGap?.dimension)
        : undefined,
    largestGap,
    gapHidden,
    weekSidesHidden,
    respondents: current.respondents,
    invited: current.invited,
    comments: current.respondents >= (current.threshold ?? threshold) ? input.comments : [],
    topic: state === 'no_data' || state === 'too_few' ? undefined : topic,
  };
}

/**
 * Which side was short in a week that shows everyone only: the rule that hid
 * the sides of the dimensions it showed; undefined when it showed both sides.
 */
export function sidesHiddenIn(week: PeriodScore): string | undefined {
  const shown = week.dimensions.filter((d) => d.overall.visible);
  if (shown.length === 0 || shown.some((d) => d.gap.visible)) return undefined;
  const reasons = shown.flatMap((d) => (d.gap.visible ? [] : [d.gap.reason]));
  const count = new Map<string, number>();
  for (const r of reasons) count.set(r, (count.get(r) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Why no gap is shown: the rule that hid most of the dimensions' gaps (over the
 * last 4 closed weeks when the week has calls, else in the week itself). Every
 * "not shown" names the rule that actually hid the number.
 */
function whyNoGap(current: PeriodScore, calls: SaidCalls | undefined): string {
  const reasons =
    calls === undefined
      ? current.dimensions.flatMap((d) => (d.gap.visible ? [] : [d.gap.reason]))
      : DIMENSIONS.flatMap((d) => {
          const hidden = calls.gaps[d].hidden;
          return hidden === undefined ? [] : [`${hidden} in the last 4 weeks`];
        });
  const count = new Map<string, number>();
  for (const r of reasons) count.set(r, (count.get(r) ?? 0) + 1);
  const top = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  return top ?? 'no dimension was asked of both sides';
}

/** The chart's lines: the index, and Product's and Engineering's lines on the featured gap. */
function chartOf(
  weeks: readonly Week[],
  scores: readonly PeriodScore[],
  featured: Dimension | undefined,
): DigestChart {
  const value = (g: Group | undefined) => (g?.visible === true ? Math.round(g.score) : null);
  const lines: ChartLine[] = [
    { name: 'Alignment index', kind: 'index', values: scores.map((s) => value(s.index)) },
  ];
  if (featured !== undefined) {
    for (const side of ['product', 'engineering'] as const) {
      lines.push({
        // The title names the dimension: the series stay short enough for a phone's legend.
        name: `${SIDE_LABELS[side]} side`,
        kind: side,
        values: scores.map((s) =>
          value(s.dimensions.find((d) => d.dimension === featured)?.bySide[side]),
        ),
      });
    }
  }
  return {
    title:
      featured === undefined
        ? 'Alignment index, last 12 weeks'
        : `Index and the ${DIMENSION_LABELS[featured].toLowerCase()} gap, 12 weeks`,
    weeks: weeks.map((w) => w.short),
    lines,
  };
}
