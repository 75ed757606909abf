import { describe, expect, it } from 'vitest';
import type { VisibleGap } from '../../src/domain/scoring.js';
import {
  gapLine,
  gapStory,
  gapSummary,
  moveSentence,
  sides,
  trendWords,
} from '../../src/views/calls.js';

const gap = (product: number, engineering: number): VisibleGap => ({
  visible: true,
  points: product - engineering,
  product,
  engineering,
  standardError: 5,
});

describe('the words of a trend', () => {
  it('say the change over the weeks it covers, never more', () => {
    expect(trendWords({ call: 'rise', change: 25.4, weeks: 4 })).toBe(
      'rose 25 points over 4 weeks',
    );
    expect(trendWords({ call: 'fall', change: -12.2, weeks: 8 })).toBe(
      'fell 12 points over 8 weeks',
    );
    expect(trendWords({ call: 'no_change', change: 3, weeks: 8 })).toBe('no clear change');
    expect(
      moveSentence({ scope: 'roadmap', line: { call: 'rise', change: 38, weeks: 8 }, score: 85 }),
    ).toBe('One roadmap rose 38 points over 8 weeks, to 85');
  });
});

describe('the words of a gap', () => {
  it('say a difference equal to the difference of the numbers shown beside it', () => {
    // 64.6 and 57.4 show as 65 and 57: "8 apart", not the raw 7.2 rounded to 7.
    expect(sides(gap(64.6, 57.4))).toEqual({ product: 65, engineering: 57, apart: 8 });
    // 65.4 and 57.6 show as 65 and 58: 7 apart, though the raw difference rounds to 8.
    expect(gapLine('okrs', { call: 'apart', gap: gap(65.4, 57.6) })).toBe(
      '*Shared goals* · 65 vs 58 · 7 points apart',
    );
    expect(gapLine('roadmap', { call: 'no_clear_gap', gap: gap(70.2, 61.9) })).toBe(
      '*One roadmap* · 70 vs 62 · no clear gap',
    );
    expect(gapLine('okrs', { call: 'aligned', gap: gap(58, 60) })).toBe(
      '*Shared goals* · 58 vs 60 · aligned',
    );
  });

  it('tell the featured gap’s story with the same numbers', () => {
    const featured = { call: 'widening' as const, from: 31.2, to: 64.8, weeks: 12 };
    expect(
      gapStory({
        dimension: 'tech_debt',
        gap: gap(83.4, 18.3),
        call: 'apart',
        trend: featured,
        weeks: 4,
      }),
    ).toBe(
      'the tech debt gap widened from 31 to 65 points over 12 weeks (Product 83, Engineering 18, last 4 weeks)',
    );
    // A gap from one week says so: never "last 4 weeks" over a single week's answers.
    expect(
      gapSummary({
        dimension: 'interrupts',
        gap: gap(71, 65),
        call: 'not_enough_data',
        trend: undefined,
        weeks: 1,
      }),
    ).toMatch(/^largest on the handling of interrupts: Product 71, Engineering 65 this week, /);
    expect(gapLine('tech_debt', { call: 'apart', gap: gap(83.4, 18.3) }, featured)).toBe(
      '*Tech debt* · 83 vs 18 · 65 points apart, widened from 31 over 12 weeks',
    );
  });
});
