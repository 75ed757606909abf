import type { AppContext } from '../context.js';
import { getPulse, markClosed, type Pulse } from '../storage/pulses.js';
import { refreshPulseMessages } from './refresh-pulse-messages.js';

/**
 * Closes a pulse and turns its messages into "Closed — 9 leaders answered".
 * Idempotent: a pulse already closed is left as it is. Returns whether it closed it.
 */
export async function closePulse(ctx: AppContext, pulse: Pulse): Promise<boolean> {
  if (!markClosed(ctx.db, pulse.id, ctx.now())) return false;
  const closed = getPulse(ctx.db, pulse.id) ?? pulse;
  ctx.logger.info('pulse closed', { pulse: pulse.id, survey: pulse.surveyId });
  await refreshPulseMessages(ctx, closed, ['channel', 'dm']);
  return true;
}
