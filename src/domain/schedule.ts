import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addMinutes } from 'date-fns/addMinutes';
import { parse as parseCron, validateDetailed } from 'node-cron';
import { z } from 'zod';

/**
 * The scheduling rules, as plain functions of the clock: when a schedule is due,
 * whether a missed run is caught up, how long a failed run waits. No timers here.
 */

export interface CronSpec {
  expression: string;
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: readonly number[];
  months: readonly number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: readonly number[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const HINT =
  'Write five fields — minute hour day-of-month month day-of-week — such as "0 9 * * 1" for Mondays at 09:00.';

/** The five fields of a schedule, in order, with the values each takes. */
const FIELDS = [
  { name: 'minute', rule: 'minutes run from 0 to 59' },
  { name: 'hour', rule: 'hours run from 0 to 23' },
  { name: 'day of the month', rule: 'days of the month run from 1 to 31' },
  { name: 'month', rule: 'months run from 1 to 12 (or jan to dec)' },
  {
    name: 'day of the week',
    rule: 'days of the week run from 0 to 7, Sunday being 0 or 7 (or sun to sat)',
  },
] as const;

/**
 * Which field of an unreadable schedule is wrong, in the app's own words: each
 * field is tried alone (the others "*") with the cron library's own check, so
 * the rule stays the library's and only the sentence is ours.
 */
function fieldProblem(fields: readonly string[]): string {
  for (const [i, field] of FIELDS.entries()) {
    const alone = FIELDS.map((_, j) => (j === i ? (fields[i] ?? '') : '*')).join(' ');
    if (!validateDetailed(alone).valid)
      return `its ${field.name} is "${fields[i] ?? ''}", and ${field.rule}`;
  }
  return 'its fields cannot be read together';
}

/**
 * Expressions already read: the scheduler reads every survey's two schedules
 * every minute, and checking one through node-cron costs 70 µs. Bounded.
 */
const parsedBefore = new Map<string, Parsed<CronSpec>>();
const PARSED_MAX = 10_000;

/** A five-field cron expression, checked: every minute-level schedule node-cron accepts. */
export function parseCronExpression(expression: string): Parsed<CronSpec> {
  const seen = parsedBefore.get(expression);
  if (seen !== undefined) return seen;
  const parsed = readCron(expression);
  if (parsedBefore.size >= PARSED_MAX) parsedBefore.clear();
  parsedBefore.set(expression, parsed);
  return parsed;
}

function readCron(expression: string): Parsed<CronSpec> {
  const text = expression.trim().replace(/\s+/g, ' ');
  const fields = text === '' ? [] : text.split(' ');
  if (fields.length !== 5) {
    return { ok: false, message: `"${expression}" has ${fields.length} fields, not 5. ${HINT}` };
  }
  const checked = validateDetailed(text);
  if (!checked.valid) {
    return {
      ok: false,
      message: `"${expression}" is not a valid schedule: ${fieldProblem(fields)}. ${HINT}`,
    };
  }
  const parsed = parseCron(text);
  const numbers = (values: readonly (number | string)[]) =>
    values.every((v): v is number => typeof v === 'number') ? values : undefined;
  const daysOfMonth = numbers(parsed.dayOfMonth);
  const daysOfWeek = numbers(parsed.dayOfWeek);
  if (daysOfMonth === undefined || daysOfWeek === undefined) {
    return {
      ok: false,
      message: `"${expression}" uses a day rule (L or #) that Alignment Pulse does not support. ${HINT}`,
    };
  }
  return {
    ok: true,
    value: {
      expression: text,
      minutes: [...parsed.minute].sort((a, b) => a - b),
      hours: [...parsed.hour].sort((a, b) => a - b),
      daysOfMonth,
      months: parsed.month,
      daysOfWeek: [...new Set(daysOfWeek.map((d) => d % 7))],
    },
  };
}

export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A schedule as typed by an admin: parsed, or refused with a sentence saying how to write it. */
export const cronSchema = z.string().transform((text, ctx) => {
  const parsed = parseCronExpression(text);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

/** An IANA time zone name. */
export const timezoneSchema = z
  .string()
  .trim()
  .refine(isTimezone, {
    error: (issue) =>
      `"${String(issue.input)}" is not a time zone. Use an IANA name such as Europe/Berlin or America/New_York.`,
  });

/**
 * The instant a wall time that the spring-forward gap skips is due: the moment
 * the clocks jump (02:30 on 29 March in Berlin fires at 03:00, the first moment
 * after the gap), as cron does. `shifted` is where the time-zone library put
 * it (an hour on: 03:30); the jump is found by halving, to the minute.
 */
function momentAfterGap(shifted: number, timezone: string): number {
  const offset = (t: number) => new TZDate(t, timezone).getTimezoneOffset();
  const after = offset(shifted);
  let low = shifted - 3 * 3_600_000;
  let high = shifted;
  while (high - low > 60_000) {
    const middle = low + Math.floor((high - low) / 120_000) * 60_000;
    if (offset(middle) === after) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * Every moment in (from, to] at which the schedule is due, oldest first, read in
 * the time zone's wall clock. A wall time that does not exist (the spring-forward
 * gap) falls on the moment after the gap (see momentAfterGap); one that occurs
 * twice (fall back) counts once. So each due time fires exactly once.
 */
export function dueTimesBetween(
  spec: CronSpec,
  timezone: string,
  from: Date,
  to: Date,
  limit = 1000,
): Date[] {
  const due = new Map<number, Date>();
  const start = new TZDate(from.getTime(), timezone);
  const days = Math.ceil((to.getTime() - from.getTime()) / 86_400_000) + 2;
  for (let i = 0; i < days && due.size < limit; i++) {
    const day = addDays(
      new TZDate(start.getFullYear(), start.getMonth(), start.getDate(), timezone),
      i,
    );
    const [year, month, date] = [day.getFullYear(), day.getMonth(), day.getDate()];
    const weekday = new Date(Date.UTC(year, month, date)).getUTCDay();
    if (
      !spec.months.includes(month + 1) ||
      !spec.daysOfMonth.includes(date) ||
      !spec.daysOfWeek.includes(weekday)
    ) {
      continue;
    }
    for (const hour of spec.hours) {
      for (const minute of spec.minutes) {
        const placed = TZDate.tz(timezone, year, month, date, hour, minute);
        const skipped = placed.getHours() !== hour || placed.getMinutes() !== minute;
        const at = skipped ? momentAfterGap(placed.getTime(), timezone) : placed.getTime();
        if (at > from.getTime() && at <= to.getTime()) due.set(at, new Date(at));
      }
    }
  }
  return [...due.values()].sort((a, b) => a.getTime() - b.getTime()).slice(0, limit);
}

/**
 * Answers of `latestDueAt` already worked out, by schedule and time zone, each
 * with the span of instants it holds for: from its due time to the next one.
 * The scheduler asks of every survey's two schedules every minute, and working
 * one out reads a week of wall clock in its time zone (half a millisecond): a
 * thousand surveys held the event loop a second each minute. Bounded.
 */
const latestKnown = new Map<string, { due: Date | undefined; from: number; until: number }>();
const LATEST_KNOWN_MAX = 10_000;
const LOOK_BACK_DAYS = 400;

/** The most recent due time at or before `now` (looking back at most a year and a bit). */
export function latestDueAt(spec: CronSpec, timezone: string, now: Date): Date | undefined {
  const key = `${spec.expression}|${timezone}`;
  const at = now.getTime();
  const known = latestKnown.get(key);
  if (known !== undefined && at >= known.from && at < known.until) return known.due;
  const due = findLatestDueAt(spec, timezone, now);
  // It holds until the next due time, and while it is within the look-back.
  const next = nextDueAt(spec, timezone, now)?.getTime() ?? at + 60_000;
  const until = due === undefined ? next : Math.min(next, addDays(due, LOOK_BACK_DAYS).getTime());
  if (latestKnown.size >= LATEST_KNOWN_MAX) latestKnown.clear();
  latestKnown.set(key, { due, from: due?.getTime() ?? at, until });
  return due;
}

function findLatestDueAt(spec: CronSpec, timezone: string, now: Date): Date | undefined {
  for (const lookBackDays of [8, LOOK_BACK_DAYS]) {
    const found = dueTimesBetween(
      spec,
      timezone,
      addDays(now, -lookBackDays),
      now,
      Number.MAX_SAFE_INTEGER,
    );
    if (found.length > 0) return found.at(-1);
  }
  return undefined;
}

/** The first due time after `now`. */
export function nextDueAt(spec: CronSpec, timezone: string, now: Date): Date | undefined {
  for (const lookAheadDays of [8, 400]) {
    const [found] = dueTimesBetween(spec, timezone, now, addDays(now, lookAheadDays), 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export type CatchUp =
  | { action: 'run'; dueAt: Date }
  | { action: 'skip'; dueAt: Date }
  | { action: 'none' };

/**
 * At start, for one schedule: the most recent due time nobody claimed runs once
 * if it is within the grace window; an older one is recorded as skipped, so a
 * long outage never floods a channel with stale pulses.
 */
export function catchUpDecision(
  latestDue: Date | undefined,
  claimed: boolean,
  now: Date,
  graceMs: number,
): CatchUp {
  if (latestDue === undefined || claimed) return { action: 'none' };
  return now.getTime() - latestDue.getTime() <= graceMs
    ? { action: 'run', dueAt: latestDue }
    : { action: 'skip', dueAt: latestDue };
}

/** Minutes a failed run waits before attempt `attempt + 1`: 1, 5, 15, 60. */
export const RETRY_DELAYS_MINUTES = [1, 5, 15, 60] as const;

/** When a run that failed its `attempts`-th try is tried again, or undefined when it is out of tries. */
export function nextAttemptAt(attempts: number, failedAt: Date): Date | undefined {
  const delay = RETRY_DELAYS_MINUTES[attempts - 1];
  return delay === undefined ? undefined : addMinutes(failedAt, delay);
}

/**
 * When a pulse's one reminder is due: `reminderHours` before it closes. None when
 * the survey sends no reminders, or when that moment is not after the pulse
 * opened (a reminder as the pulse arrives would only be noise).
 */
export function reminderDueAt(
  dueAt: Date,
  closesAt: Date,
  reminderHours: number | null,
): Date | undefined {
  if (reminderHours === null) return undefined;
  const remindAt = addMinutes(closesAt, -reminderHours * 60);
  return remindAt > dueAt ? remindAt : undefined;
}

/** The reason stored with a scheduled pulse skipped because another was open; its closing time follows. */
export const OPEN_PULSE_SKIP = 'a pulse was still open, until';
