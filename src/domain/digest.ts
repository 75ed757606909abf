import { DIMENSIONS, type Dimension } from './dimensions.js';
import {
  type Change,
  changeBetween,
  type Gap,
  type Group,
  type PeriodScore,
  sparkline,
  type VisibleGroup,
} from './scoring.js';
import { DISCUSSION_QUESTIONS } from './topics.js';
import type { Week } from './weeks.js';

export interface DimensionLine {
  dimension: Dimension;
  current: Group | undefined;
  change: Change | undefined;
  spark: string;
}

export type VisibleGap = Extract<Gap, { visible: true }>;

export interface Digest {
  week: Week;
  threshold: number;
  /** no_data: nobody answered; too_few: under the threshold; first: no earlier week to compare. */
  state: 'no_data' | 'too_few' | 'first' | 'normal';
  index: { current: Group; change: Change | undefined; spark: string };
  dimensions: DimensionLine[];
  largestGap: { dimension: Dimension; gap: VisibleGap } | undefined;
  respondents: number;
  invited: number;
  comments: string[];
  topic: { dimension: Dimension; why: 'divided' | 'weakest'; question: string } | undefined;
}

const scoreOf = (g: Group | undefined) => (g?.visible === true ? g.score : null);

/**
 * Everything the weekly digest says, worked out from the scored weeks (oldest
 * first, the digest's own week last). Pure: the view turns it into Block Kit.
 */
export function buildDigest(input: {
  weeks: Week[];
  scores: PeriodScore[];
  comments: string[];
  threshold: number;
}): Digest {
  const { weeks, scores, threshold } = input;
  const week = weeks.at(-1);
  const current = scores.at(-1);
  if (week === undefined || current === undefined)
    throw new Error('a digest needs at least one week');
  const previous = scores.at(-2);
  const dimensionOf = (s: PeriodScore | undefined, d: Dimension) =>
    s?.dimensions.find((x) => x.dimension === d);
  const answeredBefore = scores.slice(0, -1).some((s) => s.respondents > 0);

  const dimensions: DimensionLine[] = DIMENSIONS.map((dimension) => ({
    dimension,
    current: dimensionOf(current, dimension)?.overall,
    change: changeBetween(
      dimensionOf(previous, dimension)?.overall,
      dimensionOf(current, dimension)?.overall,
    ),
    spark: sparkline(scores.map((s) => scoreOf(dimensionOf(s, dimension)?.overall))),
  }));

  const gaps = current.dimensions
    .filter((d): d is typeof d & { gap: VisibleGap } => d.gap.visible)
    .map((d) => ({ dimension: d.dimension, gap: d.gap }))
    // Largest first; on a tie, the catalogue's order.
    .sort(
      (a, b) =>
        Math.abs(b.gap.points) - Math.abs(a.gap.points) ||
        DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
    );
  const largestGap = gaps[0];

  let topic: Digest['topic'];
  if (largestGap !== undefined && largestGap.gap.call !== 'aligned') {
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
      : current.respondents < threshold
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
      change: changeBetween(previous?.index, current.index),
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
