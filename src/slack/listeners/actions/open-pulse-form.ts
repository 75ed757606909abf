import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { slackTime } from '../../../domain/time-format.js';
import { openDm } from '../../../jobs/deliver.js';
import { thresholdOf } from '../../../reports/published.js';
import { otherSurveyThisWeek, storedAnswers } from '../../../storage/answers.js';
import { standingInPulse } from '../../../storage/disciplines.js';
import { getPulse } from '../../../storage/pulses.js';
import { pulseQuestions } from '../../../storage/questions.js';
import { getSurvey } from '../../../storage/surveys.js';
import { pulseModal } from '../../../views/pulse-modal.js';
import { answeredElsewhere, notCountedHere } from '../../../views/pulse-standing.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * "Answer the pulse": opens the form at once (a trigger_id lives three seconds),
 * pre-filled with the person's earlier answers. A closed or unknown pulse gets a
 * private note instead.
 */
export function openPulseForm(ctx: AppContext) {
  return async ({ ack, action, body, context, respond }: Args): Promise<void> => {
    await ack();
    const teamId = tenantOf(context);
    const say = async (text: string) => {
      if (respond !== undefined) {
        await respond({ response_type: 'ephemeral', replace_original: false, text });
        return;
      }
      // A click in the App Home has no message to answer under: the note goes by DM.
      const slack = await ctx.slackFor(teamId);
      await slack.chat.postMessage({ channel: await openDm(slack, body.user.id), text });
    };
    const pulseId = Number('value' in action ? action.value : undefined);
    const pulse = Number.isSafeInteger(pulseId) ? await getPulse(ctx.db, pulseId) : undefined;
    const survey = pulse === undefined ? undefined : await getSurvey(ctx.db, pulse.surveyId);
    if (pulse === undefined || survey === undefined || pulse.teamId !== teamId) {
      await say('That pulse no longer exists. The next one will arrive on schedule.');
      return;
    }
    const closedAt =
      pulse.closedAt ?? (pulse.closesAt <= ctx.now().toISOString() ? pulse.closesAt : undefined);
    if (closedAt !== undefined) {
      await say(
        `This pulse closed on ${slackTime(closedAt, survey.timezone)}, so it takes no more answers. The next one will arrive on schedule.`,
      );
      return;
    }
    const userId = body.user.id;
    // Before the form: whether this pulse can count the person at all.
    const elsewhere = await otherSurveyThisWeek(ctx.db, userId, {
      ...pulse,
      timezone: survey.timezone,
    });
    if (elsewhere !== undefined) {
      await say(answeredElsewhere((await getSurvey(ctx.db, elsewhere))?.leadershipChannels[0]));
      return;
    }
    const standing = await standingInPulse(ctx.db, pulse.teamId, userId, pulse);
    if (standing.kind === 'next_pulse') {
      await say(notCountedHere(standing.discipline));
      return;
    }
    const view = pulseModal({
      pulseId: pulse.id,
      questions: await pulseQuestions(ctx.db, pulse.id),
      closesAt: pulse.closesAt,
      timezone: survey.timezone,
      askDiscipline: standing.kind === 'choose',
      threshold: thresholdOf(ctx, survey),
      previous: await storedAnswers(ctx.db, pulse.id, userId),
    });
    try {
      await (await ctx.slackFor(teamId)).views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      const code = slackErrorCode(error);
      ctx.logger.warn('could not open the pulse form', { pulse: pulse.id, error: code });
      await say(
        code === 'expired_trigger_id' || code === 'exchanged_trigger_id'
          ? 'Slack took too long to open the form. Click *Answer the pulse* again.'
          : 'Slack could not open the form just now. Please click *Answer the pulse* again in a moment.',
      );
    }
  };
}
