import type { AppContext } from '../context.js';
import { followUpOf } from '../reports/agreements.js';
import {
  type Agreement,
  claimMessage,
  recordMessage,
  releaseMessage,
} from '../storage/agreements.js';
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
 * Sends each owner one DM for `purpose`, skipping any already sent: each is
 * claimed before it is sent, so it goes once across processes. A refusal is
 * stored for the admins (told once, by notifyAdmins) and, after the others
 * were tried, thrown, so the run is retried like any other and sends only what
 * is still missing; so is a DM claimed by an attempt that may still be sending
 * it (the retry finds it sent, or its claim lapsed with a stopped process).
 */
async function dmOwners(
  ctx: AppContext,
  a: Agreement,
  purpose: string,
  action: string,
  message: SlackMessage,
): Promise<void> {
  const survey = await getSurvey(ctx.db, a.surveyId);
  if (survey === undefined) return;
  const problems: DeliveryProblem[] = [];
  let sending = 0;
  for (const userId of ownersOf(a)) {
    const key = { agreementId: a.id, userId, purpose };
    const claim = await claimMessage(ctx.db, key, ctx.now());
    if (claim === 'sent') continue;
    if (claim === 'sending') {
      sending += 1;
      continue;
    }
    let sent = false;
    const problem = await deliver(
      ctx,
      { teamId: survey.teamId, surveyId: survey.id, channelId: userId, action },
      async (slack) => {
        const channel = await openDm(slack, userId);
        const posted = await slack.chat.postMessage({ channel, ...message });
        sent = true;
        await recordMessage(ctx.db, { ...key, channelId: channel, ts: posted.ts ?? '' });
      },
    );
    if (problem === undefined) continue;
    problems.push(problem);
    if (!sent) await releaseMessage(ctx.db, key);
  }
  if (problems.length > 0)
    throw new Error(
      `could not ${action} to ${problems.length} of the owners: ${problems.map((p) => p.error).join(', ')}`,
    );
  if (sending > 0)
    throw new Error(`another attempt is still sending ${sending} of the owners their DM`);
}

/** The owners' DMs when an agreement is recorded. */
export async function sendOwnerDms(ctx: AppContext, a: Agreement): Promise<void> {
  const survey = await getSurvey(ctx.db, a.surveyId);
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
  const survey = await getSurvey(ctx.db, a.surveyId);
  if (survey === undefined || a.status !== 'open') return;
  await dmOwners(
    ctx,
    a,
    `review:${a.reviewOn}`,
    'send an agreement review',
    reviewDm(a, await followUpOf(ctx, survey, a), survey.leadershipChannels[0], survey.timezone),
  );
}
