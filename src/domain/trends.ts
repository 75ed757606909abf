import { DIMENSIONS, type Dimension, type Side } from './dimensions.js';
import type { VisibleGap } from './scoring.js';
import {
  coefficientTest,
  criticalT,
  fitWithLevels,
  groupContrast,
  holm,
  type Observation,
  twoSidedP,
  type WeekShock,
  weekShock,
  welch,
} from './statistics.js';

/**
 * The calls a week's outputs make — did a score rise or fall, are Product and
 * Engineering apart, is their gap widening — on the individual answers of the
 * closed weeks, never two single weeks compared:
 *
 * - **Trend** (the index over all statements, or one dimension): the change
 *   over the last 8 closed weeks (over the weeks there are, while fewer),
 *   fitted with each leader's and each statement's own level taken out (so the
 *   rotation of statements does not move it), standard error clustered by
 *   leader plus what week-wide shocks add (see `weekShocks`), t with
 *   Satterthwaite's degrees of freedom (leaders − 1 when no shocks show). Rise
 *   or fall only past the test and by at least 5 points.
 * - **Gap**: over the last 4 closed weeks, each leader's mean (statement levels
 *   taken out), Product's leaders against Engineering's (Welch). Apart only past
 *   the test; aligned only when the whole 95% interval is within ±10 points.
 * - **Gap trend**: over the last 16 closed weeks, each side's own slope with
 *   each leader's and statement's level taken out; widening or narrowing from
 *   Product's slope minus Engineering's, past the test and by at least 5 points.
 *
 * The lines of a week are one family (the index, 9 dimensions, the 9 gaps
 * among which the digest features the largest, and that gap's trend): Holm's
 * step-down keeps the chance of any false call among them at 10%, so a digest
 * makes a false call at most one week in ten when nothing changes.
 */

export const TREND_WEEKS = 8;
export const GAP_WEEKS = 4;
export const GAP_TREND_WEEKS = 16;
/** Smallest fitted change (points, over the window) that is called a rise, a fall or a widening. */
export const MIN_CHANGE = 5;
/** The chance of any false call among a week's lines. */
export const FAMILY_ALPHA = 0.1;
/** Fewest weeks with answers, and fewest leaders moving the fit, before a trend is called. */
export const MIN_WEEKS = 4;
export const MIN_LEADERS = 4;
/** Fewest leaders a side before a gap is tested. */
export const MIN_SIDE = 3;
/**
 * The weight of the featured gap's trend in the week's family, against 1 for
 * each trend and 1 for the 9 gaps together: the digest's headline, and the
 * call with the least data (two small groups of leaders), so it gets a larger
 * share of the 10%.
 */
export const FEATURED_TREND_WEIGHT = 2;
/** A gap this small, with its whole interval inside, is "aligned". */
export const ALIGNED_WITHIN = 10;

export interface TrendAnswer {
  leader: string;
  /** The side the leader counted with that week; none for a week published by discipline outside Product and Engineering. */
  side: Side | undefined;
  /**
   * Whether the answer's side, for its question that week, had at least the
   * threshold of people: shown, or hidden only because the other side was
   * short. Gap calls use only such groups.
   */
  groupLargeEnough: boolean;
  statement: string;
  dimension: Dimension;
  /** 0 for the latest closed week, 1 for the week before, and so on. */
  weeksAgo: number;
  /** 0–100, reversed statements already flipped. */
  value: number;
}

export type Scope = Dimension | 'index';
export type TrendCall = 'rise' | 'fall' | 'no_change' | 'not_enough_data';
export type GapCall = 'apart' | 'aligned' | 'no_clear_gap' | 'not_enough_data';
export type GapTrendCall = 'widening' | 'narrowing' | 'no_clear_change' | 'not_enough_data';

export interface LineTest {
  /**
   * The fitted change over the weeks the answers cover (trends, gap trends:
   * slope × (last week − first week)), or Product minus Engineering (gaps).
   */
  estimate: number;
  p: number;
  df: number;
  /** The 95% interval of a gap. */
  low?: number;
  high?: number;
}

