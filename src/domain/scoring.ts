import type { Dimension, Discipline, Side } from './dimensions.js';

/**
 * Scores as DESIGN.md defines them, from tallies (how many answers of 1–5 a
 * group gave, reversed questions already flipped, and how many people). The
 * anonymity threshold is applied here, so no caller can show a small group.
 */

/** Answers of 1, 2, 3, 4 and 5 (after flipping reversed questions). */
export type Counts = readonly [number, number, number, number, number];

export interface Tally {
  counts: Counts;
  /** Distinct people behind the answers. */
  respondents: number;
}

export interface VisibleGroup {
  visible: true;
  /** 0–100, unrounded: 1 → 0, 5 → 100. */
  score: number;
  /** Share of answers that were 4–5, 3 and 1–2. */
  favorable: number;
  neutral: number;
  unfavorable: number;
  respondents: number;
  answers: number;
  /** Standard error of the score, for telling change from noise. */
  standardError: number;
}

export type HiddenReason = 'too_few' | 'complement' | 'no_answers';

export interface HiddenGroup {
  visible: false;
  reason: HiddenReason;
  /** The threshold the rule that hid it applied (the one its pulse was published with). */
  threshold?: number;
}

export type Group = VisibleGroup | HiddenGroup;

export const HIDDEN_REASONS: Record<HiddenReason, (threshold: number) => string> = {
  too_few: (n) => `fewer than ${n} people answered`,
  complement: (n) =>
    `hidden so that a group of fewer than ${n} cannot be worked out from the others`,
  no_answers: () => 'no answers',
};

export type Gap =
  | {
      visible: true;
      points: number;
      product: number;
      engineering: number;
      standardError: number;
    }
  | { visible: false; reason: string };

export type VisibleGap = Extract<Gap, { visible: true }>;

export interface DimensionScore {
  dimension: Dimension;
  overall: Group;
  /** The Product side and the Engineering side (DESIGN.md, Sides). */
  bySide: Record<Side, Group>;
  /**
   * One discipline alone: only in weeks published by discipline, before the
   * sides (migration 006); hidden ('no_answers') in every week published by side.
   */
  byDiscipline: Record<Discipline, Group>;
  /** The Product side's score minus the Engineering side's. */
  gap: Gap;
}

export interface PeriodScore {
  /** The mean of the visible dimension scores; hidden when none is visible. */
  index: Group;
  dimensions: DimensionScore[];
  /** The closed pulses behind the scores (several for a window of weeks). */
  pulses: number;
  /** Distinct people who answered: the most, and the fewest, of any one pulse. */
  respondents: number;
  respondentsLeast: number;
  invited: number;
  /** respondents / invited, or undefined when nobody was invited. */
  responseRate: number | undefined;
  /** How the pulses behind it were published: by side, or (before the sides) by discipline. */
  units: ('side' | 'discipline')[];
  /** The threshold its pulses were published with (the largest); undefined without pulses. */
  threshold: number | undefined;
}

export const NO_COUNTS: Counts = [0, 0, 0, 0, 0];

export function addCounts(a: Counts, b: Counts): Counts {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]];
}

/** The statistics of a tally, without the threshold. */
export function describeTally(tally: Tally): VisibleGroup | undefined {
  const answers = tally.counts.reduce((sum, n) => sum + n, 0);
  if (answers === 0) return undefined;
  const points = tally.counts.map((_, i) => i * 25);
  const mean = tally.counts.reduce((sum, n, i) => sum + n * (points[i] ?? 0), 0) / answers;
  const variance =
    answers > 1
      ? tally.counts.reduce((sum, n, i) => sum + n * ((points[i] ?? 0) - mean) ** 2, 0) /
        (answers - 1)
      : 0;
  return {
    visible: true,
    score: mean,
    favorable: (tally.counts[3] + tally.counts[4]) / answers,
    neutral: tally.counts[2] / answers,
    unfavorable: (tally.counts[0] + tally.counts[1]) / answers,
    respondents: tally.respondents,
    answers,
    standardError: Math.sqrt(variance / answers),
  };
}

/** The Product side's score minus the Engineering side's, with its standard error. */
export function gapBetween(product: VisibleGroup, engineering: VisibleGroup): Gap {
  const points = product.score - engineering.score;
  const standardError = Math.sqrt(product.standardError ** 2 + engineering.standardError ** 2);
  return {
    visible: true,
    points,
    product: product.score,
    engineering: engineering.score,
    standardError,
  };
}

/** A 0–1 share or a 0–100 score as the whole number shown to people. */
export const whole = (value: number): number => Math.round(value);
export const percent = (share: number): number => Math.round(share * 100);
