import { createRequire } from 'node:module';

type TDistribution = (x: number, df: number) => number;
const require = createRequire(import.meta.url);
/**
 * The t distribution's functions, loaded at the first call: they are only
 * needed when a pulse closes, and loading them at start would cost the idle
 * app some 17 MB (bench/RESULTS.md, Memory of the app).
 */
let loaded: { cdf: TDistribution; quantile: TDistribution } | undefined;
const tDistribution = () => {
  loaded ??= {
    cdf: require('@stdlib/stats-base-dists-t-cdf') as TDistribution,
    quantile: require('@stdlib/stats-base-dists-t-quantile') as TDistribution,
  };
  return loaded;
};

/**
 * The statistics behind the trend and gap calls: least squares with each
 * leader's and each statement's own level taken out, standard errors clustered
 * by leader, an allowance for shocks that move a whole week at once
 * (`weekShock`, `coefficientTest`), Welch's two-sample test, and Holm's
 * step-down across the calls of one week. The t distribution comes from
 * stdlib; the regression is written here because it is small, specific (two
 * sets of fixed effects absorbed, one or two slopes, clustered errors) and no
 * maintained npm package offers it.
 */

/** The two-sided p-value of a t statistic. */
export const twoSidedP = (value: number, df: number): number =>
  2 * (1 - tDistribution().cdf(Math.abs(value), df));

/** The t quantile: criticalT(0.975, 14) = 2.145. */
export const criticalT = (probability: number, df: number): number =>
  tDistribution().quantile(probability, df);

/**
 * Holm's step-down, weighted: which hypotheses to reject so that the chance of
 * any false rejection among them stays at most `alpha`. Hypothesis i is tested
 * at alpha·w_i / (the weight of those not yet rejected), in order of p_i / w_i;
 * with equal weights this is Holm's procedure. Undefined p-values are no test.
 */
export function holm(
  pValues: readonly (number | undefined)[],
  alpha: number,
  weights: readonly number[] = pValues.map(() => 1),
): boolean[] {
  const tested = pValues
    .map((p, i) => ({ p, i, w: weights[i] ?? 1 }))
    .filter(
      (x): x is { p: number; i: number; w: number } =>
        x.p !== undefined && Number.isFinite(x.p) && x.w > 0,
    )
    .sort((a, b) => a.p / a.w - b.p / b.w);
  let remaining = tested.reduce((total, x) => total + x.w, 0);
  const rejected = pValues.map(() => false);
  for (const { p, i, w } of tested) {
    if (p > (alpha * w) / remaining) break;
    rejected[i] = true;
    remaining -= w;
  }
  return rejected;
}

export interface Observation {
  /** The leader: the cluster of the standard error, and a level of its own. */
  cluster: string;
  /** The statement: a level of its own. */
  statement: string;
  /**
   * The week of the answer (0 for the latest, 1 for the week before…): lets a
   * test allow for what moves everyone in a week at once (`weekShock`).
   */
  week?: number | undefined;
  y: number;
  /** The regressors (a week number, or week numbers by discipline). */
  x: readonly number[];
}

export interface Fit {
  beta: number[];
  /** Covariance of beta, clustered by leader, with the small-sample factor G/(G−1)·(N−1)/(N−K). */
  cov: number[][];
  /**
   * Each leader's share of that covariance: cov = Σ influence·influenceᵀ. Lets a
   * contrast between groups of leaders take Welch–Satterthwaite degrees of freedom.
   */
  influence: Map<string, number[]>;
  /**
   * The leaders who move the fit: those whose own regressors are not all equal
   * (answers in two or more weeks, say). Any other leader's answers are all
   * their own level and say nothing about a slope.
   */
  moving: ReadonlySet<string>;
  /** How many leaders move the fit. */
  clusters: number;
  /**
   * Each week's weight in beta: how far beta moves when every answer of that
   * week moves by one point (a shock to the whole week). Empty when the
   * observations do not say their week.
   */
  weekWeights: Map<number, number[]>;
  n: number;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** Σ a·b over two vectors of the same length. */
const dot = (a: readonly number[], b: readonly number[]) => {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += (a[i] ?? 0) * (b[i] ?? 0);
  return total;
};

/** Σ a·b over two columns of observations (kept apart from `dot` so each stays fast). */
const dotColumns = (a: Float64Array, b: Float64Array) => {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += (a[i] ?? 0) * (b[i] ?? 0);
  return total;
};

/** The positions of each group's members. */
function membersOf(groups: readonly string[]): number[][] {
  const index = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = index.get(g) ?? [];
    list.push(i);
    index.set(g, list);
  });
  return [...index.values()];
}

