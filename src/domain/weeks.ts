import { TZDate } from '@date-fns/tz';
import { addWeeks } from 'date-fns/addWeeks';
import { format } from 'date-fns/format';
import { getISOWeek } from 'date-fns/getISOWeek';
import { getISOWeekYear } from 'date-fns/getISOWeekYear';
import { startOfISOWeek } from 'date-fns/startOfISOWeek';

/** One ISO week in a survey's time zone: Monday 00:00 to the next Monday 00:00. */
export interface Week {
  /** '2026-W47' */
  period: string;
  /** 'week of 16 Nov': how every message names a week. */
  label: string;
  /** '16 Nov': the week on a chart's axis. */
  short: string;
  /** The Monday, as a local date: '2026-11-16'. */
  firstDay: string;
  start: Date;
  end: Date;
}

/**
 * Weeks already worked out, by time zone and first instant: time-zone date math
 * costs most of a millisecond a week, and the same few weeks are asked for
 * again and again (every command, the App Home, each digest). Bounded.
 */
const known = new Map<string, Week>();
const KNOWN_MAX = 10_000;

/** The week of instants asked for before (a pulse's due time, asked of at every answer). */
const knownInstants = new Map<string, Week>();

export function weekOf(at: Date, timezone: string): Week {
  const instant = `${timezone}|${at.getTime()}`;
  const seen = knownInstants.get(instant);
  if (seen !== undefined) return seen;
  const start = startOfISOWeek(new TZDate(at.getTime(), timezone));
  const key = `${timezone}|${start.getTime()}`;
  let week = known.get(key);
  if (week === undefined) {
    week = describeWeek(start, timezone);
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(key, week);
  }
  if (knownInstants.size >= KNOWN_MAX) knownInstants.clear();
  knownInstants.set(instant, week);
  return week;
}

function describeWeek(start: TZDate, _timezone: string): Week {
  const end = addWeeks(start, 1);
  const week = getISOWeek(start);
  return {
    period: `${getISOWeekYear(start)}-W${String(week).padStart(2, '0')}`,
    label: `week of ${format(start, 'd MMM')}`,
    short: format(start, 'd MMM'),
    firstDay: format(start, 'yyyy-MM-dd'),
    start: new Date(start.getTime()),
    end: new Date(end.getTime()),
  };
}

/** The `count` weeks ending with the one that holds `asOf`, oldest first. */
export function lastWeeks(asOf: Date, timezone: string, count: number): Week[] {
  const current = weekOf(asOf, timezone);
  return Array.from({ length: count }, (_, i) =>
    weekOf(addWeeks(new TZDate(current.start.getTime(), timezone), i - count + 1), timezone),
  );
}
