import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/slack/in-flight.js';

const later = (ms: number, fail = false) =>
  new Promise<void>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error('x')) : resolve()), ms),
  );

describe('InFlight', () => {
  it('waits for tracked work, failed or not, before draining', async () => {
    const inFlight = new InFlight();
    let finished = 0;
    inFlight.track(later(30).then(() => finished++));
    inFlight.track(later(10, true)).catch(() => finished++);
    expect(inFlight.size).toBe(2);
    expect(await inFlight.drain(5_000)).toBe(0);
    expect(finished).toBe(2);
    expect(inFlight.size).toBe(0);
  });

  it('gives up after the timeout and says how much was still running', async () => {
    const inFlight = new InFlight();
    inFlight.track(later(1_000));
    expect(await inFlight.drain(20)).toBe(1);
  });

  it('drains at once when nothing runs', async () => {
    expect(await new InFlight().drain(10_000)).toBe(0);
  });
});
