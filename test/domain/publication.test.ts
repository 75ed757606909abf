import { describe, expect, it } from 'vitest';
import type { Dimension, Side } from '../../src/domain/dimensions.js';
import {
  type Cell,
  type PublishedPulse,
  publishCells,
  scorePublished,
} from '../../src/domain/publication.js';
import type { Counts, Group, Tally } from '../../src/domain/scoring.js';

const tally = (counts: Counts, respondents: number): Tally => ({ counts, respondents });
const score = (g: Group | undefined) =>
  g === undefined ? 'absent' : g.visible ? Math.round(g.score) : `hidden:${g.reason}`;

/** A pulse published by side, from each question's tallies of the two sides. */
function pulse(
  pulseId: number,
  respondents: number,
  questions: Record<string, [Dimension, Partial<Record<Side, Tally>>]>,
  threshold = 3,
): PublishedPulse {
  const input = {
    questions: Object.entries(questions).map(([id, [dimension]]) => ({ id, dimension })),
    tallies: new Map(
      Object.entries(questions).map(([id, [, groups]]) => [
        id,
        new Map(Object.entries(groups) as [Side, Tally][]),
      ]),
    ),
    respondents,
    invited: 15,
  };
  return {
    pulseId,
    period: `2026-W${40 + pulseId}`,
    respondents,
    invited: 15,
    threshold,
    unit: 'side',
    cells: publishCells(input, threshold),
  };
}

const cellOf = (cells: readonly Cell[], questionId: string, group: Cell['group']) =>
  cells.find((c) => c.questionId === questionId && c.group === group);
const Q = 'tech_debt.real_capacity';

describe('publishCells: what a closed pulse publishes, by side', () => {
  it('shows everyone and both sides when each side has 3 or more: 6 product + 2 design, 6 engineering + 1 TPM', () => {
    const p = pulse(1, 15, {
      [Q]: [
        'tech_debt',
        {
          product: tally([0, 0, 0, 6, 2], 8),
          engineering: tally([0, 6, 1, 0, 0], 7),
        },
      ],
    });
    expect(cellOf(p.cells, Q, 'all')?.tally).toEqual(tally([0, 6, 1, 6, 2], 15));
    expect(cellOf(p.cells, Q, 'product_side')?.tally).toEqual(tally([0, 0, 0, 6, 2], 8));
    expect(cellOf(p.cells, Q, 'engineering_side')?.tally).toEqual(tally([0, 6, 1, 0, 0], 7));
    // Nothing finer than a side is published: no third group to subtract.
    expect(p.cells.map((c) => c.group).sort()).toEqual(['all', 'engineering_side', 'product_side']);
  });

  it('a team of 3 + 3 with one designer: the Product side is 4, the gap is there', () => {
    const p = pulse(1, 7, {
      [Q]: [
        'tech_debt',
        { product: tally([0, 0, 0, 4, 0], 4), engineering: tally([3, 0, 0, 0, 0], 3) },
      ],
    });
    const s = scorePublished([p]);
    expect(s.dimensions[0]?.gap).toMatchObject({ visible: true, points: 75 });
  });

  it('hides both sides when one is short, and shows everyone: the week says which side', () => {
    const p = pulse(1, 9, {
      [Q]: [
        'tech_debt',
        { product: tally([0, 0, 0, 7, 0], 7), engineering: tally([2, 0, 0, 0, 0], 2) },
      ],
    });
    expect(cellOf(p.cells, Q, 'all')?.tally).toEqual(tally([2, 0, 0, 7, 0], 9));
    expect(cellOf(p.cells, Q, 'engineering_side')).toMatchObject({ hidden: 'too_few' });
    // 'all' minus the Product side would be the two engineers: it goes too.
    expect(cellOf(p.cells, Q, 'product_side')).toMatchObject({ hidden: 'complement' });
    const s = scorePublished([p]);
    expect(score(s.dimensions[0]?.overall)).toBe(58);
    expect(s.dimensions[0]?.gap).toEqual({
      visible: false,
      reason: 'fewer than 3 on the Engineering side answered',
    });
  });

  it('says so when nobody on a side answered', () => {
    const p = pulse(1, 6, { [Q]: ['tech_debt', { product: tally([0, 0, 0, 6, 0], 6) }] });
    expect(cellOf(p.cells, Q, 'product_side')).toMatchObject({ hidden: 'complement' });
    expect(scorePublished([p]).dimensions[0]?.gap).toEqual({
      visible: false,
      reason: 'nobody on the Engineering side answered',
    });
  });

  it('publishes only hidden cells when fewer than 3 people answered the pulse', () => {
    const p = pulse(1, 2, {
      'okrs.same_direction': ['okrs', { product: tally([0, 0, 0, 2, 0], 2) }],
    });
    expect(p.cells.every((c) => c.tally === undefined && c.hidden === 'too_few')).toBe(true);
    expect(scorePublished([p]).dimensions[0]?.gap).toEqual({
      visible: false,
      reason: 'fewer than 3 people answered',
    });
  });

  it('honours a threshold above 3: 4 a side shows nothing by side under 5, and says 5', () => {
    const sides = { product: tally([0, 0, 0, 4, 0], 4), engineering: tally([0, 4, 0, 0, 0], 4) };
    const p = pulse(1, 8, { [Q]: ['tech_debt', sides] }, 5);
    expect(cellOf(p.cells, Q, 'all')?.tally).toEqual(tally([0, 4, 0, 4, 0], 8));
    expect(cellOf(p.cells, Q, 'product_side')?.hidden).toBe('too_few');
    expect(cellOf(p.cells, Q, 'engineering_side')?.hidden).toBe('too_few');
    expect(scorePublished([p]).dimensions[0]?.gap).toMatchObject({
      reason: 'fewer than 5 on the Product side answered',
    });
    expect(pulse(2, 8, { [Q]: ['tech_debt', sides] }, 4).cells.every((c) => c.tally)).toBe(true);
  });
});