export interface WeekCalls {
  trends: Record<Scope, TrendCall>;
  gaps: Record<Dimension, GapCall>;
  /** The dimension whose gap the digest features: the largest; undefined when no gap could be tested. */
  featured: Dimension | undefined;
  /** Whether the featured gap is widening or narrowing. */
  featuredTrend: GapTrendCall;
}

export const SCOPES: readonly Scope[] = ['index', ...DIMENSIONS];

/** A trend as the outputs say it: the call, and beside it the change the published cells give. */
export interface TrendLine {
  call: TrendCall;
  /** The fitted change, in points, over `weeks` (never extrapolated beyond them). */
  change: number | undefined;
  /**
   * The weeks that change covers: from the first week with published cells in
   * the last 8 to the last such week, both counted ("rose 12 points over 4
   * weeks"); 8 once the history is long enough.
   */
  weeks?: number | undefined;
}

/** A gap as the outputs say it: the call, and Product minus Engineering over the last 4 weeks. */
export interface GapLine {
  call: GapCall;
  gap: VisibleGap | undefined;
  /** Why the gap is not shown, when asked but hidden: the rule that hid it ("fewer than 3 on the Engineering side answered"). */
  hidden?: string | undefined;
}

/** The gap the digest features, whether it is widening, and from what (earlier weeks) to what (the last 4). */
export interface FeaturedGap {
  dimension: Dimension;
  call: GapTrendCall;
  from: number | undefined;
  to: number | undefined;
  /** The weeks the trend was called over: up to 16, fewer while the history is short. */
  weeks: number;
}

/** A closed week's calls with their published numbers: what every output reads. */
export interface SaidCalls {
  trends: Record<Scope, TrendLine>;
  gaps: Record<Dimension, GapLine>;
  featured: FeaturedGap | undefined;
}

const sides = (a: TrendAnswer) => a.groupLargeEnough && a.side !== undefined;

/** The weeks from the first to the last of `weeks`, less one: what a slope a week is multiplied by. */
const spanOf = (weeks: Iterable<number>) => {
  const list = [...weeks];
  return list.length === 0 ? 0 : Math.max(...list) - Math.min(...list);
};

/**
 * The size of the shocks that move a whole week at once (a reorg, a holiday),
 * on every answer of the last 16 weeks, for the trend tests of the week and
 * the follow-ups of agreements (`weekShock` in statistics.ts).
 *
 * Why this, and not simply a second covariance clustered by week. A shock
 * moves every answer of its week, so the weekly movements of a line are not
 * independent, and an error clustered by leader alone takes them for signal
 * (with shocks of sd 3.75 points, a third of index lines with no true change
 * were called at 5%). Clustering by week as well, and taking the larger of
 * the two errors, is the textbook answer, but it fails here, as the validity
 * benchmark measured: over 8 weeks the week-clustered error is about half the
 * true one for the index, and next to nothing for a dimension asked every
 * other week, because the
 * statement levels soak up the weeks' shocks (a statement is asked in two or
 * three of the 8 weeks; One roadmap is asked in four, with three statements,
 * so once their levels are out no week-level freedom is left at all). With
 * it, one digest in five still made a false call under the largest shocks.
 * So the shocks' size is measured where it can be, on every answer of every
 * week, all dimensions together (a shock moves them all): how far the week
 * levels scatter around a straight line per 8 weeks, less what the answers'
 * own noise explains (a variance component, by moments, with weeks − 4
 * degrees of freedom). Each line then adds to its leader-clustered variance
 * what shocks of that size do to its own slope (`coefficientTest`), with
 * Satterthwaite's degrees of freedom. When nothing moves whole weeks the
 * estimate is mostly 0 and the test is the leader-clustered one, so the calls
 * keep their power; when shocks are there, the error grows with them.
 */
export const weekShocks = (answers: readonly TrendAnswer[]): WeekShock | undefined =>
  weekShock(
    answers
      .filter((a) => a.weeksAgo < GAP_TREND_WEEKS)
      .map((a) => ({
        cluster: a.leader,
        statement: a.statement,
        week: a.weeksAgo,
        y: a.value,
        dimension: a.dimension,
      })),
    TREND_WEEKS,
  );

