import { describe, expect, it } from 'vitest';
import {
  type CronSpec,
  catchUpDecision,
  cronSchema,
  dueTimesBetween,
  latestDueAt,
  nextAttemptAt,
  nextDueAt,
  parseCronExpression,
  reminderDueAt,
  timezoneSchema,
} from '../../src/domain/schedule.js';

function spec(expression: string): CronSpec {
  const parsed = parseCronExpression(expression);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (text: string) => new Date(text);
const HOUR = 3_600_000;

describe('parseCronExpression', () => {
  it.each([
    ['0 9 * * 1', true],
    ['30 8 * * MON-FRI', true],
    ['0 16 * * 5', true],
    ['*/15 * * * *', true],
  ])('accepts %s', (expression, ok) => {
    expect(parseCronExpression(expression).ok).toBe(ok);
  });

  it.each([
    ['', 'has 0 fields, not 5'],
    ['every monday', 'has 2 fields, not 5'],
    ['0 0 9 * * 1', 'has 6 fields, not 5'],
    ['61 9 * * 1', 'is not a valid schedule: its minute is "61", and minutes run from 0 to 59.'],
    ['0 25 * * 1', 'is not a valid schedule: its hour is "25", and hours run from 0 to 23.'],
    ['0 9 * * 8', 'its day of the week is "8", and days of the week run from 0 to 7'],
  ])('refuses "%s", saying how to write it', (expression, message) => {
    const parsed = parseCronExpression(expression);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(message);
      expect(parsed.message).toContain('"0 9 * * 1" for Mondays at 09:00');
      // The app's own words, never the cron library's ("25 is a invalid expression for hour").
      expect(parsed.message).not.toMatch(/invalid expression|is a invalid/);
    }
  });
});

describe('the zod schemas for schedules', () => {
  it('parse a valid cron expression and time zone', () => {
    expect(cronSchema.parse('0 9 * * 1').hours).toEqual([9]);
    expect(timezoneSchema.parse(' Europe/Berlin ')).toBe('Europe/Berlin');
  });

  it('refuse bad ones with a sentence that says how to write them', () => {
    expect(cronSchema.safeParse('9am mondays').error?.issues[0]?.message).toContain(
      'has 2 fields, not 5',
    );
    expect(timezoneSchema.safeParse('CEST').error?.issues[0]?.message).toBe(
      '"CEST" is not a time zone. Use an IANA name such as Europe/Berlin or America/New_York.',
    );
  });
});

describe('a weekly pulse at 09:00 across the DST changes', () => {
  it.each([
    // Europe/Berlin moves to summer time on 29 March 2026 and back on 25 October 2026.
    [
      'Europe/Berlin',
      '2026-03-16T00:00:00Z',
      '2026-04-07T00:00:00Z',
      [
        '2026-03-16T08:00:00.000Z',
        '2026-03-23T08:00:00.000Z',
        '2026-03-30T07:00:00.000Z',
        '2026-04-06T07:00:00.000Z',
      ],
    ],
    [
      'Europe/Berlin',
      '2026-10-12T00:00:00Z',
      '2026-11-03T00:00:00Z',
      [
        '2026-10-12T07:00:00.000Z',
        '2026-10-19T07:00:00.000Z',
        '2026-10-26T08:00:00.000Z',
        '2026-11-02T08:00:00.000Z',
      ],
    ],
    // America/New_York moves on 8 March 2026 and back on 1 November 2026.
    [
      'America/New_York',
      '2026-02-23T00:00:00Z',
      '2026-03-17T00:00:00Z',
      [
        '2026-02-23T14:00:00.000Z',
        '2026-03-02T14:00:00.000Z',
        '2026-03-09T13:00:00.000Z',
        '2026-03-16T13:00:00.000Z',
      ],
    ],
    [
      'America/New_York',
      '2026-10-19T00:00:00Z',
      '2026-11-10T00:00:00Z',
      [
        '2026-10-19T13:00:00.000Z',
        '2026-10-26T13:00:00.000Z',
        '2026-11-02T14:00:00.000Z',
        '2026-11-09T14:00:00.000Z',
      ],
    ],
  ])('%s from %s fires at 09:00 local every Monday', (timezone, from, to, expected) => {
    expect(iso(dueTimesBetween(spec('0 9 * * 1'), timezone, at(from), at(to)))).toEqual(expected);
  });
});