/** Subtracts, in place, each group's mean from every column; returns the largest mean taken out. */
function demeanBy(columns: Float64Array[], groups: readonly number[][]): number {
  let moved = 0;
  for (const column of columns) {
    for (const members of groups) {
      let total = 0;
      for (let m = 0; m < members.length; m++) total += column[members[m] ?? 0] ?? 0;
      const mean = total / members.length;
      if (mean === 0) continue;
      moved = Math.max(moved, Math.abs(mean));
      for (let m = 0; m < members.length; m++) {
        const i = members[m] ?? 0;
        column[i] = (column[i] ?? 0) - mean;
      }
    }
  }
  return moved;
}

/** The inverse of a small symmetric matrix (Gauss–Jordan); undefined when singular. */
function invert(a: number[][]): number[][] | undefined {
  const k = a.length;
  const m = a.map((row, i) => [...row, ...a.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++)
      if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r;
    const scale = Math.max(1, ...a.map((row) => Math.abs(row[col] ?? 0)));
    if (Math.abs(m[pivot]?.[col] ?? 0) < 1e-9 * scale) return undefined;
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const row = m[col] as number[];
    const p = row[col] as number;
    for (let j = 0; j < 2 * k; j++) row[j] = (row[j] ?? 0) / p;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const other = m[r] as number[];
      const f = other[col] ?? 0;
      for (let j = 0; j < 2 * k; j++) other[j] = (other[j] ?? 0) - f * (row[j] ?? 0);
    }
  }
  return m.map((row) => row.slice(k));
}

const multiply = (a: number[][], b: number[][]) =>
  a.map((row) => b[0]?.map((_, j) => sum(row.map((v, l) => v * (b[l]?.[j] ?? 0)))) ?? []);

/** Each cluster's score: Σ x·residual over its observations, one number per regressor. */
function scoresBy<K>(
  keys: readonly K[],
  x: readonly ArrayLike<number>[],
  residual: ArrayLike<number>,
): Map<K, number[]> {
  const scores = new Map<K, number[]>();
  keys.forEach((key, i) => {
    const s = scores.get(key) ?? x.map(() => 0);
    for (let j = 0; j < x.length; j++) s[j] = (s[j] ?? 0) + (x[j]?.[i] ?? 0) * (residual[i] ?? 0);
    scores.set(key, s);
  });
  return scores;
}

/** The sandwich inverse · Σ s·sᵀ · inverse, times a small-sample factor. */
function sandwich(inverse: number[][], scores: Iterable<number[]>, factor: number): number[][] {
  const list = [...scores];
  const meat = inverse.map((_, a) =>
    inverse.map((_, b) => sum(list.map((s) => (s[a] ?? 0) * (s[b] ?? 0)))),
  );
  return multiply(multiply(inverse, meat), inverse).map((row) => row.map((v) => v * factor));
}

/** The leaders whose own regressor values are not all equal: the ones a slope is learnt from. */
function movingClusters(observations: readonly Observation[]): Set<string> {
  const first = new Map<string, readonly number[]>();
  const moving = new Set<string>();
  for (const o of observations) {
    const seen = first.get(o.cluster);
    if (seen === undefined) first.set(o.cluster, o.x);
    else if (o.x.some((v, j) => v !== seen[j])) moving.add(o.cluster);
  }
  return moving;
}

