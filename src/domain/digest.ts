import { DIMENSIONS, type Dimension } from './dimensions.js';
import type { Group, PeriodScore, VisibleGap, VisibleGroup } from './scoring.js';
import { sparkline } from './scoring.js';
import { DISCUSSION_QUESTIONS } from './topics.js';
import type { FeaturedGap, GapCall, SaidCalls, TrendLine } from './trends.js';
import type { Week } from './weeks.js';

export interface DimensionLine {
  dimension: Dimension;
  current: Group | undefined;
  /** Over the last 8 closed weeks; undefined when the week has no calls. */
  trend: TrendLine | undefined;
  spark: string;
}

export interface Digest {
  week: Week;
  threshold: number;
  /** no_data: nobody answered; too_few: under the threshold; first: no earlier week; normal. */
  state: 'no_data' | 'too_few' | 'first' | 'normal';
  index: { current: Group; trend: TrendLine | undefined; spark: string };
  dimensions: DimensionLine[];
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
      }
    | undefined;
  respondents: number;
  invited: number;
  comments: string[];
  topic: { dimension: Dimension; why: 'divided' | 'weakest'; question: string } | undefined;
}

const scoreOf = (g: Group | undefined) => (g?.visible === true ? g.score : null);

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

  const dimensions: DimensionLine[] = DIMENSIONS.map((dimension) => ({
    dimension,
    current: dimensionOf(current, dimension)?.overall,
    trend: calls?.trends[dimension],
    spark: sparkline(scores.map((s) => scoreOf(dimensionOf(s, dimension)?.overall))),
  }));

  let largestGap: Digest['largestGap'];
  const featured = calls?.featured;
  const featuredGap = featured === undefined ? undefined : calls?.gaps[featured.dimension];
  if (featured !== undefined && featuredGap?.gap !== undefined) {
    largestGap = {
      dimension: featured.dimension,
      gap: featuredGap.gap,
      call: featuredGap.call,
      trend: { call: featured.call, from: featured.from, to: featured.to, weeks: featured.weeks },
    };
  } else if (calls !== undefined) {
    // No gap could be tested: the largest published one, said as not enough data.
    const top = DIMENSIONS.flatMap((dimension) => {
      const line = calls.gaps[dimension];
      return line.gap === undefined ? [] : [{ dimension, gap: line.gap, call: line.call }];
    }).sort((a, b) => Math.abs(b.gap.points) - Math.abs(a.gap.points))[0];
    if (top !== undefined) largestGap = { ...top, trend: undefined };
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
      largestGap = { dimension: top.dimension, gap: top.gap, call: undefined, trend: undefined };
  }

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
      : current.respondents < threshold || !current.index.visible
        ? 'too_few'
        : answeredBefore
          ? 'normal'
          : 'first';
  return {
    week,
    threshold,
    state,
    index: {
      current: current.index,
      trend: calls?.trends.index,
      spark: sparkline(scores.map((s) => scoreOf(s.index))),
    },
    dimensions,
    largestGap,
    respondents: current.respondents,
    invited: current.invited,
    comments: current.respondents >= threshold ? input.comments : [],
    topic: state === 'no_data' || state === 'too_few' ? undefined : topic,
  };
}
