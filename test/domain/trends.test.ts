import { describe, expect, it } from 'vitest';
import type { Dimension, Side } from '../../src/domain/dimensions.js';
import { sayCalls } from '../../src/domain/said-calls.js';
import type { Counts } from '../../src/domain/scoring.js';
import { twoSidedP } from '../../src/domain/statistics.js';
import {
  callWeek,
  cellTrend,
  gapTest,
  gapTrendTest,
  type TrendAnswer,
  trendTest,
} from '../../src/domain/trends.js';

const answer = (
  leader: string,
  weeksAgo: number,
  value: number,
  more: Partial<TrendAnswer> = {},
): TrendAnswer => ({
  leader,
  side: 'product',
  groupLargeEnough: true,
  statement: 'roadmap.one_plan',
  dimension: 'roadmap',
  weeksAgo,
  value,
  ...more,
});

/**
 * Twelve leaders over 4 weeks, one statement: six answer 0, 0, 25, 50 and six
 * 0, 50, 75, 100 (oldest week first), so the weeks' means are 0, 25, 50, 75.
 */
function twelveRising(): TrendAnswer[] {
  return Array.from({ length: 12 }, (_, i) =>
    (i < 6 ? [0, 0, 25, 50] : [0, 50, 75, 100]).map((value, t) => answer(`L${i}`, 3 - t, value)),
  ).flat();
}

/** Leaders each rising by their own slope a week from 50, weeks 0…(weeks−1). */
function rising(slopes: Record<string, number>, weeks: number, more: Partial<TrendAnswer> = {}) {
  return Object.entries(slopes).flatMap(([leader, slope]) =>
    Array.from({ length: weeks }, (_, t) => answer(leader, weeks - 1 - t, 50 + slope * t, more)),
  );
}

describe('trendTest: the change over 8 weeks', () => {
  it('fits the slope, its clustered standard error and t with leaders − 1 degrees of freedom', () => {
    // Slopes 4, 6, 4, 6 over weeks 0–3: common slope 5, change 5·3 = 15 over the
    // 4 weeks there are (never stretched to 8: 5·7 = 35 would be made up).
    // Each leader's score Σ t̃·e = 5·(b − 5) = ±5; variance 4·25 / 20² = 0.25, times
    // 4/3 and 15/14 = 0.357; SE 0.598; t = 8.37 with 3 df: p = 0.0036.
    const test = trendTest(rising({ A: 4, B: 6, C: 4, D: 6 }, 4), 'roadmap');
    expect(test?.estimate).toBeCloseTo(15, 9);
    expect(test?.df).toBe(3);
    expect(test?.p).toBeCloseTo(0.00358, 4);
  });

  it('adds what week-wide shocks do to the slope, with Satterthwaite’s degrees of freedom', () => {
    // The same answers, with shocks of variance 35 on 2 degrees of freedom (as
    // weekShock measures in statistics.test.ts). Each week's weight in the
    // slope is the sum of its 4 answers' t̃ / Σt̃² = 4·(t − 1.5) / 20: ±0.3 and
    // ±0.1, squares summing to 0.2. The shocks add 35 · 0.2 = 7 to the
    // leader-clustered 0.357: variance 7.357, SE 2.712, t = 5 / 2.712 = 1.84;
    // df 7.357² / (0.357²/3 + 7²/2) = 2.2055.
    const test = trendTest(rising({ A: 4, B: 6, C: 4, D: 6 }, 4), 'roadmap', {
      variance: 35,
      df: 2,
    });
    const variance = (0.25 * 4 * 15) / (3 * 14) + 7;
    const df = variance ** 2 / (((0.25 * 4 * 15) / (3 * 14)) ** 2 / 3 + 7 ** 2 / 2);
    expect(test?.estimate).toBeCloseTo(15, 9);
    expect(test?.df).toBeCloseTo(df, 9);
    expect(df).toBeCloseTo(2.2055, 4);
    expect(test?.p).toBeCloseTo(twoSidedP(5 / Math.sqrt(variance), df), 9);
  });

  it('says the honest change: twelve leaders rising 25 points a week for 4 weeks rose 75, not 175', () => {
    // Six leaders answer 0, 0, 25, 50 and six 0, 50, 75, 100 (oldest first): the
    // week means are 0, 25, 50, 75. The fitted change from the first week to the
    // last is 25 · 3 = 75 on a 0–100 scale; slope × 7 would say 175.
    const answers = twelveRising();
    expect(trendTest(answers, 'roadmap')?.estimate).toBeCloseTo(75, 9);
    expect(trendTest(answers, 'index')?.estimate).toBeCloseTo(75, 9);
  });

  it('counts only leaders whose answers span two weeks towards the 4-leader minimum', () => {
    // The dataset of statistics.test.ts ("who moves the fit"): 3 leaders with
    // answers in two weeks and one with a single answer. The old count (4) let
    // this through with t on 3 degrees of freedom (p 0.119); 3 is too few.
    const rows: [string, string, number, number][] = [
      ['L0', 'b', 0, 75],
      ['L0', 'a', 1, 75],
      ['L1', 'a', 1, 0],
      ['L1', 'a', 3, 25],
      ['L2', 'c', 1, 25],
      ['L2', 'c', 2, 25],
      ['S0', 'a', 2, 75],
    ];
    const answers = rows.map(([leader, statement, weeksAgo, value]) =>
      answer(leader, weeksAgo, value, { statement }),
    );
    expect(trendTest(answers, 'roadmap')).toBeUndefined();
  });

  it('has not enough data with fewer than 4 weeks or 4 leaders', () => {
    expect(trendTest(rising({ A: 4, B: 6, C: 4, D: 6 }, 3), 'roadmap')).toBeUndefined();
    expect(trendTest(rising({ A: 4, B: 6, C: 4 }, 4), 'roadmap')).toBeUndefined();
  });

  it('reads only its dimension, or every statement for the index, and only the last 8 weeks', () => {
    const answers = rising({ A: 4, B: 6, C: 4, D: 6 }, 4);
    expect(trendTest(answers, 'okrs')).toBeUndefined();
    expect(trendTest(answers, 'index')?.estimate).toBeCloseTo(15, 9);
    const old = answers.map((a) => ({ ...a, weeksAgo: a.weeksAgo + 8 }));
    expect(trendTest(old, 'roadmap')).toBeUndefined();
  });
});

