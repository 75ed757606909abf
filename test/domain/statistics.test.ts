import { describe, expect, it } from 'vitest';
import {
  coefficientTest,
  criticalT,
  fitWithLevels,
  holm,
  type Observation,
  twoSidedP,
  type WeekAnswer,
  weekShock,
  welch,
} from '../../src/domain/statistics.js';

const obs = (cluster: string, statement: string, t: number, y: number): Observation => ({
  cluster,
  statement,
  y,
  x: [t],
});

describe('fitWithLevels: a slope with each leader’s and each statement’s level taken out', () => {
  // Leader A: 10, 20, 30; leader B: 40, 40, 70 at weeks 0, 1, 2 (one statement).
  // Within each leader the weeks are −1, 0, 1 and the values A −10, 0, 10 and
  // B −10, −10, 20: slope (10 + 10 + 10 + 20) / 4 = 12.5. Residuals A 2.5, 0,
  // −2.5 and B 2.5, −10, 7.5; each leader's score Σ t·e is −5 and 5, so the
  // clustered variance is (25 + 25) / 4² = 3.125, times G/(G−1) = 2 and
  // (N−1)/(N−K) = 5/4 (K: one statement level and one slope) = 7.8125.
  const two = [
    obs('A', 's', 0, 10),
    obs('A', 's', 1, 20),
    obs('A', 's', 2, 30),
    obs('B', 's', 0, 40),
    obs('B', 's', 1, 40),
    obs('B', 's', 2, 70),
  ];

  it('fits the slope and its clustered variance as worked by hand', () => {
    const fit = fitWithLevels(two);
    expect(fit?.beta[0]).toBeCloseTo(12.5, 9);
    expect(fit?.cov[0]?.[0]).toBeCloseTo(7.8125, 9);
    expect(fit).toMatchObject({ clusters: 2, n: 6 });
  });

  it('learns nothing from a leader who answered in one week only, but counts their answer', () => {
    // Leader C's one answer is all their own level: the slope stays 12.5, the
    // leaders moving the fit stay 2, and N − 1 over N − K becomes 6/5: 3.125·2·6/5 = 7.5.
    const fit = fitWithLevels([...two, obs('C', 's', 1, 100)]);
    expect(fit?.beta[0]).toBeCloseTo(12.5, 9);
    expect(fit?.cov[0]?.[0]).toBeCloseTo(7.5, 9);
    expect(fit?.clusters).toBe(2);
  });

  it('takes out a statement asked every other week, which a plain slope would mistake for a trend', () => {
    // y = leader level + statement level + 5 a week, exactly. Statement "hi",
    // 20 points above "lo", is asked in weeks 1 and 3 only; leader D misses week 2.
    const level = { A: 10, B: 30, C: 50, D: 70 } as const;
    const rows: Observation[] = [];
    for (const [leader, base] of Object.entries(level))
      for (const t of [0, 1, 2, 3]) {
        if (leader === 'D' && t === 2) continue;
        const statement = t % 2 === 1 ? 'hi' : 'lo';
        rows.push(obs(leader, statement, t, base + (statement === 'hi' ? 20 : 0) + 5 * t));
      }
    expect(fitWithLevels(rows)?.beta[0]).toBeCloseTo(5, 6);
    // Without the statement levels, every row is one statement: the slope is off.
    const plain = fitWithLevels(rows.map((r) => ({ ...r, statement: 'one' })));
    expect(Math.abs((plain?.beta[0] ?? 0) - 5)).toBeGreaterThan(1);
  });

  it('has no answer when the weeks do not vary within any leader', () => {
    expect(fitWithLevels([obs('A', 's', 0, 10), obs('B', 's', 1, 20)])).toBeUndefined();
  });
});

