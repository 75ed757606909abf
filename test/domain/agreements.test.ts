import { describe, expect, it } from 'vitest';
import {
  defaultReviewDay,
  type FollowUpAnswer,
  followUp,
  gapChangeTest,
  reviewMoment,
  scoreChangeTest,
} from '../../src/domain/agreements.js';

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