/**
 * The change over the last 8 weeks of the index (every statement) or one
 * dimension: the fitted slope times the span of weeks the answers cover (from
 * the fitted value at the first of those weeks to the last), never
 * extrapolated to 8 weeks when fewer have answers. Its test allows for shocks
 * that move everyone in a week, of the size `shock` measured (`coefficientTest`).
 */
export function trendTest(
  answers: readonly TrendAnswer[],
  scope: Scope,
  shock?: WeekShock,
): LineTest | undefined {
  const mine = answers.filter(
    (a) => a.weeksAgo < TREND_WEEKS && (scope === 'index' || a.dimension === scope),
  );
  const weeks = new Set(mine.map((a) => a.weeksAgo));
  if (weeks.size < MIN_WEEKS) return undefined;
  const fit = fitWithLevels(
    mine.map(
      (a): Observation => ({
        cluster: a.leader,
        statement: a.statement,
        week: a.weeksAgo,
        y: a.value,
        x: [-a.weeksAgo],
      }),
    ),
  );
  if (fit === undefined || fit.clusters < MIN_LEADERS) return undefined;
  const test = coefficientTest(fit, shock);
  if (test === undefined) return undefined;
  return { estimate: test.estimate * spanOf(weeks), p: test.p, df: test.df };
}

/** Each leader's mean over their answers, with each statement's level (its mean) taken out. */
function leaderMeans(
  answers: readonly TrendAnswer[],
): Map<string, { side: Side | undefined; mean: number }> {
  const byStatement = new Map<string, number[]>();
  for (const a of answers)
    byStatement.set(a.statement, [...(byStatement.get(a.statement) ?? []), a.value]);
  const level = new Map(
    [...byStatement].map(([s, values]) => [s, values.reduce((x, y) => x + y, 0) / values.length]),
  );
  const byLeader = new Map<string, { side: Side | undefined; values: number[] }>();
  for (const a of answers) {
    const entry = byLeader.get(a.leader) ?? { side: a.side, values: [] };
    entry.values.push(a.value - (level.get(a.statement) ?? 0));
    byLeader.set(a.leader, entry);
  }
  return new Map(
    [...byLeader].map(([leader, e]) => [
      leader,
      { side: e.side, mean: e.values.reduce((x, y) => x + y, 0) / e.values.length },
    ]),
  );
}

/**
 * Product's leaders against Engineering's over the last 4 weeks, on one
 * dimension. No allowance for week-wide shocks is needed: both sides answer
 * in the same weeks, so a shock that moves everyone moves both sides' means
 * alike and cancels in their difference.
 */
export function gapTest(
  answers: readonly TrendAnswer[],
  dimension: Dimension,
): LineTest | undefined {
  const mine = answers.filter(
    (a) => a.weeksAgo < GAP_WEEKS && a.dimension === dimension && sides(a),
  );
  const means = [...leaderMeans(mine).values()];
  const of = (side: Side) => means.filter((m) => m.side === side).map((m) => m.mean);
  const product = of('product');
  const engineering = of('engineering');
  if (product.length < MIN_SIDE || engineering.length < MIN_SIDE) return undefined;
  const test = welch(product, engineering);
  if (test === undefined) return undefined;
  const margin = criticalT(0.975, test.df) * test.standardError;
  return {
    estimate: test.difference,
    p: twoSidedP(test.difference / test.standardError, test.df),
    df: test.df,
    low: test.difference - margin,
    high: test.difference + margin,
  };
}

/**
 * Product's slope minus Engineering's over the last 16 weeks, on one dimension,
 * on leaders: each side's own slope, fitted with each leader's and each
 * statement's level taken out, the contrast's standard error clustered by
 * leader, and Welch–Satterthwaite degrees of freedom from each side's leaders
 * (a contrast between two small groups of leaders has fewer than leaders − 1).
 */
