import type { AppContext } from '../../../context.js';
import { findSurveyByChannel, getSurvey } from '../../../storage/surveys.js';
import { setupModal } from '../../../views/setup-modal.js';
import { personInfo } from '../../admins.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';
import { type CommandHandler, reply } from './command-handler.js';

/** Opens the setup form for a survey (or a new one for `channelId`), with the current settings. */
export async function openSetup(
  ctx: AppContext,
  p: {
    teamId: string;
    triggerId: string;
    userId: string;
    channelId: string;
    surveyId?: number | undefined;
  },
): Promise<string | undefined> {
  const survey =
    p.surveyId === undefined
      ? await findSurveyByChannel(ctx.db, p.teamId, p.channelId)
      : await getSurvey(ctx.db, p.surveyId);
  const admin = await personInfo(ctx, p.teamId, p.userId);
  const view = setupModal({
    survey,
    channelId: survey?.leadershipChannels[0] ?? p.channelId,
    timezone: admin.timezone ?? ctx.config.defaultTimezone,
    defaultThreshold: ctx.config.anonymityThreshold,
    now: ctx.now(),
  });
  try {
    await (await ctx.slackFor(p.teamId)).views.open({ trigger_id: p.triggerId, view });
    return undefined;
  } catch (error) {
    const code = slackErrorCode(error);
    ctx.logger.warn('could not open the setup form', { error: code });
    return code === 'expired_trigger_id'
      ? 'Slack took too long to open the form. Please try again.'
      : 'Slack could not open the form just now. Please try again in a moment.';
  }
}

/** `/alignment setup` (admins): the setup form for the survey of this channel. */
export const setup: CommandHandler<{ name: 'setup' }> = async (
  ctx,
  { command, context, respond },
) => {
  const problem = await openSetup(ctx, {
    teamId: tenantOf(context),
    triggerId: command.trigger_id,
    userId: command.user_id,
    channelId: command.channel_id,
  });
  if (problem !== undefined) await reply(respond, problem);
};