/**
 * Least squares of y on x with a level for every leader and every statement
 * (absorbed by alternating projections, the standard way for two sets of fixed
 * effects), the covariance clustered by leader and, when the observations say
 * their week, each week's weight in the fit (for `coefficientTest`). Undefined
 * when the regressors do not vary once the levels are out, or fewer than two
 * leaders move the fit.
 */
export function fitWithLevels(observations: readonly Observation[]): Fit | undefined {
  const n = observations.length;
  const k = observations[0]?.x.length ?? 0;
  if (n === 0 || k === 0) return undefined;
  const clusters = membersOf(observations.map((o) => o.cluster));
  const statements = membersOf(observations.map((o) => o.statement));
  const column = (value: (o: Observation) => number) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = value(observations[i] as Observation);
    return values;
  };
  const columns = [
    column((o) => o.y),
    ...Array.from({ length: k }, (_, j) => column((o) => o.x[j] ?? 0)),
  ];
  for (let i = 0; i < 1000; i++) {
    const moved = Math.max(demeanBy(columns, clusters), demeanBy(columns, statements));
    if (moved < 1e-11) break;
  }
  const [y, ...x] = columns as [Float64Array, ...Float64Array[]];
  // XᵀX, symmetric: each product worked out once.
  const xtx = x.map(() => x.map(() => 0));
  x.forEach((a, i) => {
    for (let j = i; j < k; j++) {
      const product = dotColumns(a, x[j] ?? a);
      (xtx[i] as number[])[j] = product;
      (xtx[j] as number[])[i] = product;
    }
  });
  const xty = x.map((a) => dotColumns(a, y));
  const inverse = invert(xtx);
  if (inverse === undefined) return undefined;
  const beta = inverse.map((row) => dot(row, xty));
  const residual = [...y];
  x.forEach((column, j) => {
    for (let i = 0; i < n; i++)
      residual[i] = (residual[i] ?? 0) - (beta[j] ?? 0) * (column[i] ?? 0);
  });
  // Who moves the fit is decided from the raw regressors, not from the
  // demeaned ones: the alternating projections leave a residue (about 1e-11)
  // that would count a leader with a single answer.
  const moving = movingClusters(observations);
  const g = moving.size;
  if (g < 2) return undefined;
  // Each leader's score contribution, summed over their answers.
  const scores = scoresBy(
    observations.map((o) => o.cluster),
    x,
    residual,
  );
  // The small-sample factor of clustered errors: G/(G−1), times (N−1)/(N−K)
  // for the statement levels and slopes fitted (a leader's own level is within
  // their cluster and needs none).
  const fitted = statements.length + k;
  const correction = (g / (g - 1)) * (n > fitted ? (n - 1) / (n - fitted) : 1);
  const cov = sandwich(inverse, scores.values(), correction);
  const factor = Math.sqrt(correction);
  const influence = new Map(
    [...scores].map(([cluster, u]) => [
      cluster,
      inverse.map((row) => factor * sum(row.map((v, j) => v * (u[j] ?? 0)))),
    ]),
  );
  // A shock δ to every answer of week w moves beta by δ · inverse · (the sum
  // of x̃ over the week's answers): x̃ is already free of the levels, so
  // taking the levels out removes nothing of the shock's effect on beta.
  const weekWeights = new Map<number, number[]>();
  const weeks = observations.map((o) => o.week);
  if (weeks.every((w): w is number => w !== undefined)) {
    const ones = weeks.map(() => 1);
    for (const [week, totals] of scoresBy(weeks, x, ones))
      weekWeights.set(
        week,
        inverse.map((row) => dot(row, totals)),
      );
  }
  return { beta, cov, influence, moving, clusters: g, weekWeights, n };
}

export interface TwoSample {
  difference: number;
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
}

const variance = (values: readonly number[]) => {
  const mean = sum(values) / values.length;
  return sum(values.map((v) => (v - mean) ** 2)) / (values.length - 1);
};

/** Welch's comparison of two means that may have unequal variances; needs two values a side. */
export function welch(a: readonly number[], b: readonly number[]): TwoSample | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const standardError = Math.sqrt(va + vb);
  if (!(standardError > 0)) return undefined;
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { difference: sum(a) / a.length - sum(b) / b.length, standardError, df };
}

