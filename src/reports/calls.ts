import type { AppContext } from '../context.js';
import { sayCalls } from '../domain/said-calls.js';
import { GAP_TREND_WEEKS, type SaidCalls } from '../domain/trends.js';
import { lastWeeks, type Week } from '../domain/weeks.js';
import { publishedCalls, publishedPulses } from '../storage/publication.js';
import type { Survey } from '../storage/surveys.js';

/**
 * A closed week's calls, as every output says them (domain/said-calls.ts): the
 * calls frozen when the week's pulse closed, with numbers from published cells.
 */

export interface WeekTrends extends SaidCalls {
  week: Week;
}

/** The calls of a closed week, with their numbers; undefined when none were made for it. */
export async function weekTrends(
  ctx: AppContext,
  survey: Survey,
  week: Week,
  asOf: Date = ctx.now(),
): Promise<WeekTrends | undefined> {
  const weeks = lastWeeks(week.start, survey.timezone, GAP_TREND_WEEKS);
  const weeksAgo = new Map(weeks.map((w, i) => [w.period, weeks.length - 1 - i]));
  const pulses = await publishedPulses(
    ctx.db,
    survey.id,
    weeks.map((w) => w.period),
    asOf,
  );
  const latest = pulses.filter((p) => p.period === week.period).at(-1);
  const calls = latest === undefined ? undefined : await publishedCalls(ctx.db, latest.pulseId);
  if (calls === undefined) return undefined;
  const dated = pulses.map((p) => ({ ...p, weeksAgo: weeksAgo.get(p.period) ?? GAP_TREND_WEEKS }));
  return { week, ...sayCalls(calls, dated) };
}
