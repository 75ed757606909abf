import { describe, expect, it } from 'vitest';
import {
  defaultReviewDay,
  type FollowUpAnswer,
  followUp,
  gapChangeTest,
  reviewMoment,
  scoreChangeTest,
} from '../../src/domain/agreements.js';
import { twoSidedP } from '../../src/domain/statistics.js';

/** Leaders' answers to one statement, before and after: [leader, side, before, after]. */
const answers = (rows: [string, 'product' | 'engineering', number, number][]): FollowUpAnswer[] =>
  rows.flatMap(([leader, side, before, after]) =>
    [
      [before, false],
      [after, true],
    ].map(([value, isAfter]) => ({
      leader,
      side,
      groupLargeEnough: true,
      statement: 'tech_debt.real_capacity',
      dimension: 'tech_debt' as const,
      value: value as number,
      after: isAfter as boolean,
    })),
  );

// Product leaders fall by 20–30 points, engineering leaders rise by as much.
const converging = answers([
  ['P1', 'product', 100, 75],
  ['P2', 'product', 75, 50],
  ['P3', 'product', 100, 80],
  ['E1', 'engineering', 25, 50],
  ['E2', 'engineering', 0, 30],
  ['E3', 'engineering', 25, 45],
]);

describe('the review day', () => {
  it('is four weeks out by default, and due at 09:00 in the survey’s zone', () => {
    expect(defaultReviewDay(new Date('2026-11-20T15:00:00Z'), 'Europe/Berlin')).toBe('2026-12-18');
    // 23:30 UTC on 31 Dec is still 31 Dec in New York: 28 days from that day.
    expect(defaultReviewDay(new Date('2026-12-31T23:30:00Z'), 'America/New_York')).toBe(
      '2027-01-28',
    );
    expect(reviewMoment('2026-12-18', 'Europe/Berlin').toISOString()).toBe(
      '2026-12-18T08:00:00.000Z',
    );
    expect(reviewMoment('2027-07-02', 'Europe/Berlin').toISOString()).toBe(
      '2027-07-02T07:00:00.000Z',
    );
  });
});