describe('scorePublished: every number a sum of shown cells', () => {
  const full = pulse(1, 11, {
    'okrs.same_direction': [
      'okrs',
      { product: tally([0, 0, 0, 4, 3], 7), engineering: tally([0, 0, 4, 0, 0], 4) },
    ],
    'roadmap.one_plan': [
      'roadmap',
      { product: tally([0, 0, 0, 0, 7], 7), engineering: tally([0, 0, 0, 0, 4], 4) },
    ],
  });
  const quiet = pulse(2, 2, {
    'okrs.same_direction': ['okrs', { product: tally([5, 0, 0, 0, 0], 2) }],
  });

  it('averages the dimensions shown into the index', () => {
    const s = scorePublished([full]);
    // okrs: 4·75 + 3·100 + 4·50 = 800 / 11 = 72.7; roadmap 100.
    expect(score(s.dimensions.find((d) => d.dimension === 'okrs')?.overall)).toBe(73);
    expect(s.index.visible && s.index.score).toBeCloseTo((800 / 11 + 100) / 2, 10);
    expect(s).toMatchObject({ pulses: 1, respondents: 11, invited: 15, units: ['side'] });
  });

  it('adds nothing from a hidden week to a window: two weeks score as the full one alone', () => {
    const window = scorePublished([full, quiet]);
    const alone = scorePublished([full]);
    expect(window.index).toEqual(alone.index);
    expect(window.dimensions.map((d) => score(d.overall))).toEqual(
      alone.dimensions.map((d) => score(d.overall)),
    );
    expect(scorePublished([quiet]).index).toEqual({
      visible: false,
      reason: 'too_few',
      threshold: 3,
    });
    expect(window).toMatchObject({ pulses: 2, respondents: 11, respondentsLeast: 2 });
  });

  it('compares the sides only where both were shown', () => {
    const s = scorePublished([full]);
    const okrs = s.dimensions.find((d) => d.dimension === 'okrs');
    expect(okrs?.gap).toMatchObject({ visible: true, product: 600 / 7, engineering: 50 });
    expect(score(okrs?.bySide.product)).toBe(86);
    const oneSided = pulse(3, 7, {
      'okrs.same_direction': [
        'okrs',
        { product: tally([0, 0, 0, 5, 0], 5), engineering: tally([0, 2, 0, 0, 0], 2) },
      ],
    });
    // Pooled with the full week, the gap compares the full week only.
    expect(
      scorePublished([full, oneSided]).dimensions.find((d) => d.dimension === 'okrs')?.gap,
    ).toMatchObject({ visible: true, engineering: 50 });
  });

  it('a hidden group says the threshold its pulse was published with, not today’s', () => {
    const underFive = pulse(
      4,
      4,
      { [Q]: ['tech_debt', { product: tally([0, 0, 4, 0, 0], 4) }] },
      5,
    );
    expect(scorePublished([underFive]).dimensions[0]?.overall).toEqual({
      visible: false,
      reason: 'too_few',
      threshold: 5,
    });
  });

  it('reads a week published by discipline, before the sides: its Product and Engineering cells are its sides', () => {
    const legacy: PublishedPulse = {
      pulseId: 9,
      period: '2026-W30',
      respondents: 10,
      invited: 12,
      threshold: 3,
      unit: 'discipline',
      cells: [
        {
          questionId: Q,
          dimension: 'tech_debt',
          group: 'all',
          tally: tally([0, 0, 5, 5, 0], 10),
          hidden: undefined,
        },
        {
          questionId: Q,
          dimension: 'tech_debt',
          group: 'product',
          tally: tally([0, 0, 0, 4, 0], 4),
          hidden: undefined,
        },
        {
          questionId: Q,
          dimension: 'tech_debt',
          group: 'engineering',
          tally: tally([0, 0, 4, 0, 0], 4),
          hidden: undefined,
        },
        {
          questionId: Q,
          dimension: 'tech_debt',
          group: 'design',
          tally: undefined,
          hidden: 'too_few',
        },
      ],
    };
    const s = scorePublished([legacy]);
    expect(s.dimensions[0]?.gap).toMatchObject({ visible: true, points: 25 });
    expect(score(s.dimensions[0]?.byDiscipline.product)).toBe(75);
    expect(score(s.dimensions[0]?.byDiscipline.design)).toBe('hidden:too_few');
    expect(s.units).toEqual(['discipline']);
    // A pulse by side shows no discipline alone.
    expect(score(scorePublished([full]).dimensions[0]?.byDiscipline.product)).toBe(
      'hidden:no_answers',
    );
  });

  it('says a dimension nobody was asked is absent, and an empty window shows nothing', () => {
    expect(scorePublished([full]).dimensions.map((d) => d.dimension)).toEqual(['okrs', 'roadmap']);
    expect(scorePublished([])).toMatchObject({
      index: { visible: false, reason: 'no_answers' },
      dimensions: [],
      pulses: 0,
    });
  });
});
