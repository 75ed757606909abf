import { subWeeks } from 'date-fns/subWeeks';
import type { AppContext } from '../context.js';
import { type Publication, publicationBasis, workOutPublication } from '../reports/publication.js';
import { storeFollowUp } from '../storage/agreements.js';
import type { Db } from '../storage/database.js';
import {
  closedUnpublishedPulses,
  isPublished,
  storeCalls,
  storePublication,
} from '../storage/publication.js';
import { getPulse, markClosed } from '../storage/pulses.js';

/**
 * Publishes a closed pulse unless it is published: works out what it
 * publishes (reports/publication.ts), then stores it. Run inside the
 * transaction that closes the pulse, so a pulse is never closed without its
 * publication, never published twice, and no output ever sees half of it.
 * False when it was published already.
 */
function publishPulse(
  ctx: AppContext,
  pulseId: number,
  at: Date,
  { calls = true }: { calls?: boolean } = {},
): boolean {
  const publication = workOutPublication(ctx.db, {
    pulseId,
    at: at.toISOString(),
    calls,
    defaultThreshold: ctx.config.anonymityThreshold,
  });
  return publication !== undefined && store(ctx.db, publication) === 'published';
}

type Stored = 'published' | 'already' | 'gone' | 'stale';

/**
 * Stores a worked-out publication: published once (not when it is published
 * already, or its pulse was deleted meanwhile), and only while it rests on
 * what it was worked out from ('stale' otherwise).
 */
function store(db: Db, publication: Publication): Stored {
  return db
    .transaction((): Stored => {
      if (isPublished(db, publication.pulseId)) return 'already';
      if (getPulse(db, publication.pulseId)?.closedAt == null) return 'gone';
      const at = new Date(publication.at);
      if (publicationBasis(db, publication.surveyId, at) !== publication.basis) return 'stale';
      storePublication(db, { ...publication, at });
      if (publication.calls !== undefined) storeCalls(db, publication.pulseId, publication.calls);
      for (const { agreementId, followUp } of publication.followUps)
        storeFollowUp(db, agreementId, publication.pulseId, followUp);
      return 'published';
    })
    .immediate();
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
    if (publishPulse(ctx, pulseId, new Date(pulse.closedAt), { calls: recent })) count += 1;
  }
  if (count > 0) ctx.logger.info('published closed pulses', { pulses: count });
  return count;
}
