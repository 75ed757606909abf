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
 * by leader, Welch's two-sample test, and Holm's step-down across the calls of
 * one week. The t distribution comes from stdlib; the regression is written
 * here because it is small, specific (two sets of fixed effects absorbed, one
 * or two slopes, clustered errors) and no maintained npm package offers it.
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
  /** Leaders whose answers move the fit (answers in two or more weeks, so their own level is not all). */
  clusters: number;
  n: number;
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
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
function demeanBy(columns: number[][], groups: readonly number[][]): number {
  let moved = 0;
  for (const column of columns) {
    for (const members of groups) {
      let total = 0;
      for (const i of members) total += column[i] ?? 0;
      const mean = total / members.length;
      if (mean === 0) continue;
      moved = Math.max(moved, Math.abs(mean));
      for (const i of members) column[i] = (column[i] ?? 0) - mean;
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

/**
 * Least squares of y on x with a level for every leader and every statement
 * (absorbed by alternating projections, the standard way for two sets of fixed
 * effects), and the covariance clustered by leader. Undefined when the
 * regressors do not vary once the levels are out, or fewer than two leaders
 * move the fit.
 */
export function fitWithLevels(observations: readonly Observation[]): Fit | undefined {
  const n = observations.length;
  const k = observations[0]?.x.length ?? 0;
  if (n === 0 || k === 0) return undefined;
  const clusters = membersOf(observations.map((o) => o.cluster));
  const statements = membersOf(observations.map((o) => o.statement));
  const columns = [
    observations.map((o) => o.y),
    ...Array.from({ length: k }, (_, j) => observations.map((o) => o.x[j] ?? 0)),
  ];
  for (let i = 0; i < 1000; i++) {
    const moved = Math.max(demeanBy(columns, clusters), demeanBy(columns, statements));
    if (moved < 1e-11) break;
  }
  const [y, ...x] = columns as [number[], ...number[][]];
  const xtx = x.map((a) => x.map((b) => sum(a.map((v, i) => v * (b[i] ?? 0)))));
  const xty = x.map((a) => sum(a.map((v, i) => v * (y[i] ?? 0))));
  const inverse = invert(xtx);
  if (inverse === undefined) return undefined;
  const beta = inverse.map((row) => sum(row.map((v, j) => v * (xty[j] ?? 0))));
  const residual = y.map((v, i) => v - sum(beta.map((b, j) => b * (x[j]?.[i] ?? 0))));
  // Each leader's score contribution, summed over their answers.
  const scores = new Map<string, number[]>();
  observations.forEach((o, i) => {
    const s = scores.get(o.cluster) ?? Array.from({ length: k }, () => 0);
    for (let j = 0; j < k; j++) s[j] = (s[j] ?? 0) + (x[j]?.[i] ?? 0) * (residual[i] ?? 0);
    scores.set(o.cluster, s);
  });
  // Leaders whose answers all sit in one week carry no information on a slope.
  const moving = new Set(
    observations
      .filter((_, i) => x.some((column) => Math.abs(column[i] ?? 0) > 1e-12))
      .map((o) => o.cluster),
  );
  const g = moving.size;
  if (g < 2) return undefined;
  const meat = Array.from({ length: k }, (_, a) =>
    Array.from({ length: k }, (_, b) =>
      sum([...scores.values()].map((s) => (s[a] ?? 0) * (s[b] ?? 0))),
    ),
  );
  // The small-sample factor of clustered errors: G/(G−1), times (N−1)/(N−K)
  // for the statement levels and slopes fitted (a leader's own level is within
  // their cluster and needs none).
  const fitted = statements.length + k;
  const correction = (g / (g - 1)) * (n > fitted ? (n - 1) / (n - fitted) : 1);
  const cov = multiply(multiply(inverse, meat), inverse).map((row) =>
    row.map((v) => v * correction),
  );
  const factor = Math.sqrt(correction);
  const influence = new Map(
    [...scores].map(([cluster, u]) => [
      cluster,
      inverse.map((row) => factor * sum(row.map((v, j) => v * (u[j] ?? 0)))),
    ]),
  );
  return { beta, cov, influence, clusters: g, n };
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
