import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, Colleagues, TEAM } from '../support/colleagues.js';

/**
 * Words that once read like bugs, each asked for through the real app as a
 * leader or an admin would, and checked to say what is true.
 */

let c: Colleagues;
afterEach(async () => {
  await c.stop();
});

const some = (n: number) =>
  Object.fromEntries(TEAM.slice(0, n).map(([id]): [string, number] => [id, 4]));

describe('a week hidden under a threshold since lowered', () => {
  it('says the threshold it was published with, not today’s', async () => {
    c = await Colleagues.start();
    await c.pulseNow(); // sets the survey up; this first pulse stays unanswered
    await c.closePulse();
    expect((await c.saveSetup({ threshold: '8' }))?.response_action).toBe('update');
    await c.advance(96);
    await c.week(some(7)); // 7 answer, under the 8 it needs
    expect((await c.saveSetup({ threshold: '3' }))?.response_action).toBe('update');
    const score = await c.run('score', 'U0P1');
    expect(score).toContain('Only 7 leaders answered in the week of 9 Nov');
    expect(score).toContain('fewer than the 8 it needed to show scores');
    expect(score).not.toMatch(/fewer than 3/);
  });
});

describe('score all', () => {
  it('names the one survey without a count of one', async () => {
    c = await Colleagues.start();
    await c.week(some(11));
    const all = await c.run('score all', ADMIN);
    expect(all).toContain('*The one survey* · its latest closed week');
    expect(all).not.toMatch(/All surveys\* · 1\b/);
  });
});
