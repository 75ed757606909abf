import type { AppContext } from '../context.js';
import {
  findPulseMessage,
  getPulse,
  markReminded,
  nonRespondents,
  type Pulse,
} from '../storage/pulses.js';
import { pulseQuestions } from '../storage/questions.js';
import { getSurvey } from '../storage/surveys.js';
import { reminderMessage } from '../views/pulse-message.js';
import { type DeliveryProblem, sendPulseDm, throwIfRefused } from './deliver.js';

/**
 * Sends one reminder DM to each person the pulse went to who has not answered,
 * never to those who have. Idempotent: nobody is reminded twice for a pulse,
 * and a closed pulse reminds nobody. Returns how many were reminded now.
 */
export async function remindPulse(ctx: AppContext, pulse: Pulse): Promise<number> {
  const current = await getPulse(ctx.db, pulse.id);
  const survey = await getSurvey(ctx.db, pulse.surveyId);
  if (current === undefined || survey === undefined) return 0;
  if (current.closedAt !== null || current.closesAt <= ctx.now().toISOString()) return 0;
  const message = reminderMessage({
    dueAt: pulse.dueAt,
    pulseId: current.id,
    closesAt: current.closesAt,
    timezone: survey.timezone,
    questionCount: (await pulseQuestions(ctx.db, current.id)).length,
  });
  let reminded = 0;
  const problems: DeliveryProblem[] = [];
  for (const userId of await nonRespondents(ctx.db, current.id)) {
    const alreadyReminded =
      (await findPulseMessage(ctx.db, current.id, 'reminder', { userId })) !== undefined;
    const problem = await sendPulseDm(ctx, current, userId, 'reminder', message);
    if (problem !== undefined) problems.push(problem);
    else if (!alreadyReminded) reminded++;
  }
  await markReminded(ctx.db, current.id, ctx.now());
  ctx.logger.info('pulse reminders sent', { pulse: current.id, reminded, failed: problems.length });
  // The scheduler retries the run; the retry reminds only those still missing one.
  throwIfRefused(problems);
  return reminded;
}
