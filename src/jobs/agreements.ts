import type { AppContext } from '../context.js';
import { followUpOf } from '../reports/agreements.js';
import { type Agreement, messageSent, recordMessage } from '../storage/agreements.js';
import type { RunKey } from '../storage/runs.js';
import { getSurvey } from '../storage/surveys.js';
import { ownerDm, reviewDm } from '../views/agreements.js';
import type { SlackMessage } from '../views/help.js';
import { type DeliveryProblem, deliver, openDm } from './deliver.js';

/** The run that sends an agreement's owners their DMs, once, when it is recorded. */
export const agreementDmsKey = (a: Agreement): RunKey => ({
  kind: 'agreement',
  surveyId: a.surveyId,
  subjectId: a.id,
  scheduledFor: new Date(a.recordedAt),
});

/** The run of an agreement's review on its day; a new day (Keep going) is a new run. */
export const reviewKey = (a: Agreement): RunKey => ({
  kind: 'review',
  surveyId: a.surveyId,
  subjectId: a.id,
  scheduledFor: new Date(a.reviewAt),
});

/** Both owners, each once; a former leader (forgotten) gets nothing. */
const ownersOf = (a: Agreement) =>
  [...new Set([a.productOwner, a.engineeringOwner])].filter((id): id is string => id !== null);

/**
 * Sends each owner one DM for `purpose`, skipping any already sent. A refusal
 * is stored for the admins (told once, by notifyAdmins) and, after the others
 * were tried, thrown, so the run is retried like any other and sends only what
 * is still missing.
 */
async function dmOwners(
  ctx: AppContext,
  a: Agreement,
  purpose: string,
  action: string,
  message: SlackMessage,
): Promise<void> {
  const survey = getSurvey(ctx.db, a.surveyId);
  if (survey === undefined) return;
  const problems: DeliveryProblem[] = [];
  for (const userId of ownersOf(a)) {
    if (messageSent(ctx.db, a.id, userId, purpose)) continue;
    const problem = await deliver(
      ctx,
      { teamId: survey.teamId, surveyId: survey.id, channelId: userId, action },
      async (slack) => {
        const channel = await openDm(slack, userId);
        const posted = await slack.chat.postMessage({ channel, ...message });
        recordMessage(ctx.db, {
          agreementId: a.id,
          userId,
          purpose,
          channelId: channel,
          ts: posted.ts ?? '',
        });
      },
    );
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0)
    throw new Error(
      `could not ${action} to ${problems.length} of the owners: ${problems.map((p) => p.error).join(', ')}`,
    );
}

/** The owners' DMs when an agreement is recorded. */
export async function sendOwnerDms(ctx: AppContext, a: Agreement): Promise<void> {
  const survey = getSurvey(ctx.db, a.surveyId);
  await dmOwners(
    ctx,
    a,
    'recorded',
    'send an agreement to its owners',
    ownerDm(a, survey?.leadershipChannels[0]),
  );
}

/** The review DM on the review day: the figures since, and Done / Keep going / Dropped. */
export async function sendReview(ctx: AppContext, a: Agreement): Promise<void> {
  const survey = getSurvey(ctx.db, a.surveyId);
  if (survey === undefined || a.status !== 'open') return;
  await dmOwners(
    ctx,
    a,
    `review:${a.reviewOn}`,
    'send an agreement review',
    reviewDm(a, followUpOf(ctx, survey, a), survey.leadershipChannels[0], survey.timezone),
  );
}
