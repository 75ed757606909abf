import type { AppContext } from '../context.js';
import { getPulse, type Pulse } from '../storage/pulses.js';
import { throwIfRefused } from './deliver.js';
import { closeAndPublish } from './publish-pulse.js';
import { refreshPulseMessages } from './refresh-pulse-messages.js';

/**
 * Closes a pulse, publishes its frozen figures (see closeAndPublish: worked
 * out off the main thread, stored in one short transaction) and then turns its
 * messages into "Closed — 9 leaders answered", the number as published.
 * The pulse closes in the database first, whatever Slack does; a message Slack
 * would not update makes the call throw, so the scheduler retries it, and the
 * retry (`again`) updates the messages of a pulse already closed. Otherwise a
 * pulse already closed is left as it is. Returns whether this call closed it.
 */
export async function closePulse(
  ctx: AppContext,
  pulse: Pulse,
  options: { again?: boolean } = {},
): Promise<boolean> {
  const closedNow = await closeAndPublish(ctx, pulse.id);
  if (!closedNow && options.again !== true) return false;
  const closed = (await getPulse(ctx.db, pulse.id)) ?? pulse;
  if (closedNow) ctx.logger.info('pulse closed', { pulse: pulse.id, survey: pulse.surveyId });
  throwIfRefused(await refreshPulseMessages(ctx, closed, ['channel', 'dm']));
  return closedNow;
}
