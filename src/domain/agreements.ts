import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';
import type { Dimension, Side } from './dimensions.js';
import {
  coefficientTest,
  fitWithLevels,
  groupContrast,
  type Observation,
  twoSidedP,
  type WeekShock,
} from './statistics.js';
import { MIN_CHANGE, MIN_LEADERS, MIN_SIDE } from './trends.js';

/** An agreement is reviewed this many days after it is recorded, unless the form says otherwise. */
export const DEFAULT_REVIEW_DAYS = 28;
/** The review DM goes out at this hour of the review day, in the survey's time zone. */
export const REVIEW_HOUR = 9;
/** What an agreement may say, in characters. */
export const AGREEMENT_MAX = 300;
/** A "Dropped" note, in characters. */
export const NOTE_MAX = 200;
/** A change since an agreement is called when its test says p below this, per line. */
export const FOLLOW_UP_ALPHA = 0.05;
/** Fewer closed weeks than this on either side of the agreement: too early to tell. */
export const MIN_WEEKS_EACH_SIDE = 2;

/** Today's date in a time zone, as YYYY-MM-DD. */
export const dayIn = (at: Date, timezone: string): string =>
  format(new TZDate(at.getTime(), timezone), 'yyyy-MM-dd');

/** The default review day: four weeks from `at`, in the survey's time zone. */
export const defaultReviewDay = (at: Date, timezone: string): string =>
  format(addDays(new TZDate(at.getTime(), timezone), DEFAULT_REVIEW_DAYS), 'yyyy-MM-dd');

/** The moment a review day's DM is due: 09:00 that day in the survey's time zone. */
export function reviewMoment(day: string, timezone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(TZDate.tz(timezone, y ?? 1970, (m ?? 1) - 1, d ?? 1, REVIEW_HOUR).getTime());
}

/** One answer of a leader, before the agreement or after it, as the follow-up reads it. */
export interface FollowUpAnswer {
  leader: string;
  /** The side the leader counted with that week (none: a week published by discipline, outside Product and Engineering). */
  side: Side | undefined;
  /** Whether its side was large enough to publish (gap tests use only those). */
  groupLargeEnough: boolean;
  statement: string;
  dimension: Dimension;
  /** 0–100, reversed statements flipped. */
  value: number;
  after: boolean;
  /**
   * The closed week the answer was given in (0 the latest, 1 the week before…).
   * With it and the follow-up's `shock`, the score test allows for shocks that
   * moved everyone in a week, which would otherwise pass for the agreement's
   * effect; without either, it does not.
   */
  week?: number | undefined;
}

export type ScoreMove = 'rose' | 'fell' | 'no_clear_change' | 'too_early';
export type GapMove = 'narrowed' | 'widened' | 'no_clear_change' | 'too_early';

export interface FollowUp {
  /** When the agreement was recorded. */
  since: string;
  /** Closed weeks published since then. */
  weeksAfter: number;
  /** The dimension's score: published before (the 4 closed weeks up to the agreement) and since. */
  score: { from: number | undefined; to: number | undefined; move: ScoreMove };
  /** Product minus Engineering on it, the same two windows. */
  gap: {
    from: number | undefined;
    to: number | undefined;
    move: GapMove;
    /** When a window's gap could not be shown: the rule that hid it, and in which weeks. */
    hidden?: string | undefined;
  };
}

interface Test {
  estimate: number;
  p: number;
  /** The t test's degrees of freedom. */
  df: number;
}

/**
 * The change in a dimension's score from before an agreement to after it, on
 * leaders: each leader's and each statement's level taken out, the change the
 * coefficient of "after", its error clustered by leader (so a leader's many
 * answers count as one leader). "After" is the same for everyone in a week, so
 * a shock that moved every leader in the weeks after (a reorg, a holiday)
 * would pass for the agreement's effect: given the shocks' size (`shock`,
 * measured on every answer of the weeks, `weekShocks` in trends.ts) and each
 * answer's `week`, the error adds what such shocks do to the change, with
 * Satterthwaite's degrees of freedom, as the trends do (`coefficientTest`).
 * Without them, t with leaders − 1 degrees of freedom.
 */
export function scoreChangeTest(
  answers: readonly FollowUpAnswer[],
  shock?: WeekShock,
): Test | undefined {
  const fit = fitWithLevels(
    answers.map(
      (a): Observation => ({
        cluster: a.leader,
        statement: a.statement,
        week: a.week,
        y: a.value,
        x: [a.after ? 1 : 0],
      }),
    ),
  );
  if (fit === undefined || fit.clusters < MIN_LEADERS) return undefined;
  const test = coefficientTest(fit, shock);
  return test === undefined ? undefined : { estimate: test.estimate, p: test.p, df: test.df };
}