describe('fitWithLevels: who moves the fit', () => {
  // Three leaders with answers in two weeks (L0, L1, L2) and one with a single
  // answer (S0), three statements: found by a search of small random datasets
  // for one the old rule miscounted. [leader, statement, weeks ago, value].
  const rows: [string, string, number, number][] = [
    ['L0', 'b', 0, 75],
    ['L0', 'a', 1, 75],
    ['L1', 'a', 1, 0],
    ['L1', 'a', 3, 25],
    ['L2', 'c', 1, 25],
    ['L2', 'c', 2, 25],
    ['S0', 'a', 2, 75],
  ];
  const data = rows.map(([leader, statement, weeksAgo, value]) =>
    obs(leader, statement, -weeksAgo, value),
  );

  /**
   * The old rule, kept here to show the slip: a leader moved the fit when any
   * of their regressor values, once the levels were taken out by the same
   * alternating projections, exceeded 1e-12 in absolute value.
   */
  function oldRule(observations: readonly Observation[]): number {
    const groups = (key: (o: Observation) => string) => {
      const index = new Map<string, number[]>();
      observations.forEach((o, i) => {
        index.set(key(o), [...(index.get(key(o)) ?? []), i]);
      });
      return [...index.values()];
    };
    const byLeader = groups((o) => o.cluster);
    const byStatement = groups((o) => o.statement);
    const columns = [observations.map((o) => o.y), observations.map((o) => o.x[0] ?? 0)];
    const demean = (members: number[][]) => {
      let moved = 0;
      for (const column of columns)
        for (const group of members) {
          const mean = group.reduce((t, i) => t + (column[i] ?? 0), 0) / group.length;
          if (mean === 0) continue;
          moved = Math.max(moved, Math.abs(mean));
          for (const i of group) column[i] = (column[i] ?? 0) - mean;
        }
      return moved;
    };
    for (let i = 0; i < 1000; i++)
      if (Math.max(demean(byLeader), demean(byStatement)) < 1e-11) break;
    const x = columns[1] ?? [];
    return new Set(observations.filter((_, i) => Math.abs(x[i] ?? 0) > 1e-12).map((o) => o.cluster))
      .size;
  }

  it('decides it from the raw regressors: a leader with one answer never counts', () => {
    // The projections leave S0's one answer a residue above 1e-12, so the old
    // rule counted 4 leaders: the trend test got 3 df instead of 2 and passed
    // the 4-leader minimum with 3 leaders (trends.test.ts shows the call).
    expect(oldRule(data)).toBe(4);
    const fit = fitWithLevels(data);
    expect(fit?.clusters).toBe(3);
    expect([...(fit?.moving ?? [])].sort()).toEqual(['L0', 'L1', 'L2']);
  });
});

describe('weekShock and coefficientTest: shocks that move a whole week', () => {
  // Three leaders (own levels 0, 20, 40), one statement, 4 weeks; every
  // leader's answers move with the week alike: 0, 10, 10, 30 (oldest first).
  // No noise, so all the week levels' scatter is shock.
  const pattern = [0, 10, 10, 30];
  const answers: WeekAnswer[] = ['A', 'B', 'C'].flatMap((leader, i) =>
    pattern.map((level, t) => ({
      cluster: leader,
      statement: 's',
      week: 3 - t,
      y: 20 * i + level,
    })),
  );

  it('measures the shock variance as worked by hand', () => {
    // A line through the week levels 0, 10, 10, 30 (weeks −3…0): mean 12.5,
    // slope Σ(t − t̄)(y − ȳ) / Σ(t − t̄)² = 45 / 5 = 9, fitted −1, 8, 17, 26,
    // residuals 1, 2, −7, 4: 70 left, on 4 weeks − 2 = 2 degrees of freedom.
    // The noise explains none of it: variance 70 / 2 = 35.
    const shock = weekShock(answers);
    expect(shock?.variance).toBeCloseTo(35, 6);
    expect(shock?.df).toBe(2);
  });

  it('adds the shocks to a slope’s error: the textbook test on the week means', () => {
    // The slope of the same answers is 9 a week. Each week's weight in it is
    // its 3 answers' t̃ over Σt̃² = 3·(t − t̄) / 15: −0.3, −0.1, 0.1, 0.3, whose
    // squares sum to 0.2. No error between leaders; the shocks give 35 · 0.2
    // = 7: SE √7 = 2.646, t = 3.40 on 2 degrees of freedom, p = 0.077, the
    // classical test of a line through 4 week means.
    const fit = fitWithLevels(answers.map((a) => ({ ...a, x: [-a.week] })));
    const test = fit && coefficientTest(fit, { variance: 35, df: 2 });
    expect(test?.estimate).toBeCloseTo(9, 9);
    expect(test?.standardError).toBeCloseTo(Math.sqrt(7), 6);
    expect(test?.df).toBeCloseTo(2, 6);
    expect(test?.p).toBeCloseTo(twoSidedP(9 / Math.sqrt(7), 2), 6);
    expect(test?.p).toBeCloseTo(0.0766, 3);
    // Without shocks the leaders agree exactly: no error, no test.
    expect(fit && coefficientTest(fit, undefined)).toBeUndefined();
  });

  it('finds no shock in noise alone, and needs two degrees of freedom', () => {
    // Leaders scattered around a steady line, the weeks moving nobody together.
    const noisy: WeekAnswer[] = ['A', 'B', 'C', 'D'].flatMap((leader, i) =>
      [0, 1, 2, 3, 4, 5].map((week) => ({
        cluster: leader,
        statement: 's',
        week,
        y: 50 - 2 * week + (((i + week) % 2) * 2 - 1) * 5,
      })),
    );
    expect(weekShock(noisy)?.variance).toBe(0);
    expect(weekShock(answers.filter((a) => a.week < 3))).toBeUndefined();
  });
});

