import type { AppContext } from '../context.js';
import { respondentCount } from '../storage/answers.js';
import { publishedHeadcount } from '../storage/publication.js';
import { getPulse, type Pulse, type PulseMessageKind, pulseMessages } from '../storage/pulses.js';
import { pulseQuestions } from '../storage/questions.js';
import { getSurvey } from '../storage/surveys.js';
import { pulseMessage } from '../views/pulse-message.js';
import { type DeliveryProblem, deliver } from './deliver.js';

/**
 * Rewrites the pulse's posted messages with the current count of answers (never
 * who), or as closed. Answers arriving update the channel messages; closing
 * updates the DMs too.
 */
export async function refreshPulseMessages(
  ctx: AppContext,
  pulse: Pulse,
  kinds: readonly PulseMessageKind[],
): Promise<DeliveryProblem[]> {
  const survey = getSurvey(ctx.db, pulse.surveyId);
  if (survey === undefined) return [];
  const problems: DeliveryProblem[] = [];
  // A closed pulse says how many answered as published: a later forget-me
  // never changes a number the bot already showed.
  const published = pulse.closedAt === null ? undefined : publishedHeadcount(ctx.db, pulse.id);
  const message = pulseMessage({
    pulseId: pulse.id,
    dueAt: pulse.dueAt,
    questionCount: pulseQuestions(ctx.db, pulse.id).length,
    closesAt: pulse.closesAt,
    timezone: survey.timezone,
    answered: published?.respondents ?? respondentCount(ctx.db, pulse.id),
    closedAt: pulse.closedAt ?? undefined,
    threshold: published?.threshold,
  });
  for (const posted of pulseMessages(ctx.db, pulse.id)) {
    if (!kinds.includes(posted.kind) || posted.ts === null || posted.ts === '') continue;
    const ts = posted.ts;
    const problem = await deliver(
      ctx,
      {
        teamId: pulse.teamId,
        surveyId: survey.id,
        channelId: posted.channelId,
        action: 'update the pulse message',
      },
      async (slack) => {
        await slack.chat.update({ channel: posted.channelId, ts, ...message });
      },
    );
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** At most one count update per pulse in this many milliseconds (chat.update is rate limited). */
export const COUNT_UPDATE_INTERVAL_MS = 3_000;

const countUpdates = new WeakMap<AppContext, Map<number, { last: number; pending: boolean }>>();

/**
 * After an answer: the channel message's count, updated at once when it has not
 * been for a few seconds, else once at the end of the interval for every
 * answer that came in meanwhile. A busy Monday morning then costs Slack one
 * chat.update every three seconds per pulse, not one per answer.
 */
export async function refreshAnswerCount(ctx: AppContext, pulse: Pulse): Promise<void> {
  const updates = countUpdates.get(ctx) ?? new Map<number, { last: number; pending: boolean }>();
  countUpdates.set(ctx, updates);
  const entry = updates.get(pulse.id) ?? { last: 0, pending: false };
  updates.set(pulse.id, entry);
  // Wall-clock time on purpose: this paces calls to Slack, whatever the app's clock says.
  const elapsed = Date.now() - entry.last;
  if (entry.pending) return;
  if (elapsed >= COUNT_UPDATE_INTERVAL_MS) {
    entry.last = Date.now();
    await refreshPulseMessages(ctx, pulse, ['channel']);
    return;
  }
  entry.pending = true;
  const timer = setTimeout(() => {
    entry.pending = false;
    entry.last = Date.now();
    const current = ctx.db.open ? getPulse(ctx.db, pulse.id) : undefined;
    if (current === undefined || current.closedAt !== null) return;
    refreshPulseMessages(ctx, current, ['channel']).catch((error: unknown) =>
      ctx.logger.warn('could not update the answer count', {
        pulse: pulse.id,
        error: String(error),
      }),
    );
  }, COUNT_UPDATE_INTERVAL_MS - elapsed);
  timer.unref();
}
