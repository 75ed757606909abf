import { throwIfRefused } from './deliver.js';
import { openPulse } from './open-pulse.js';
import type { SurveyJob } from './scheduler.js';

/**
 * The weekly pulse, as the scheduler runs it. A delivery Slack refused makes the
 * run fail, so it is tried again with backoff; openPulse is idempotent, so a
 * retry only sends what is still missing.
 */
export const pulseJob: SurveyJob = async (ctx, survey, dueAt) => {
  throwIfRefused((await openPulse(ctx, survey, dueAt)).problems);
};