describe('gapTest: Product leaders against Engineering leaders over 4 weeks', () => {
  it('compares leaders’ means with Welch and gives the 95% interval', () => {
    // Product 75, 75, 100; Engineering 25, 50, 25 (one answer each, one statement):
    // difference 50; each side's variance 208.3 / 3 = 69.4; SE 11.79; df 4;
    // t = 4.24, p = 0.0132; interval 50 ± 2.776·11.79 = 17.3 to 82.7.
    const of = (side: Side, values: number[], prefix: string) =>
      values.map((v, i) => answer(`${prefix}${i}`, 0, v, { side }));
    const test = gapTest(
      [...of('product', [75, 75, 100], 'P'), ...of('engineering', [25, 50, 25], 'E')],
      'roadmap',
    );
    expect(test?.estimate).toBeCloseTo(50, 9);
    expect(test?.df).toBeCloseTo(4, 9);
    expect(test?.p).toBeCloseTo(0.01324, 4);
    expect(test?.low).toBeCloseTo(17.28, 2);
    expect(test?.high).toBeCloseTo(82.72, 2);
  });

  it('needs 3 leaders a side whose groups were large enough to publish', () => {
    const answers = [
      ...[80, 90, 70].map((v, i) => answer(`P${i}`, 0, v)),
      ...[20, 30].map((v, i) => answer(`E${i}`, 0, v, { side: 'engineering' })),
      answer('E9', 0, 40, { side: 'engineering', groupLargeEnough: false }),
    ];
    expect(gapTest(answers, 'roadmap')).toBeUndefined();
  });
});

describe('gapTrendTest: is the gap widening?', () => {
  it('compares the two sides’ slopes, with Welch–Satterthwaite degrees of freedom from each side’s leaders', () => {
    // Product leaders rise 1, 2 and 3 a week, Engineering's fall 1, 2 and 3, over
    // 6 weeks: slopes 2 and −2, contrast 4 a week, 20 over the 5 weeks. Each side's
    // variance is its slopes' variance (1) / 3 leaders, times (N−1)/(N−K) = 35/33:
    // 0.354 a side; SE 0.841; t = 4.76; df (2·0.354)² / (2·0.354²/2) = 4.
    const answers = [
      ...rising({ P1: 1, P2: 2, P3: 3 }, 6),
      ...rising({ E1: -1, E2: -2, E3: -3 }, 6, { side: 'engineering' }),
    ];
    const test = gapTrendTest(answers, 'roadmap');
    expect(test?.estimate).toBeCloseTo(20, 9);
    expect(test?.df).toBeCloseTo(4, 6);
    expect(test?.p).toBeCloseTo(0.00892, 4);
  });

  it('has not enough data with fewer than 6 weeks', () => {
    const answers = [
      ...rising({ P1: 1, P2: 2, P3: 3 }, 5),
      ...rising({ E1: -1, E2: -2, E3: -3 }, 5, { side: 'engineering' }),
    ];
    expect(gapTrendTest(answers, 'roadmap')).toBeUndefined();
  });
});