/**
 * The change in the gap (Product minus Engineering) from before to after: the
 * same model with "after" for each side, the contrast between the two; only
 * groups large enough to publish; at least 3 leaders a side who answered both
 * before and after. Its error is clustered by leader with Welch–Satterthwaite
 * degrees of freedom from each side's leaders (`groupContrast`, as the gap
 * trend). Not clustered by week: both sides answer in the same weeks, so a
 * shock that moves everyone in a week moves both sides alike and cancels in
 * the gap.
 */
export function gapChangeTest(answers: readonly FollowUpAnswer[]): Test | undefined {
  const sides = answers.filter((a) => a.groupLargeEnough && a.side !== undefined);
  const fit = fitWithLevels(
    sides.map((a): Observation => {
      const after = a.after ? 1 : 0;
      return {
        cluster: a.leader,
        statement: a.statement,
        y: a.value,
        x: a.side === 'product' ? [after, 0] : [0, after],
      };
    }),
  );
  if (fit === undefined) return undefined;
  // The leaders moving each side's change are those who answered both before and after.
  const sideOf = new Map(sides.map((a) => [a.leader, a.side]));
  const contrast = groupContrast(fit, (leader) => sideOf.get(leader) === 'product');
  if (contrast === undefined || Math.min(...contrast.leaders) < MIN_SIDE) return undefined;
  if (!(contrast.variance > 0)) return undefined;
  return {
    estimate: contrast.estimate,
    p: twoSidedP(contrast.estimate / Math.sqrt(contrast.variance), contrast.df),
    df: contrast.df,
  };
}

/**
 * What happened to an agreement's dimension and its gap since it was made.
 * The numbers are the published ones (`cells`: pooled over the 4 closed weeks
 * up to the agreement, and over those since); the words are the tests'. A
 * change is said only when its test passes at 5%, the published numbers moved
 * 5 points or more, and both go the same way; otherwise "no clear change yet".
 * Under 2 closed weeks on either side it is too early to tell.
 */
export function followUp(input: {
  since: string;
  weeksBefore: number;
  weeksAfter: number;
  answers: readonly FollowUpAnswer[];
  /**
   * The size of week-wide shocks, measured on every answer of the weeks
   * (`weekShocks` in trends.ts); with each answer's `week`, the score test allows for them.
   */
  shock?: WeekShock | undefined;
  cells: {
    score: { from: number | undefined; to: number | undefined };
    gap: { from: number | undefined; to: number | undefined; hidden?: string | undefined };
  };
}): FollowUp {
  const early = input.weeksBefore < MIN_WEEKS_EACH_SIDE || input.weeksAfter < MIN_WEEKS_EACH_SIDE;
  const { score, gap } = input.cells;
  let scoreMove: ScoreMove = 'too_early';
  let gapMove: GapMove = 'too_early';
  if (!early) {
    const test = scoreChangeTest(input.answers, input.shock);
    const moved = score.from !== undefined && score.to !== undefined ? score.to - score.from : 0;
    scoreMove =
      test !== undefined &&
      test.p < FOLLOW_UP_ALPHA &&
      Math.abs(Math.round(moved)) >= MIN_CHANGE &&
      Math.sign(moved) === Math.sign(test.estimate)
        ? moved > 0
          ? 'rose'
          : 'fell'
        : 'no_clear_change';
    const gapTest = gapChangeTest(input.answers);
    const widthMoved =
      gap.from !== undefined && gap.to !== undefined ? Math.abs(gap.to) - Math.abs(gap.from) : 0;
    // The test's change is in Product − Engineering; the gap narrows when that moves towards 0.
    const towardsZero =
      gap.from !== undefined && Math.sign(gapTest?.estimate ?? 0) !== Math.sign(gap.from);
    gapMove =
      gapTest !== undefined &&
      gapTest.p < FOLLOW_UP_ALPHA &&
      Math.abs(Math.round(widthMoved)) >= MIN_CHANGE &&
      widthMoved < 0 === towardsZero
        ? widthMoved < 0
          ? 'narrowed'
          : 'widened'
        : 'no_clear_change';
  }
  return {
    since: input.since,
    weeksAfter: input.weeksAfter,
    score: { ...score, move: scoreMove },
    gap: { ...gap, move: gapMove },
  };
}
