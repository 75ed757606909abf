import { throwIfRefused } from './deliver.js';
import { postDigest } from './post-digest.js';
import type { SurveyJob } from './scheduler.js';

/** The weekly digest, as the scheduler runs it; a channel Slack refused makes the run retry. */
export const digestJob: SurveyJob = async (ctx, survey, dueAt) => {
  throwIfRefused((await postDigest(ctx, survey, dueAt)).problems);
};
