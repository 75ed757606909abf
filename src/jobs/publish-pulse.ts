import type { AppContext } from '../context.js';
import { publishCells } from '../domain/publication.js';
import { weekOf } from '../domain/weeks.js';
import { thresholdOf } from '../reports/published.js';
import {
  closedUnpublishedPulses,
  isPublished,
  pulseTallies,
  storePublication,
} from '../storage/publication.js';
import { getPulse, markClosed } from '../storage/pulses.js';
import { getSurvey } from '../storage/surveys.js';

/**
 * Freezes what a closed pulse publishes: its cells, each judged against the
 * survey's threshold now and for good. Run inside the transaction that closes
 * the pulse, so a pulse is never closed without its publication, never
 * published twice, and no output ever sees half of it. False when it was
 * published already.
 */
function publishPulse(ctx: AppContext, pulseId: number, at: Date): boolean {
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
    const published = ctx.db
      .transaction(() => publishPulse(ctx, pulseId, new Date(pulse.closedAt as string)))
      .immediate();
    if (published) count += 1;
  }
  if (count > 0) ctx.logger.info('published closed pulses', { pulses: count });
  return count;
}