/** An answer as `weekShock` reads it. */
export interface WeekAnswer {
  /** The leader: a level of their own. */
  cluster: string;
  /** The statement: a level of its own. */
  statement: string;
  /** Its dimension: each may have a steady trend of its own, which is no shock. */
  dimension?: string | undefined;
  /** 0 for the latest week, 1 for the week before, and so on. */
  week: number;
  y: number;
}

/** The size of the shocks that move a whole week at once. */
export interface WeekShock {
  /** Their variance, in points² (0 when the weeks move no more than the noise explains). */
  variance: number;
  /** The degrees of freedom of that estimate: the weeks, less the lines through them. */
  df: number;
}

/**
 * How much whole weeks move everyone's answers at once (a reorg, a holiday),
 * beyond what the answers' own noise explains.
 *
 * Each week's level is fitted with each leader's and each statement's level
 * taken out, and each dimension's own steady trend. A straight line through
 * the week levels of each block of `block` weeks (the last 8, the 8 before)
 * takes out steady trends of the kind, and over the span, the trend tests
 * look at. What the lines leave is the weeks' shocks plus the noise of
 * estimating each week's level, whose size the fit's covariance (clustered by
 * leader) gives. So the shock variance is (what the lines leave − what the
 * noise explains) / (weeks − the lines' coefficients), never below 0, with
 * that many degrees of freedom.
 *
 * It is measured on every answer of every week, all dimensions together (a
 * shock to a week moves all of them), because no single line's answers could
 * measure it: a dimension asked every other week, its statements rotating,
 * has no week-level freedom left once its statement levels are out. A true
 * change that is no straight line (a rise that starts mid-window, a step)
 * adds to the estimate, so the tests err on the cautious side. Undefined
 * with fewer than two degrees of freedom, or when the week levels cannot be
 * told apart from the statements'.
 */
export function weekShock(answers: readonly WeekAnswer[], block = 8): WeekShock | undefined {
  const weeks = [...new Set(answers.map((a) => a.week))].sort((a, b) => a - b);
  // The lines, as columns over the weeks: an intercept for each block, and a
  // slope for each block with two weeks or more.
  const blocks = [...new Set(weeks.map((week) => Math.floor(week / block)))];
  const lines = blocks.flatMap((b) => {
    const intercept = weeks.map((week) => (Math.floor(week / block) === b ? 1 : 0));
    const slope = weeks.map((week, i) => week * (intercept[i] ?? 0));
    return sum(intercept) >= 2 ? [intercept, slope] : [intercept];
  });
  const df = weeks.length - lines.length;
  if (df < 2) return undefined;
  // Each week's level against the first week's (0), as the coefficients of
  // week indicators, beside a slope for each dimension but the first (the
  // first's trend, and any trend common to all, is in the week levels).
  const dimensions = [...new Set(answers.map((a) => a.dimension))].slice(1);
  const fit = fitWithLevels(
    answers.map((a) => ({
      cluster: a.cluster,
      statement: a.statement,
      y: a.y,
      x: [
        ...weeks.slice(1).map((week) => (a.week === week ? 1 : 0)),
        ...dimensions.map((d) => (a.dimension === d ? a.week : 0)),
      ],
    })),
  );
  const inverse = invert(lines.map((a) => lines.map((b) => dot(a, b))));
  if (fit === undefined || inverse === undefined) return undefined;
  const level = [0, ...fit.beta.slice(0, weeks.length - 1)];
  const noise = (a: number, b: number) => (a === 0 || b === 0 ? 0 : (fit.cov[a - 1]?.[b - 1] ?? 0));
  // The residual maker of the lines: M = I − L(LᵀL)⁻¹Lᵀ, over the weeks.
  const spread = multiply(inverse, lines);
  const m = weeks.map((_, a) =>
    weeks.map(
      (_, b) =>
        (a === b ? 1 : 0) - sum(lines.map((line, i) => (line[a] ?? 0) * (spread[i]?.[b] ?? 0))),
    ),
  );
  // What the lines leave of the week levels (levelᵀ M level), and what the
  // noise of the levels alone would leave on average (the trace of M · noise).
  let left = 0;
  let fromNoise = 0;
  m.forEach((row, a) => {
    row.forEach((mab, b) => {
      left += (level[a] ?? 0) * mab * (level[b] ?? 0);
      fromNoise += mab * noise(b, a);
    });
  });
  return { variance: Math.max(0, (left - fromNoise) / df), df };
}