describe('callWeek: every call of a week', () => {
  /** Twelve leaders a side… with their own level, a rise of `slope` a week on roadmap, and noise. */
  function team(slope: number, gap: number, weeks = 8): TrendAnswer[] {
    let seed = 3;
    const noise = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return (seed / 2_147_483_647 - 0.5) * 10;
    };
    const answers: TrendAnswer[] = [];
    for (const [side, count] of [
      ['product', 6],
      ['engineering', 6],
    ] as const)
      for (let i = 0; i < count; i++)
        for (let t = 0; t < weeks; t++)
          for (const dimension of ['roadmap', 'okrs'] as Dimension[]) {
            const level = 40 + i * 3 + (side === 'product' && dimension === 'okrs' ? gap : 0);
            answers.push({
              leader: `${side}${i}`,
              side,
              groupLargeEnough: true,
              statement: `${dimension}.s${t % 2}`,
              dimension,
              weeksAgo: weeks - 1 - t,
              value: level + (dimension === 'roadmap' ? slope * t : 0) + noise(),
            });
          }
    return answers;
  }

  it('calls a clear rise, a clear gap, and nothing else', () => {
    const calls = callWeek(team(5, 40));
    expect(calls.trends.roadmap).toBe('rise');
    expect(calls.trends.okrs).toBe('no_change');
    expect(calls.trends.priorities).toBe('not_enough_data');
    expect(calls.gaps.okrs).toBe('apart');
    expect(calls.gaps.roadmap).not.toBe('apart');
    expect(calls.featured).toBe('okrs');
    expect(calls.featuredTrend).toBe('no_clear_change');
  });

  it('says no clear change for a rise beyond the noise but under 5 points over 8 weeks', () => {
    // 0.6 a week is 4.2 points over 8 weeks: too small to call, however sure.
    expect(callWeek(team(0.6, 0)).trends.roadmap).toBe('no_change');
  });
});

describe('cellTrend: the number beside a call, from published cells', () => {
  it('fits the change with each statement’s level out, weighted by answers, over the weeks there are', () => {
    // Statement a: 40 two weeks ago, 60 this week: 10 a week, 20 over the 3
    // weeks the cells cover (not 70 "over 8 weeks"). Statement b has one week
    // only: its level is all it says.
    const change = cellTrend([
      { statement: 'a', weeksAgo: 2, score: 40, answers: 10 },
      { statement: 'a', weeksAgo: 0, score: 60, answers: 10 },
      { statement: 'b', weeksAgo: 1, score: 90, answers: 5 },
    ]);
    expect(change?.change).toBeCloseTo(20, 9);
    expect(change?.weeks).toBe(3);
    expect(cellTrend([{ statement: 'a', weeksAgo: 0, score: 60, answers: 10 }])).toBeUndefined();
  });

  it('gives 75 points over 4 weeks for cells rising 0, 25, 50, 75', () => {
    const change = cellTrend(
      [0, 25, 50, 75].map((score, t) => ({ statement: 'a', weeksAgo: 3 - t, score, answers: 12 })),
    );
    expect(change).toEqual({ change: expect.closeTo(75, 9), weeks: 4 });
  });
});

describe('sayCalls: the trend as the outputs say it', () => {
  it('says the change over the weeks the published cells cover, and how many weeks that is', () => {
    // The twelve leaders above, published: 12 answers a week to one statement,
    // scores 0, 25, 50, 75. "Rose 75 points over 4 weeks", not "141 over 8".
    const counts: Counts[] = [
      [12, 0, 0, 0, 0],
      [6, 0, 6, 0, 0],
      [0, 6, 0, 6, 0],
      [0, 0, 6, 0, 6],
    ];
    const pulses = counts.map((c, t) => ({
      pulseId: t,
      period: `W${t}`,
      respondents: 12,
      invited: 12,
      threshold: 3,
      unit: 'side' as const,
      weeksAgo: 3 - t,
      cells: [
        {
          questionId: 'roadmap.one_plan',
          dimension: 'roadmap' as const,
          group: 'all' as const,
          tally: { counts: c, respondents: 12 },
          hidden: undefined,
        },
      ],
    }));
    const said = sayCalls(callWeek(twelveRising()), pulses);
    expect(said.trends.roadmap).toEqual({ call: 'rise', change: expect.closeTo(75, 9), weeks: 4 });
    expect(said.trends.index).toEqual({ call: 'rise', change: expect.closeTo(75, 9), weeks: 4 });
  });
});