describe('local times that DST skips or repeats', () => {
  it('fires once, the moment after the gap, for a time the spring-forward gap skips (02:30 on 29 March in Berlin: 03:00)', () => {
    const due = dueTimesBetween(
      spec('30 2 * * *'),
      'Europe/Berlin',
      at('2026-03-28T00:00:00Z'),
      at('2026-03-31T00:00:00Z'),
    );
    expect(iso(due)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('fires once for a time the fall-back hour repeats (02:30 on 25 October in Berlin)', () => {
    const due = dueTimesBetween(
      spec('30 2 * * *'),
      'Europe/Berlin',
      at('2026-10-24T00:00:00Z'),
      at('2026-10-27T00:00:00Z'),
    );
    expect(due).toHaveLength(3);
    expect(due.filter((d) => d.toISOString().startsWith('2026-10-25'))).toHaveLength(1);
  });

  it('fires once for a schedule every 30 minutes through the gap', () => {
    const due = dueTimesBetween(
      spec('0,30 * * * *'),
      'America/New_York',
      at('2026-03-08T05:00:00Z'),
      at('2026-03-08T09:00:00Z'),
    );
    expect(new Set(iso(due)).size).toBe(due.length);
    expect(due).toHaveLength(8);
  });
});

describe('latestDueAt and nextDueAt', () => {
  const monday9 = spec('0 9 * * 1');
  it('finds the due time just passed and the next one', () => {
    const now = at('2026-11-25T12:00:00Z'); // a Wednesday
    expect(latestDueAt(monday9, 'Europe/Berlin', now)?.toISOString()).toBe(
      '2026-11-23T08:00:00.000Z',
    );
    expect(nextDueAt(monday9, 'Europe/Berlin', now)?.toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
  });

  it('counts the exact due time as due', () => {
    const now = at('2026-11-23T08:00:00Z');
    expect(latestDueAt(monday9, 'Europe/Berlin', now)?.toISOString()).toBe(
      '2026-11-23T08:00:00.000Z',
    );
    expect(nextDueAt(monday9, 'Europe/Berlin', now)?.toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
  });

  it('finds a yearly schedule', () => {
    expect(latestDueAt(spec('0 9 1 1 *'), 'UTC', at('2026-11-22T00:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T09:00:00.000Z',
    );
  });
});

describe('catchUpDecision', () => {
  const grace = 12 * HOUR;
  const due = at('2026-11-23T08:00:00Z');
  it.each([
    ['runs a run missed by two hours', at('2026-11-23T10:00:00Z'), false, 'run'],
    ['skips a run missed by three days', at('2026-11-26T08:00:00Z'), false, 'skip'],
    ['runs a run missed by exactly the grace window', at('2026-11-23T20:00:00Z'), false, 'run'],
    ['does nothing for a run already claimed', at('2026-11-23T10:00:00Z'), true, 'none'],
  ])('%s', (_name, now, claimed, action) => {
    expect(catchUpDecision(due, claimed, now, grace).action).toBe(action);
  });

  it('does nothing when the schedule was never due', () => {
    expect(catchUpDecision(undefined, false, due, grace)).toEqual({ action: 'none' });
  });
});

describe('reminderDueAt', () => {
  const due = at('2026-11-23T08:00:00Z');
  const closes = at('2026-11-26T08:00:00Z');
  it.each([
    ['24 hours before a 72-hour pulse closes', 24, '2026-11-25T08:00:00.000Z'],
    ['never when the survey sends no reminders', null, undefined],
    ['never when the lead time covers the whole window', 72, undefined],
  ])('is due %s', (_name, hours, expected) => {
    expect(reminderDueAt(due, closes, hours)?.toISOString()).toBe(expected);
  });
});

describe('nextAttemptAt', () => {
  it('backs off 1, 5, 15 and 60 minutes, then gives up', () => {
    const failed = at('2026-11-23T08:00:00Z');
    expect([1, 2, 3, 4, 5].map((n) => nextAttemptAt(n, failed)?.toISOString())).toEqual([
      '2026-11-23T08:01:00.000Z',
      '2026-11-23T08:05:00.000Z',
      '2026-11-23T08:15:00.000Z',
      '2026-11-23T09:00:00.000Z',
      undefined,
    ]);
  });
});