describe('the tests behind a follow-up', () => {
  it('measures a score’s change on leaders, each leader’s own level taken out', () => {
    // Every leader's change: −25, −25, −20, +25, +30, +20; their mean is the estimate.
    const test = scoreChangeTest(converging);
    expect(test?.estimate).toBeCloseTo((-25 - 25 - 20 + 25 + 30 + 20) / 6, 6);
    expect(test?.p).toBeGreaterThan(0.5);
  });

  it('measures the gap’s change as Product’s change minus Engineering’s', () => {
    const test = gapChangeTest(converging);
    expect(test?.estimate).toBeCloseTo(-70 / 3 - 75 / 3, 6);
    expect(test?.p).toBeLessThan(0.001);
  });

  it('gives the gap’s change Welch–Satterthwaite degrees of freedom from each side’s leaders', () => {
    // 3 Product leaders change by 10, 20 and 30 (mean 20, variance 100); 9
    // Engineering leaders by −5, 5, −5, 5, −5, 5, −5, 5 and 0 (mean 0, variance
    // 200 / 8 = 25). With one answer before and one after each, each side's
    // change is its leaders' mean change, and its variance their variance over
    // their number: 100/3 and 25/9 (the fit's (N−1)/(N−K) scales both alike
    // and leaves the degrees of freedom as they are). Welch–Satterthwaite:
    // (100/3 + 25/9)² / ((100/3)²/2 + (25/9)²/8) = 1304.01 / 556.52 = 2.343,
    // where leaders − 1 gave 11 and called a change twice as often as it said.
    const engineering = [-5, 5, -5, 5, -5, 5, -5, 5, 0];
    const test = gapChangeTest(
      answers([
        ...[10, 20, 30].map((d, i): [string, 'product', number, number] => [
          `P${i}`,
          'product',
          50,
          50 + d,
        ]),
        ...engineering.map((d, i): [string, 'engineering', number, number] => [
          `E${i}`,
          'engineering',
          50,
          50 + d,
        ]),
      ]),
    );
    const [product, other] = [100 / 3, 25 / 9];
    expect(test?.estimate).toBeCloseTo(20, 6);
    expect(test?.df).toBeCloseTo((product + other) ** 2 / (product ** 2 / 2 + other ** 2 / 8), 6);
    expect(test?.df).toBeCloseTo(2.3432, 4);
  });

  it('allows for shocks that moved every leader in the weeks after the agreement', () => {
    // 4 leaders, 2 weeks before and 2 after, changing by 10, 20, 10, 20 (each
    // the same both weeks): the change is 15. Clustered by leader: scores ±5,
    // 4·25 / 4² = 6.25, times 4/3 and 15/14 = 8.929, on 3 df. Each week's
    // weight in the change is ±(4 answers · ½) / 4 = ±½, squares summing to
    // 1, so shocks of variance 20 add 20 (the difference of two 2-week means,
    // 20/2 + 20/2): 28.929, df 28.929² / (8.929²/3 + 20²/6) = 8.98.
    const rows = [10, 20, 10, 20].flatMap((d, i) =>
      [3, 2, 1, 0].map(
        (week): FollowUpAnswer => ({
          leader: `L${i}`,
          side: 'product',
          groupLargeEnough: true,
          statement: 'tech_debt.real_capacity',
          dimension: 'tech_debt',
          value: 40 + 10 * i + (week < 2 ? d : 0),
          after: week < 2,
          week,
        }),
      ),
    );
    const byLeader = (6.25 * 4 * 15) / (3 * 14);
    const variance = byLeader + 20;
    const df = variance ** 2 / (byLeader ** 2 / 3 + 20 ** 2 / 6);
    const test = scoreChangeTest(rows, { variance: 20, df: 6 });
    expect(test?.estimate).toBeCloseTo(15, 9);
    expect(test?.df).toBeCloseTo(df, 6);
    expect(df).toBeCloseTo(8.98, 2);
    expect(test?.p).toBeCloseTo(twoSidedP(15 / Math.sqrt(variance), df), 9);
    // Without the shocks' size, the leader-clustered test on 3 df.
    expect(scoreChangeTest(rows)?.df).toBe(3);
  });

  it('needs three leaders a side who answered both before and after', () => {
    expect(gapChangeTest(converging.filter((a) => a.leader !== 'E3'))).toBeUndefined();
    expect(
      gapChangeTest(
        converging.map((a) => (a.leader === 'E3' ? { ...a, groupLargeEnough: false } : a)),
      ),
    ).toBeUndefined();
  });
});

describe('followUp', () => {
  const base = { since: '2026-11-27T15:00:00.000Z', weeksBefore: 4, weeksAfter: 3 };

  it('says the gap narrowed when its test and the published numbers agree', () => {
    const f = followUp({
      ...base,
      answers: converging,
      cells: { score: { from: 54, to: 55 }, gap: { from: 75, to: 27 } },
    });
    expect(f.gap).toEqual({ from: 75, to: 27, move: 'narrowed' });
    expect(f.score.move).toBe('no_clear_change');
  });

  it('says no clear change when the published numbers do not bear the test out', () => {
    const f = followUp({
      ...base,
      answers: converging,
      // The published gap grew (a side's hidden week moved it): the words do not say narrowed.
      cells: { score: { from: 54, to: 55 }, gap: { from: 40, to: 50 } },
    });
    expect(f.gap.move).toBe('no_clear_change');
  });

  it('is too early with fewer than two closed weeks on either side', () => {
    for (const weeks of [
      { weeksBefore: 4, weeksAfter: 1 },
      { weeksBefore: 1, weeksAfter: 3 },
    ]) {
      const f = followUp({
        ...base,
        ...weeks,
        answers: converging,
        cells: { score: { from: 54, to: 55 }, gap: { from: 75, to: 27 } },
      });
      expect([f.score.move, f.gap.move]).toEqual(['too_early', 'too_early']);
    }
  });
});
