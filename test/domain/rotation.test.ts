import { describe, expect, it } from 'vitest';
import { CATALOGUE, type Question } from '../../src/domain/catalogue.js';
import { DIMENSIONS, REQUIRED_DIMENSIONS } from '../../src/domain/dimensions.js';
import { chooseQuestions } from '../../src/domain/rotation.js';

/** Runs `pulses` consecutive pulses and returns the question ids of each. */
function run(
  pulses: number,
  count: number,
  questions: readonly Question[] = CATALOGUE,
): string[][] {
  const history: string[][] = [];
  for (let i = 0; i < pulses; i++)
    history.push(chooseQuestions(questions, history, count).map((q) => q.id));
  return history;
}

const dimensionsOf = (ids: string[]) =>
  new Set(ids.map((id) => CATALOGUE.find((q) => q.id === id)?.dimension));

describe('the catalogue', () => {
  it('has at least two statements for each of the nine dimensions, with unique ids', () => {
    for (const dimension of DIMENSIONS) {
      expect(CATALOGUE.filter((q) => q.dimension === dimension).length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(CATALOGUE.map((q) => q.id)).size).toBe(CATALOGUE.length);
    for (const q of CATALOGUE) {
      expect(q.id.startsWith(`${q.dimension}.`)).toBe(true);
      expect(q.text.length).toBeLessThanOrEqual(90);
    }
  });
});

describe('chooseQuestions', () => {
  it('opens with the required dimensions and fills up in catalogue order', () => {
    expect(chooseQuestions(CATALOGUE, [], 5).map((q) => q.id)).toEqual([
      'okrs.same_direction',
      'roadmap.one_plan',
      'tech_debt.real_capacity',
      'priorities.ranked',
      'customer_value.clear_use',
    ]);
  });

  it.each([
    [3, 4],
    [4, 3],
    [5, 2],
    [6, 2],
    [9, 1],
  ])(
    'with %i questions a pulse, every %i consecutive pulses cover all nine dimensions',
    (count, window) => {
      const pulses = run(30, count);
      for (let start = 0; start + window <= pulses.length; start++) {
        expect(dimensionsOf(pulses.slice(start, start + window).flat()).size).toBe(9);
      }
      for (const ids of pulses) expect(ids).toHaveLength(count);
    },
  );

  it.each([3, 4, 5, 7, 10])(
    'with %i questions a pulse, asks okrs, roadmap and tech debt at least every other pulse',
    (count) => {
      const pulses = run(30, count);
      for (let i = 1; i < pulses.length; i++) {
        const lastTwo = dimensionsOf([...(pulses[i - 1] ?? []), ...(pulses[i] ?? [])]);
        for (const required of REQUIRED_DIMENSIONS) expect(lastTwo.has(required)).toBe(true);
      }
    },
  );

  it('never asks the same question twice in a row when its dimension has another', () => {
    const pulses = run(40, 5);
    for (let i = 1; i < pulses.length; i++) {
      for (const id of pulses[i] ?? []) expect(pulses[i - 1]).not.toContain(id);
    }
  });

  it('rotates through every question of a dimension', () => {
    const asked = new Set(run(30, 5).flat());
    expect(asked).toEqual(new Set(CATALOGUE.map((q) => q.id)));
  });

  it('is deterministic for a given history', () => {
    expect(run(12, 5)).toEqual(run(12, 5));
  });

  it('asks a second question of a dimension only when there are more places than dimensions', () => {
    const [first] = run(1, 10);
    expect(first).toHaveLength(10);
    expect(dimensionsOf(first ?? []).size).toBe(9);
  });

  it('asks a custom question in its turn, and only active questions', () => {
    const custom: Question = {
      id: 'custom.7',
      dimension: 'okrs',
      reversed: false,
      text: 'Our OKR review includes both sides.',
    };
    const questions = [...CATALOGUE.filter((q) => q.id !== 'okrs.dates_vs_quality'), custom];
    const asked = run(12, 5, questions).flat();
    expect(asked).toContain('custom.7');
    expect(asked).not.toContain('okrs.dates_vs_quality');
  });

  it('gives the most overdue required dimensions first when a pulse has fewer than three places', () => {
    const pulses = run(6, 1);
    expect(pulses.map((ids) => [...dimensionsOf(ids)][0])).toEqual([
      'okrs',
      'roadmap',
      'tech_debt',
      'okrs',
      'roadmap',
      'tech_debt',
    ]);
  });
});
