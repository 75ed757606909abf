import { describe, expect, it } from 'vitest';
import type { Dimension, Discipline } from '../../src/domain/dimensions.js';
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

function pulse(
  pulseId: number,
  respondents: number,
  questions: Record<string, [Dimension, Partial<Record<Discipline, Tally>>]>,
): PublishedPulse {
  const input = {
    questions: Object.entries(questions).map(([id, [dimension]]) => ({ id, dimension })),
    tallies: new Map(
      Object.entries(questions).map(([id, [, groups]]) => [
        id,
        new Map(Object.entries(groups) as [Discipline, Tally][]),
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
    cells: publishCells(input, 3),
  };
}

const cellOf = (cells: readonly Cell[], questionId: string, group: Cell['group']) =>
  cells.find((c) => c.questionId === questionId && c.group === group);

describe('publishCells: what a closed pulse publishes', () => {
  it('shows each group of 3 or more, hides 2 designers and one more group so they cannot be worked out', () => {
    const p = pulse(1, 17, {
      'tech_debt.real_capacity': [
        'tech_debt',
        {
          product: tally([0, 0, 0, 6, 0], 6),
          engineering: tally([0, 6, 0, 0, 0], 6),
          design: tally([0, 0, 2, 0, 0], 2),
          program: tally([0, 0, 0, 0, 3], 3),
        },
      ],
    });
    const q = 'tech_debt.real_capacity';
    expect(cellOf(p.cells, q, 'all')?.tally).toEqual(tally([0, 6, 2, 6, 3], 17));
    expect(cellOf(p.cells, q, 'product')?.tally).toEqual(tally([0, 0, 0, 6, 0], 6));
    expect(cellOf(p.cells, q, 'design')).toMatchObject({ tally: undefined, hidden: 'too_few' });
    expect(cellOf(p.cells, q, 'program')).toMatchObject({ tally: undefined, hidden: 'complement' });
    expect(cellOf(p.cells, q, 'other')).toBeUndefined();
  });

  it('publishes only hidden cells when fewer than 3 people answered the pulse', () => {
    const p = pulse(1, 2, {
      'okrs.same_direction': ['okrs', { design: tally([0, 0, 0, 2, 0], 2) }],
    });
    expect(p.cells.every((c) => c.tally === undefined && c.hidden === 'too_few')).toBe(true);
    expect(p.cells.map((c) => c.group)).toEqual(['all', 'design']);
  });
});

describe('scorePublished: every number a sum of shown cells', () => {
  const full = pulse(1, 11, {
    'okrs.same_direction': [
      'okrs',
      {
        product: tally([0, 0, 0, 4, 0], 4),
        engineering: tally([0, 0, 4, 0, 0], 4),
        design: tally([0, 0, 0, 0, 3], 3),
      },
    ],
    'roadmap.one_plan': [
      'roadmap',
      {
        product: tally([0, 0, 0, 0, 4], 4),
        engineering: tally([0, 0, 0, 0, 4], 4),
        design: tally([0, 0, 0, 0, 3], 3),
      },
    ],
  });
  const quiet = pulse(2, 2, {
    'okrs.same_direction': ['okrs', { design: tally([5, 0, 0, 0, 0], 2) }],
  });

  it('averages the dimensions shown into the index', () => {
    const s = scorePublished([full], 3);
    // okrs: 4·75 + 4·50 + 3·100 = 800 / 11 = 72.7; roadmap 100.
    expect(score(s.dimensions.find((d) => d.dimension === 'okrs')?.overall)).toBe(73);
    expect(s.index.visible && s.index.score).toBeCloseTo((800 / 11 + 100) / 2, 10);
    expect(s).toMatchObject({ pulses: 1, respondents: 11, invited: 15 });
  });

  it('adds nothing from a hidden week to a window: two weeks score as the full one alone', () => {
    const window = scorePublished([full, quiet], 3);
    const alone = scorePublished([full], 3);
    expect(window.index).toEqual(alone.index);
    expect(window.dimensions.map((d) => score(d.overall))).toEqual(
      alone.dimensions.map((d) => score(d.overall)),
    );
    expect(score(scorePublished([quiet], 3).index)).toBe('hidden:too_few');
    expect(window).toMatchObject({ pulses: 2, respondents: 11, respondentsLeast: 2 });
  });

  it('compares Product and Engineering only where both were shown, and says which side is missing', () => {
    const s = scorePublished([full], 3);
    expect(s.dimensions.find((d) => d.dimension === 'okrs')?.gap).toMatchObject({
      visible: true,
      points: 25,
      product: 75,
      engineering: 50,
    });
    const oneSided = pulse(3, 7, {
      'okrs.same_direction': [
        'okrs',
        { product: tally([0, 0, 0, 5, 0], 5), engineering: tally([0, 2, 0, 0, 0], 2) },
      ],
    });
    expect(scorePublished([oneSided], 3).dimensions[0]?.gap).toEqual({
      visible: false,
      reason: 'Engineering: fewer than 3 people answered',
    });
    // Pooled with the full week, the gap compares the full week only.
    expect(
      scorePublished([full, oneSided], 3).dimensions.find((d) => d.dimension === 'okrs')?.gap,
    ).toMatchObject({ visible: true, points: 25 });
  });

  it('says a dimension nobody was asked is absent, and an empty window shows nothing', () => {
    expect(scorePublished([full], 3).dimensions.map((d) => d.dimension)).toEqual([
      'okrs',
      'roadmap',
    ]);
    expect(scorePublished([], 3)).toMatchObject({
      index: { visible: false, reason: 'no_answers' },
      dimensions: [],
      pulses: 0,
    });
  });
});
