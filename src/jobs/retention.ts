import { subMonths } from 'date-fns/subMonths';
import type { AppContext } from '../context.js';
import { expiredPulses, purgePulse } from '../storage/retention.js';

/**
 * The daily retention job: for every pulse that closed more than
 * RETENTION_MONTHS ago, the answers, comments and recipient lists are deleted;
 * its published figures, which name nobody, stay, so no published number
 * changes. Pulse by pulse, so the app keeps answering while a large backlog goes.
 */
export function applyRetention(ctx: AppContext): {
  pulses: number;
  answers: number;
  comments: number;
} {
  const cutoff = subMonths(ctx.now(), ctx.config.retentionMonths);
  const totals = { pulses: 0, answers: 0, comments: 0 };
  for (const pulseId of expiredPulses(ctx.db, cutoff)) {
    const removed = purgePulse(ctx.db, pulseId);
    totals.pulses += 1;
    totals.answers += removed.answers;
    totals.comments += removed.comments;
  }
  ctx.logger.info('retention', { before: cutoff.toISOString(), ...totals });
  return totals;
}
