import { describe, expect, it } from 'vitest';
import type { Dimension, Side } from '../../src/domain/dimensions.js';
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

/** Leaders each rising by their own slope a week from 50, weeks 0…(weeks−1). */
function rising(slopes: Record<string, number>, weeks: number, more: Partial<TrendAnswer> = {}) {
  return Object.entries(slopes).flatMap(([leader, slope]) =>
    Array.from({ length: weeks }, (_, t) => answer(leader, weeks - 1 - t, 50 + slope * t, more)),
  );
}

describe('trendTest: the change over 8 weeks', () => {
  it('fits the slope, its clustered standard error and t with leaders − 1 degrees of freedom', () => {
    // Slopes 4, 6, 4, 6 over weeks 0–3: common slope 5, change 5·7 = 35 over 8 weeks.
    // Each leader's score Σ t̃·e = 5·(b − 5) = ±5; variance 4·25 / 20² = 0.25, times
    // 4/3 and 15/14 = 0.357; SE 0.598; t = 8.37 with 3 df: p = 0.0036.
    const test = trendTest(rising({ A: 4, B: 6, C: 4, D: 6 }, 4), 'roadmap');
    expect(test?.estimate).toBeCloseTo(35, 9);
    expect(test?.df).toBe(3);
    expect(test?.p).toBeCloseTo(0.00358, 4);
  });

  it('has not enough data with fewer than 4 weeks or 4 leaders', () => {
    expect(trendTest(rising({ A: 4, B: 6, C: 4, D: 6 }, 3), 'roadmap')).toBeUndefined();
    expect(trendTest(rising({ A: 4, B: 6, C: 4 }, 4), 'roadmap')).toBeUndefined();
  });

  it('reads only its dimension, or every statement for the index, and only the last 8 weeks', () => {
    const answers = rising({ A: 4, B: 6, C: 4, D: 6 }, 4);
    expect(trendTest(answers, 'okrs')).toBeUndefined();
    expect(trendTest(answers, 'index')?.estimate).toBeCloseTo(35, 9);
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
  it('fits the change with each statement’s level out, weighted by answers', () => {
    // Statement a: 40 two weeks ago, 60 this week: 10 a week, 70 over 8 weeks.
    // Statement b has one week only: its level is all it says.
    expect(
      cellTrend([
        { statement: 'a', weeksAgo: 2, score: 40, answers: 10 },
        { statement: 'a', weeksAgo: 0, score: 60, answers: 10 },
        { statement: 'b', weeksAgo: 1, score: 90, answers: 5 },
      ]),
    ).toBeCloseTo(70, 9);
    expect(cellTrend([{ statement: 'a', weeksAgo: 0, score: 60, answers: 10 }])).toBeUndefined();
  });
});