export function gapTrendTest(
  answers: readonly TrendAnswer[],
  dimension: Dimension,
): LineTest | undefined {
  const mine = answers.filter(
    (a) => a.weeksAgo < GAP_TREND_WEEKS && a.dimension === dimension && sides(a),
  );
  const weeks = new Set(mine.map((a) => a.weeksAgo));
  if (weeks.size < MIN_WEEKS + 2) return undefined;
  const fit = fitWithLevels(
    mine.map((a): Observation => {
      const t = -a.weeksAgo;
      return {
        cluster: a.leader,
        statement: a.statement,
        y: a.value,
        x: a.side === 'product' ? [t, 0] : [0, t],
      };
    }),
  );
  if (fit === undefined) return undefined;
  // Each side's leaders who answered in two weeks or more (the ones its slope
  // is learnt from), and Welch–Satterthwaite degrees of freedom from them.
  const sideOf = new Map(mine.map((a) => [a.leader, a.side]));
  const contrast = groupContrast(fit, (leader) => sideOf.get(leader) === 'product');
  if (contrast === undefined || Math.min(...contrast.leaders) < MIN_SIDE) return undefined;
  if (!(contrast.variance > 0)) return undefined;
  // No week clustering here: both sides answer in the same weeks, so a shock
  // that moves everyone in a week moves both slopes alike and cancels in
  // their difference.
  return {
    estimate: contrast.estimate * spanOf(weeks),
    p: twoSidedP(contrast.estimate / Math.sqrt(contrast.variance), contrast.df),
    df: contrast.df,
  };
}

/**
 * Every call of a week, from the answers of its last 16 closed weeks (only
 * answers of groups large enough to publish), allowing for week-wide shocks of
 * the size those answers show (`shock`): each line tested, then Holm's
 * step-down across the week's family, then the size rules. The family is what
 * the digest says: the index and the 9 dimensions (each weighing 1), the gaps
 * of the 9 dimensions (weighing 1/9 each, together 1, since the digest features
 * the largest of them) and the trend of the featured gap (2).
 */
export function callWeek(
  answers: readonly TrendAnswer[],
  // The shocks' size, measured on the same answers unless given.
  shock: WeekShock | undefined = weekShocks(answers),
): WeekCalls {
  const trendTests = SCOPES.map((s) => trendTest(answers, s, shock));
  const gapTests = DIMENSIONS.map((d) => gapTest(answers, d));
  // The gap the digest features: among the gaps tested, the largest over the
  // whole 16 weeks. Chosen on the window's mean, not its latest weeks, so the
  // choice does not lean the trend test towards "widening".
  const featuredIndex = gapTests
    .map((t, i) => ({ t, i, size: Math.abs(windowGap(answers, DIMENSIONS[i] as Dimension)) }))
    .filter((x) => x.t !== undefined)
    .sort((a, b) => b.size - a.size || a.i - b.i)[0]?.i;
  const featured = featuredIndex === undefined ? undefined : DIMENSIONS[featuredIndex];
  const gapTrend = featured === undefined ? undefined : gapTrendTest(answers, featured);
  const rejected = holm(
    [...trendTests, ...gapTests, gapTrend].map((t) => t?.p),
    FAMILY_ALPHA,
    [...SCOPES.map(() => 1), ...DIMENSIONS.map(() => 1 / DIMENSIONS.length), FEATURED_TREND_WEIGHT],
  );
  const trendIsCalled = (i: number) => rejected[i] === true;
  const gapIsCalled = (i: number) => rejected[SCOPES.length + i] === true;
  const gapTrendIsCalled = rejected[SCOPES.length + DIMENSIONS.length] === true;

  const trends = Object.fromEntries(
    SCOPES.map((scope, i): [Scope, TrendCall] => {
      const test = trendTests[i];
      if (test === undefined) return [scope, 'not_enough_data'];
      if (!trendIsCalled(i) || Math.abs(test.estimate) < MIN_CHANGE) return [scope, 'no_change'];
      return [scope, test.estimate > 0 ? 'rise' : 'fall'];
    }),
  ) as Record<Scope, TrendCall>;
  const gaps = Object.fromEntries(
    DIMENSIONS.map((d, i): [Dimension, GapCall] => {
      const test = gapTests[i];
      if (test === undefined) return [d, 'not_enough_data'];
      if (gapIsCalled(i) && Math.abs(test.estimate) >= MIN_CHANGE) return [d, 'apart'];
      if ((test.low ?? -Infinity) > -ALIGNED_WITHIN && (test.high ?? Infinity) < ALIGNED_WITHIN)
        return [d, 'aligned'];
      return [d, 'no_clear_gap'];
    }),
  ) as Record<Dimension, GapCall>;
  let featuredTrend: GapTrendCall = 'not_enough_data';
  if (featured !== undefined && gapTrend !== undefined) {
    const now = gapTests[featuredIndex ?? 0]?.estimate ?? windowGap(answers, featured, GAP_WEEKS);
    featuredTrend =
      !gapTrendIsCalled || Math.abs(gapTrend.estimate) < MIN_CHANGE
        ? 'no_clear_change'
        : // Widening: the gap grows in the direction it already points.
          Math.sign(gapTrend.estimate) === Math.sign(now)
          ? 'widening'
          : 'narrowing';
  }
  return { trends, gaps, featured, featuredTrend };
}