describe('welch', () => {
  it('compares two means with unequal variances, as worked by hand', () => {
    // a: mean 20, variance 100 (/3 = 33.3); b: mean 10, variance 300 (/3 = 100).
    // SE √133.3 = 11.547; df 133.3² / (33.3²/2 + 100²/2) = 3.2.
    const w = welch([10, 20, 30], [0, 0, 30]);
    expect(w?.difference).toBeCloseTo(10, 9);
    expect(w?.standardError).toBeCloseTo(Math.sqrt(400 / 3), 9);
    expect(w?.df).toBeCloseTo(3.2, 9);
  });

  it('needs two values a side and some spread', () => {
    expect(welch([1], [2, 3])).toBeUndefined();
    expect(welch([1, 1], [2, 2])).toBeUndefined();
  });
});

describe('the t distribution (stdlib)', () => {
  it('gives the textbook quantiles and p-values', () => {
    expect(criticalT(0.975, 14)).toBeCloseTo(2.1448, 4);
    expect(criticalT(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(twoSidedP(2.1448, 14)).toBeCloseTo(0.05, 4);
  });
});

describe('holm', () => {
  it.each([
    [
      'rejects step by step while p stays under alpha / remaining',
      [0.01, 0.04, 0.03, 0.005],
      0.05,
      [true, false, false, true],
    ],
    ['stops at the first that fails', [0.001, 0.013, 0.02], 0.05, [true, true, true]],
    ['rejects nothing when the smallest fails', [0.02, 0.03], 0.03, [false, false]],
    ['skips lines with no test', [undefined, 0.01, 0.2], 0.05, [false, true, false]],
  ] as const)('%s', (_name, p, alpha, expected) => {
    expect(holm(p, alpha)).toEqual(expected);
  });

  it('weighs: each line is tested at alpha · its weight / the weight still standing', () => {
    // Weights 1, 1, 2 and 0.5 (4.5 in all). In order of p/w: 0.02 (w 2) at
    // 0.05·2/4.5 = 0.022: rejected; 0.012 at 0.05/2.5 = 0.02: rejected; 0.03 at
    // 0.05/1.5 = 0.033: rejected; 0.06 (w 0.5) at 0.05·0.5/0.5 = 0.05: kept.
    expect(holm([0.03, 0.012, 0.02, 0.06], 0.05, [1, 1, 2, 0.5])).toEqual([
      true,
      true,
      true,
      false,
    ]);
    // With equal weights the same p-values keep all but the smallest two.
    expect(holm([0.03, 0.012, 0.02, 0.06], 0.05)).toEqual([false, true, false, false]);
    expect(holm([0.02], 0.05, [0])).toEqual([false]);
  });
});
