import { describe, expect, it } from 'vitest';
import { type Counts, describeTally, gapBetween, type Tally } from '../../src/domain/scoring.js';

const tally = (counts: Counts, respondents: number): Tally => ({ counts, respondents });

describe('describeTally', () => {
  it.each([
    ['one 1 and one 5', [1, 0, 0, 0, 1], 50, 0.5, 0, 0.5],
    ['all 5s', [0, 0, 0, 0, 4], 100, 1, 0, 0],
    ['all 1s', [3, 0, 0, 0, 0], 0, 0, 0, 1],
    ['three 4s and a 5', [0, 0, 0, 3, 1], 81.25, 1, 0, 0],
    ['a spread', [1, 1, 2, 3, 3], 65, 0.6, 0.2, 0.2],
  ] as const)(
    '%s scores %d with favorable %d, neutral %d, unfavorable %d',
    (_n, counts, expected, fav, neu, unf) => {
      const g = describeTally(tally(counts, 4));
      expect(g?.score).toBeCloseTo(expected, 10);
      expect(g?.favorable).toBeCloseTo(fav, 10);
      expect(g?.neutral).toBeCloseTo(neu, 10);
      expect(g?.unfavorable).toBeCloseTo(unf, 10);
    },
  );

  it('gives the standard error of the mean', () => {
    // Values 0 and 100, five of each: sample variance 2777.8, over 10 answers.
    expect(describeTally(tally([5, 0, 0, 0, 5], 5))?.standardError).toBeCloseTo(
      Math.sqrt((2500 * 10) / 9 / 10),
      10,
    );
  });
});

describe('the perception gap', () => {
  it.each([
    ['Product 87.5 vs Engineering 15', [0, 0, 0, 5, 5], [2, 3, 0, 0, 0], 72.5],
    ['Product 50 vs Engineering 45', [0, 0, 10, 0, 0], [0, 2, 8, 0, 0], 5],
    ['Engineering higher: a negative gap', [0, 4, 0, 0, 0], [0, 0, 0, 0, 4], -75],
  ] as const)('%s', (_name, product, engineering, points) => {
    const [p, e] = [describeTally(tally(product, 5)), describeTally(tally(engineering, 5))];
    if (p === undefined || e === undefined) throw new Error('no answers');
    const gap = gapBetween(p, e);
    expect(gap.visible).toBe(true);
    if (gap.visible) expect(gap.points).toBeCloseTo(points, 10);
  });
});