export interface CoefficientTest {
  estimate: number;
  standardError: number;
  df: number;
  p: number;
}

/**
 * The t test of beta[j] when whole weeks may move everyone at once: its
 * variance is the leader-clustered one (a leader's answers tied together)
 * plus what the week shocks add, the shock variance times the sum over weeks
 * of the week's weight in beta, squared; Satterthwaite's degrees of freedom
 * from the two parts (leaders − 1 and the shock estimate's). Without shocks
 * (or no estimate of them) it is the leader-clustered test, leaders − 1.
 */
export function coefficientTest(
  fit: Fit,
  shock: WeekShock | undefined,
  j = 0,
): CoefficientTest | undefined {
  const estimate = fit.beta[j] ?? 0;
  const byLeader = fit.cov[j]?.[j] ?? 0;
  const leadersDf = fit.clusters - 1;
  const byWeek =
    shock === undefined || shock.variance === 0 || shock.df <= 0
      ? 0
      : shock.variance * sum([...fit.weekWeights.values()].map((weight) => (weight[j] ?? 0) ** 2));
  const variance = byLeader + byWeek;
  if (!(variance > 0)) return undefined;
  const df =
    byWeek === 0
      ? leadersDf
      : variance ** 2 / (byLeader ** 2 / leadersDf + byWeek ** 2 / (shock?.df ?? 1));
  const standardError = Math.sqrt(variance);
  return { estimate, standardError, df, p: twoSidedP(estimate / standardError, df) };
}

export interface GroupContrast {
  /** The first group's coefficient minus the second's. */
  estimate: number;
  variance: number;
  /** Welch–Satterthwaite degrees of freedom from each group's leaders. */
  df: number;
  /** The leaders moving the fit in each group. */
  leaders: [number, number];
}

/**
 * A contrast between two groups of leaders — the Product side's coefficient
 * (beta[0]) minus the Engineering side's (beta[1]) — clustered by leader, with
 * Welch–Satterthwaite degrees of freedom from each group's leaders: a contrast
 * between two small groups has fewer than leaders − 1 (with 3 leaders on one
 * side and 9 on the other, leaders − 1 = 11 calls a change about twice as often
 * as it should). Each group's share of the variance gets its own small-sample
 * factor g/(g−1), as a sample variance does, in place of the fit's G/(G−1).
 * Undefined unless each group has two leaders moving the fit.
 */
export function groupContrast(
  fit: Fit,
  inFirst: (cluster: string) => boolean,
): GroupContrast | undefined {
  const part: [{ v: number; g: number }, { v: number; g: number }] = [
    { v: 0, g: 0 },
    { v: 0, g: 0 },
  ];
  for (const [cluster, [a = 0, b = 0] = []] of fit.influence) {
    const group = inFirst(cluster) ? part[0] : part[1];
    group.v += (a - b) ** 2;
    if (fit.moving.has(cluster)) group.g += 1;
  }
  if (part[0].g < 2 || part[1].g < 2) return undefined;
  // The influence carries the fit's G/(G−1): take it out, put each group's in.
  const own = ({ v, g }: { v: number; g: number }) =>
    ((v * (fit.clusters - 1)) / fit.clusters) * (g / (g - 1));
  const [first, second] = [own(part[0]), own(part[1])];
  const variance = first + second;
  const df = variance ** 2 / (first ** 2 / (part[0].g - 1) + second ** 2 / (part[1].g - 1));
  return {
    estimate: (fit.beta[0] ?? 0) - (fit.beta[1] ?? 0),
    variance,
    df,
    leaders: [part[0].g, part[1].g],
  };
}