/** Product's mean minus Engineering's over the last `weeks` weeks, on one dimension. */
function windowGap(
  answers: readonly TrendAnswer[],
  dimension: Dimension,
  weeks = GAP_TREND_WEEKS,
): number {
  const recent = answers.filter((a) => a.weeksAgo < weeks && a.dimension === dimension && sides(a));
  const mean = (side: Side) => {
    const values = recent.filter((a) => a.side === side).map((a) => a.value);
    return values.length === 0 ? 0 : values.reduce((x, y) => x + y, 0) / values.length;
  };
  return mean('product') - mean('engineering');
}

/** A published cell as a trend's words read it: its statement, week, score and answers. */
export interface CellPoint {
  statement: string;
  weeksAgo: number;
  /** The cell's score, 0–100. */
  score: number;
  /** Its answers: the cell's weight. */
  answers: number;
}

/** The change the words beside a call give, and the weeks it covers. */
export interface CellChange {
  /** Points, from the fitted value at the first week to the last. */
  change: number;
  /** The weeks from the first cell used to the last, both counted: "over 4 weeks". */
  weeks: number;
}

/**
 * The change over the last 8 weeks that the words beside a call give ("rose
 * 24 points over 8 weeks"), fitted to published cells only, with each
 * statement's level taken out: weighted by answers, so it is a sum of
 * published cells like every number shown. The change is over the weeks the
 * cells cover, from the first to the last (fewer than 8 while the history is
 * short), never extrapolated. Undefined with fewer than two weeks.
 */
export function cellTrend(points: readonly CellPoint[]): CellChange | undefined {
  const recent = points.filter((p) => p.weeksAgo < TREND_WEEKS && p.answers > 0);
  const weeks = new Set(recent.map((p) => p.weeksAgo));
  if (weeks.size < 2) return undefined;
  const byStatement = new Map<string, CellPoint[]>();
  for (const p of recent)
    byStatement.set(p.statement, [...(byStatement.get(p.statement) ?? []), p]);
  let sxx = 0;
  let sxy = 0;
  for (const group of byStatement.values()) {
    const weight = group.reduce((x, p) => x + p.answers, 0);
    const t = group.reduce((x, p) => x - p.weeksAgo * p.answers, 0) / weight;
    const y = group.reduce((x, p) => x + p.score * p.answers, 0) / weight;
    for (const p of group) {
      sxx += p.answers * (-p.weeksAgo - t) ** 2;
      sxy += p.answers * (-p.weeksAgo - t) * (p.score - y);
    }
  }
  if (sxx === 0) return undefined;
  const span = spanOf(weeks);
  return { change: (sxy / sxx) * span, weeks: span + 1 };
}
