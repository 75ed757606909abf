import { describe, expect, it } from 'vitest';
import type { Discipline } from '../../src/domain/dimensions.js';
import {
  type Counts,
  describeTally,
  type Group,
  scoreDimension,
  scoreGroup,
  type Tally,
} from '../../src/domain/scoring.js';

const tally = (counts: Counts, respondents: number): Tally => ({ counts, respondents });
const score = (g: Group) => (g.visible ? Math.round(g.score) : `hidden:${g.reason}`);

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

describe('the anonymity threshold', () => {
  it('hides a group of 2 and shows a group of 3', () => {
    expect(scoreGroup(tally([0, 0, 0, 2, 0], 2), 3)).toEqual({ visible: false, reason: 'too_few' });
    expect(score(scoreGroup(tally([0, 0, 0, 3, 0], 3), 3))).toBe(75);
    expect(scoreGroup(undefined, 3)).toEqual({ visible: false, reason: 'no_answers' });
  });

  it('honours a higher threshold', () => {
    expect(scoreGroup(tally([0, 0, 0, 4, 0], 4), 5)).toEqual({ visible: false, reason: 'too_few' });
  });

  const dimension = (groups: Partial<Record<Discipline, Tally>>) =>
    scoreDimension('tech_debt', new Map(Object.entries(groups) as [Discipline, Tally][]), 3);

  it('hides a second group when the total would reveal a hidden one (14 people: 6 product, 6 engineering, 2 design, 0 others; program 3 takes the fall)', () => {
    const d = dimension({
      product: tally([0, 0, 0, 6, 0], 6),
      engineering: tally([0, 6, 0, 0, 0], 6),
      design: tally([0, 0, 2, 0, 0], 2),
      program: tally([0, 0, 0, 0, 3], 3),
    });
    expect(score(d.overall)).toBe(59); // (6·75 + 6·25 + 2·50 + 3·100) / 17 = 58.8
    expect(score(d.byDiscipline.design)).toBe('hidden:too_few');
    expect(score(d.byDiscipline.program)).toBe('hidden:complement');
    expect(score(d.byDiscipline.product)).toBe(75);
    expect(score(d.byDiscipline.engineering)).toBe(25);
    expect(d.gap).toMatchObject({ visible: true, points: 50 });
  });

  it('hides Product or Engineering when nothing else can hide the 2 designers (6 product, 6 engineering, 2 design)', () => {
    const d = dimension({
      product: tally([0, 0, 0, 6, 0], 6),
      engineering: tally([0, 0, 0, 0, 6], 6),
      design: tally([0, 0, 2, 0, 0], 2),
    });
    expect(score(d.overall)).toBe(82); // (6·75 + 6·100 + 2·50) / 14 = 82.1
    const hidden = (['product', 'engineering', 'design'] as const).filter(
      (x) => !d.byDiscipline[x].visible,
    );
    expect(hidden).toHaveLength(2);
    expect(hidden).toContain('design');
    expect(d.gap.visible).toBe(false);
  });

  it('needs no second group when the hidden ones together reach the threshold (2 design, 1 program)', () => {
    const d = dimension({
      product: tally([0, 0, 0, 6, 0], 6),
      engineering: tally([0, 0, 0, 6, 0], 6),
      design: tally([0, 0, 2, 0, 0], 2),
      program: tally([0, 0, 1, 0, 0], 1),
    });
    expect(d.byDiscipline.product.visible && d.byDiscipline.engineering.visible).toBe(true);
    expect(d.gap).toMatchObject({ visible: true, points: 0 });
  });

  it('hides the gap when one side has 2 people, saying which side', () => {
    const d = dimension({
      product: tally([0, 0, 0, 5, 0], 5),
      engineering: tally([2, 0, 0, 0, 0], 2),
      design: tally([0, 0, 0, 4, 0], 4),
    });
    expect(d.gap).toEqual({ visible: false, reason: 'Engineering: fewer than 3 people answered' });
    expect(score(d.byDiscipline.design)).toBe('hidden:complement');
    expect(score(d.overall)).toBe(61); // (5·75 + 2·0 + 4·75) / 11 = 61.4
  });

  it('hides the whole dimension when fewer than 3 answered it', () => {
    const d = dimension({
      product: tally([0, 0, 0, 1, 0], 1),
      engineering: tally([0, 0, 0, 1, 0], 1),
    });
    expect(d.overall).toEqual({ visible: false, reason: 'too_few' });
    expect(d.gap.visible).toBe(false);
  });
});

describe('the perception gap', () => {
  it.each([
    ['Product 87.5 vs Engineering 15', [0, 0, 0, 5, 5], [2, 3, 0, 0, 0], 72.5],
    ['Product 50 vs Engineering 45', [0, 0, 10, 0, 0], [0, 2, 8, 0, 0], 5],
    ['Engineering higher: a negative gap', [0, 4, 0, 0, 0], [0, 0, 0, 0, 4], -75],
  ] as const)('%s', (_name, product, engineering, points) => {
    const d = scoreDimension(
      'roadmap',
      new Map<Discipline, Tally>([
        ['product', tally(product, 5)],
        ['engineering', tally(engineering, 5)],
      ]),
      3,
    );
    expect(d.gap.visible).toBe(true);
    if (d.gap.visible) expect(d.gap.points).toBeCloseTo(points, 10);
  });
});
