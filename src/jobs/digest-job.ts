import { throwIfRefused } from './deliver.js';
import { postDigest } from './post-digest.js';
import type { SurveyJob } from './scheduler.js';

/**
 * The weekly digest, as the scheduler runs it; a channel Slack refused makes
 * the run retry, and so does one whose digest another attempt claimed and has
 * not recorded: the retry finds it posted, or the claim lapsed with a process
 * that stopped and the digest goes out then.
 */
export const digestJob: SurveyJob = async (ctx, survey, dueAt) => {
  const { problems, posting } = await postDigest(ctx, survey, dueAt);
  throwIfRefused(problems);
  if (posting.length > 0)
    throw new Error(`the digest is still being posted in ${posting.join(', ')} by another attempt`);
};
