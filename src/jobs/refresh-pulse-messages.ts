import type { AppContext } from '../context.js';
import { respondentCount } from '../storage/answers.js';
import { type Pulse, type PulseMessageKind, pulseMessages } from '../storage/pulses.js';
import { pulseQuestions } from '../storage/questions.js';
import { getSurvey } from '../storage/surveys.js';
import { pulseMessage } from '../views/pulse-message.js';
import { deliver } from './deliver.js';

/**
 * Rewrites the pulse's posted messages with the current count of answers (never
 * who), or as closed. Answers arriving update the channel messages; closing
 * updates the DMs too.
 */
export async function refreshPulseMessages(
  ctx: AppContext,
  pulse: Pulse,
  kinds: readonly PulseMessageKind[],
): Promise<void> {
  const survey = getSurvey(ctx.db, pulse.surveyId);
  if (survey === undefined) return;
  const message = pulseMessage({
    pulseId: pulse.id,
    questionCount: pulseQuestions(ctx.db, pulse.id).length,
    closesAt: pulse.closesAt,
    timezone: survey.timezone,
    answered: respondentCount(ctx.db, pulse.id),
    closedAt: pulse.closedAt ?? undefined,
  });
  for (const posted of pulseMessages(ctx.db, pulse.id)) {
    if (!kinds.includes(posted.kind) || posted.ts === null || posted.ts === '') continue;
    const ts = posted.ts;
    await deliver(
      ctx,
      {
        teamId: pulse.teamId,
        surveyId: survey.id,
        channelId: posted.channelId,
        action: 'update the pulse message',
      },
      async () => {
        await ctx.slack.chat.update({ channel: posted.channelId, ts, ...message });
      },
    );
  }
}
