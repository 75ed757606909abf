import { describe, expect, it } from 'vitest';
import { dot, LEGEND } from '../../src/views/calls.js';

describe('the one colour rule', () => {
  it.each([
    [100, '🟢'],
    [75, '🟢'],
    [74.5, '🟢'], // shown as 75, so green: the dot follows the number beside it
    [74.4, '🟡'],
    [60, '🟡'],
    [59.5, '🟡'],
    [59.4, '🔴'],
    [0, '🔴'],
  ])('a score of %d is %s', (score, expected) => {
    expect(dot(score)).toBe(expected);
  });

  it('is stated once, in the legend, with the same bounds', () => {
    expect(LEGEND).toContain('🟢 75 and up · 🟡 60–74 · 🔴 under 60');
  });
});
