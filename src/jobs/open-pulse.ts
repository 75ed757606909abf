import { addHours } from 'date-fns/addHours';
import type { AppContext } from '../context.js';
import { chooseQuestions } from '../domain/rotation.js';
import { humanMembers } from '../slack/members.js';
import { respondentCount } from '../storage/answers.js';
import {
  createPulse,
  findPulseMessage,
  type Pulse,
  questionHistory,
  recipients,
  setRecipients,
} from '../storage/pulses.js';
import { activeQuestions, pulseQuestions } from '../storage/questions.js';
import type { Survey } from '../storage/surveys.js';
import { getWorkspace } from '../storage/workspaces.js';
import { dmNoticeMessage, postedAgain, pulseMessage } from '../views/pulse-message.js';
import { type DeliveryProblem, deliver, postPulseMessageOnce, sendPulseDm } from './deliver.js';

export interface OpenedPulse {
  pulse: Pulse;
  /** False when this due time's pulse existed already (a retry or a second process). */
  created: boolean;
  questionCount: number;
  recipients: number;
  problems: DeliveryProblem[];
}

/**
 * Opens the survey's pulse for `dueAt`: stores it with its questions, works out
 * who it goes to (the people in the leadership channels), and posts it — in each
 * channel, or by DM to each person with a one-line notice in the channel.
 * Idempotent: running it again for the same due time posts only what is missing.
 */
export async function openPulse(
  ctx: AppContext,
  survey: Survey,
  dueAt: Date,
): Promise<OpenedPulse> {
  const chosen = chooseQuestions(
    await activeQuestions(ctx.db, survey.id),
    await questionHistory(ctx.db, survey.id),
    survey.questionsPerPulse,
  );
  const { pulse, created } = await createPulse(ctx.db, {
    surveyId: survey.id,
    dueAt,
    openedAt: ctx.now(),
    closesAt: addHours(dueAt, survey.openHours),
    questionIds: chosen.map((q) => q.id),
  });
  const questionCount = (await pulseQuestions(ctx.db, pulse.id)).length;
  ctx.logger.info(created ? 'pulse opened' : 'pulse already open: posting what is missing', {
    survey: survey.id,
    pulse: pulse.id,
    questions: questionCount,
  });

  const workspace = await getWorkspace(ctx.db, survey.teamId);
  const botUserId = workspace?.botUserId ?? undefined;
  const tenant = { teamId: survey.teamId, enterpriseId: workspace?.enterpriseId ?? null };
  const problems: DeliveryProblem[] = [];
  const where = (channelId: string, action: string) => ({
    teamId: survey.teamId,
    surveyId: survey.id,
    channelId,
    action,
  });

  for (const channelId of survey.leadershipChannels) {
    const problem = await deliver(ctx, where(channelId, 'list channel members'), async (slack) => {
      const members = await humanMembers(slack, channelId, botUserId, tenant);
      await setRecipients(ctx.db, pulse.id, members);
    });
    if (problem !== undefined) problems.push(problem);
  }
  const people = await recipients(ctx.db, pulse.id);
  const message = pulseMessage({
    pulseId: pulse.id,
    dueAt: pulse.dueAt,
    questionCount,
    closesAt: pulse.closesAt,
    timezone: survey.timezone,
    answered: await respondentCount(ctx.db, pulse.id),
    closedAt: undefined,
  });

  if (survey.delivery === 'dm') {
    for (const userId of people) {
      const problem = await sendPulseDm(ctx, pulse, userId, 'dm', message);
      if (problem !== undefined) problems.push(problem);
    }
  }
  for (const channelId of survey.leadershipChannels) {
    const kind = survey.delivery === 'dm' ? 'notice' : 'channel';
    if ((await findPulseMessage(ctx.db, pulse.id, kind, { channelId }))?.ts != null) continue;
    const text =
      kind === 'notice'
        ? dmNoticeMessage({
            dueAt: pulse.dueAt,
            recipients: people.length,
            closesAt: pulse.closesAt,
            timezone: survey.timezone,
          })
        : message;
    const problem = await deliver(ctx, where(channelId, 'post the pulse'), async (slack) => {
      await postPulseMessageOnce(ctx, pulse.id, { channelId, kind }, async (again) => {
        const posted = await slack.chat.postMessage({
          channel: channelId,
          ...(again ? postedAgain(text) : text),
        });
        return posted.ts;
      });
    });
    if (problem !== undefined && !problems.some((p) => p.channelId === channelId))
      problems.push(problem);
  }
  return { pulse, created, questionCount, recipients: people.length, problems };
}
