import { subWeeks } from 'date-fns/subWeeks';
import type { AppContext } from '../context.js';
import { publishCells } from '../domain/publication.js';
import { callWeek, GAP_TREND_WEEKS, weekShocks } from '../domain/trends.js';
import { lastWeeks, weekOf } from '../domain/weeks.js';
import { freezeFollowUps } from '../reports/agreements.js';
import { thresholdOf } from '../reports/published.js';
import {
  callAnswers,
  closedUnpublishedPulses,
  isPublished,
  pulseTallies,
  storeCalls,
  storePublication,
} from '../storage/publication.js';
import { getPulse, markClosed } from '../storage/pulses.js';
import { getSurvey } from '../storage/surveys.js';

/**
 * Freezes what a closed pulse publishes: its cells, each judged against the
 * survey's threshold now and for good, the week's calls (trends, gaps) and
 * what it says of each open agreement. Run inside the transaction that closes
 * the pulse, so a pulse is never closed without its publication, never
 * published twice, and no output ever sees half of it. False when it was
 * published already.
 */
function publishPulse(
  ctx: AppContext,
  pulseId: number,
  at: Date,
  { calls = true }: { calls?: boolean } = {},
): boolean {
  if (isPublished(ctx.db, pulseId)) return false;
  const pulse = getPulse(ctx.db, pulseId);
  const survey = pulse === undefined ? undefined : getSurvey(ctx.db, pulse.surveyId);
  if (pulse === undefined || survey === undefined) return false;
  const threshold = thresholdOf(ctx, survey);
  const tallies = pulseTallies(ctx.db, pulseId);
  const week = weekOf(new Date(pulse.dueAt), survey.timezone);
  storePublication(ctx.db, {
    pulseId,
    surveyId: survey.id,
    period: week.period,
    weekStart: week.firstDay,
    threshold,
    respondents: tallies.respondents,
    invited: tallies.invited,
    at,
    cells: publishCells(tallies, threshold),
  });
  if (!calls) return true;
  // The week's calls, on the answers of its last 16 closed weeks (this one included).
  const weeks = lastWeeks(week.start, survey.timezone, GAP_TREND_WEEKS);
  const weeksAgo = new Map(weeks.map((w, i) => [w.period, weeks.length - 1 - i]));
  const answers = callAnswers(ctx.db, survey.id, weeksAgo);
  // Week-wide shocks measured once, on every answer of the 16 weeks: the trends and the follow-ups allow for them.
  const shock = weekShocks(answers);
  storeCalls(ctx.db, pulseId, callWeek(answers, shock));
  freezeFollowUps(ctx, survey, pulseId, at, shock);
  return true;
}

/**
 * Closes a pulse and publishes it, in one transaction: after it, the pulse takes
 * no more answers and its frozen figures are what every output shows. Returns
 * whether this call closed it. A pulse already closed but not yet published
 * (by an older version) is published now.
 */
export function closeAndPublish(ctx: AppContext, pulseId: number, at: Date = ctx.now()): boolean {
  return ctx.db
    .transaction(() => {
      const closedNow = markClosed(ctx.db, pulseId, at);
      const publishedNow = publishPulse(ctx, pulseId, at);
      if (publishedNow) ctx.logger.info('pulse published', { pulse: pulseId });
      return closedNow;
    })
    .immediate();
}

/** How far back a first start works out calls for weeks published before calls existed. */
const CALLS_FOR_WEEKS = 53;

/**
 * Publishes every closed pulse that has no publication: the closed weeks of a
 * database written before publications existed, frozen as they would have been
 * published. Run at start. Returns how many it published.
 */
export function publishClosedPulses(ctx: AppContext): number {
  let count = 0;
  for (const pulseId of closedUnpublishedPulses(ctx.db)) {
    const pulse = getPulse(ctx.db, pulseId);
    if (pulse?.closedAt == null) continue;
    // Calls only for the weeks an output can still show (the export's year).
    const recent = new Date(pulse.dueAt) >= subWeeks(ctx.now(), CALLS_FOR_WEEKS);
    const published = ctx.db
      .transaction(() =>
        publishPulse(ctx, pulseId, new Date(pulse.closedAt as string), { calls: recent }),
      )
      .immediate();
    if (published) count += 1;
  }
  if (count > 0) ctx.logger.info('published closed pulses', { pulses: count });
  return count;
}
