import { TZDate } from '@date-fns/tz';
import type { AppContext } from '../context.js';
import { scorePublished } from '../domain/publication.js';
import type { PeriodScore } from '../domain/scoring.js';
import { lastWeeks, type Week, weekOf } from '../domain/weeks.js';
import { latestPublishedWeek, publishedComments, publishedPulses } from '../storage/publication.js';
import type { Survey } from '../storage/surveys.js';

/**
 * What every output reads: the published, frozen figures of closed pulses
 * (`domain/publication.ts` states the rule), arranged by week. Nothing here
 * reads an answer, so nothing of a pulse still open, and nothing a later
 * forget-me or role change would alter, can reach a command, the App Home, the
 * digest, the chart or the export.
 */

/** The threshold a survey publishes with: its own, or the app's. */
export const thresholdOf = (ctx: Pick<AppContext, 'config'>, survey: Survey): number =>
  survey.anonymityThreshold ?? ctx.config.anonymityThreshold;

/** The week that begins on a stored Monday ('2026-11-16'), in the survey's time zone. */
function weekStarting(firstDay: string, timezone: string): Week {
  const [year = 1970, month = 1, day = 1] = firstDay.split('-').map(Number);
  return weekOf(new Date(TZDate.tz(timezone, year, month - 1, day, 12).getTime()), timezone);
}

/** The latest week with a pulse closed (and so published) by `asOf`. */
export async function latestClosedWeek(
  ctx: AppContext,
  survey: Survey,
  asOf: Date = ctx.now(),
): Promise<Week | undefined> {
  const latest = await latestPublishedWeek(ctx.db, survey.id, asOf);
  return latest === undefined ? undefined : weekStarting(latest.weekStart, survey.timezone);
}

const scoreOf = (ctx: AppContext, survey: Survey, weeks: readonly Week[], asOf: Date) =>
  publishedPulses(
    ctx.db,
    survey.id,
    weeks.map((w) => w.period),
    asOf,
  );

/** The `count` weeks ending with `last`, each scored from the pulses published in it. */
export async function scoredWeeks(
  ctx: AppContext,
  survey: Survey,
  last: Week | Date,
  count: number,
  asOf: Date = ctx.now(),
): Promise<{ weeks: Week[]; scores: PeriodScore[] }> {
  const weeks = lastWeeks(last instanceof Date ? last : last.start, survey.timezone, count);
  const pulses = await scoreOf(ctx, survey, weeks, asOf);
  const scores = weeks.map((w) => scorePublished(pulses.filter((p) => p.period === w.period)));
  return { weeks, scores };
}

/**
 * The `count` weeks ending with the latest closed week (or with this week when
 * none has closed), each scored from the pulses published in it.
 */
export async function closedWeeks(
  ctx: AppContext,
  survey: Survey,
  count: number,
  asOf: Date = ctx.now(),
): Promise<{ weeks: Week[]; scores: PeriodScore[]; latest: Week | undefined }> {
  const latest = await latestClosedWeek(ctx, survey, asOf);
  return { ...(await scoredWeeks(ctx, survey, latest ?? asOf, count, asOf)), latest };
}

/** The given weeks taken together: every group a sum of the cells shown in each. */
export async function closedWindow(
  ctx: AppContext,
  survey: Survey,
  weeks: readonly Week[],
  asOf: Date = ctx.now(),
): Promise<PeriodScore> {
  return scorePublished(await scoreOf(ctx, survey, weeks, asOf));
}

/** Up to `limit` anonymous comments of a closed week, in an order that says nothing. */
export async function closedWeekComments(
  ctx: AppContext,
  survey: Survey,
  week: Week,
  asOf: Date = ctx.now(),
  limit = 3,
): Promise<string[]> {
  const pulses = await scoreOf(ctx, survey, [week], asOf);
  return publishedComments(
    ctx.db,
    pulses.map((p) => p.pulseId),
    limit,
  );
}

/**
 * The week the App Home and `/alignment score` show: the latest closed week, or,
 * when too few answered it, the latest closed week of the last `lookBack` that
 * has scores, so a quiet week never hides the results of the one before.
 */
export async function latestShownWeek(
  ctx: AppContext,
  survey: Survey,
  asOf: Date = ctx.now(),
  lookBack = 12,
): Promise<{
  latest: { week: Week; score: PeriodScore } | undefined;
  shown: { week: Week; score: PeriodScore } | undefined;
}> {
  const { weeks, scores, latest } = await closedWeeks(ctx, survey, lookBack, asOf);
  if (latest === undefined) return { latest: undefined, shown: undefined };
  const paired = weeks.map((week, i) => ({ week, score: scores[i] as PeriodScore }));
  const last = paired.at(-1);
  const shown = paired.filter((p) => p.score.index.visible).at(-1);
  return { latest: last, shown };
}
