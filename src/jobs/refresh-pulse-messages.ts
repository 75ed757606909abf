import type { AppContext } from '../context.js';
import { respondentCount } from '../storage/answers.js';
import { publishedHeadcount } from '../storage/publication.js';
import {
  claimCountUpdate,
  getPulse,
  type Pulse,
  type PulseMessageKind,
  pulseMessages,
} from '../storage/pulses.js';
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
  const survey = await getSurvey(ctx.db, pulse.surveyId);
  if (survey === undefined) return [];
  const problems: DeliveryProblem[] = [];
  // A closed pulse says how many answered as published: a later forget-me
  // never changes a number the bot already showed.
  const published =
    pulse.closedAt === null ? undefined : await publishedHeadcount(ctx.db, pulse.id);
  const message = pulseMessage({
    pulseId: pulse.id,
    dueAt: pulse.dueAt,
    questionCount: (await pulseQuestions(ctx.db, pulse.id)).length,
    closesAt: pulse.closesAt,
    timezone: survey.timezone,
    answered: published?.respondents ?? (await respondentCount(ctx.db, pulse.id)),
    closedAt: pulse.closedAt ?? undefined,
    threshold: published?.threshold,
  });
  for (const posted of await pulseMessages(ctx.db, pulse.id)) {
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

interface CountUpdates {
  /** When this instance last rewrote the count (wall clock, ms). */
  last: number;
  /** A rewrite is waiting for its turn; `since` is the newest answer it must show. */
  pending: { since: number } | undefined;
}

const countUpdates = new WeakMap<AppContext, Map<number, CountUpdates>>();

/**
 * After an answer: the channel message's count, updated at once when it has not
 * been for a few seconds, else once at the end of the interval for every
 * answer that came in meanwhile. A busy Monday morning then costs Slack one
 * chat.update every three seconds per pulse, not one per answer — across all
 * the app's instances together: the turn is claimed in the database
 * (claimCountUpdate), after this instance's own pacing says it may be its turn,
 * so most answers cost no extra write. A rewrite that loses its turn to another
 * instance which claimed after the answer was stored is not needed (that one
 * counts it); otherwise it waits for the next turn.
 */
export async function refreshAnswerCount(ctx: AppContext, pulse: Pulse): Promise<void> {
  const updates = countUpdates.get(ctx) ?? new Map<number, CountUpdates>();
  countUpdates.set(ctx, updates);
  const entry = updates.get(pulse.id) ?? { last: 0, pending: undefined };
  updates.set(pulse.id, entry);
  // Wall-clock time on purpose: this paces calls to Slack, whatever the app's clock says.
  const answeredAt = Date.now();
  if (entry.pending !== undefined) {
    // The waiting rewrite must show this answer too.
    entry.pending.since = Math.max(entry.pending.since, answeredAt);
    return;
  }
  if (answeredAt - entry.last >= COUNT_UPDATE_INTERVAL_MS) {
    const turn = await claimCountUpdate(ctx.db, pulse.id, COUNT_UPDATE_INTERVAL_MS);
    if (turn.claimed) {
      entry.last = turn.at;
      await refreshPulseMessages(ctx, pulse, ['channel']);
      return;
    }
    if (!Number.isFinite(turn.lastAt)) return;
    entry.last = Math.max(entry.last, turn.lastAt);
  }
  entry.pending = { since: answeredAt };
  waitForTurn(ctx, pulse.id, entry);
}

/** Rewrites the count at the end of the interval, when it is still this instance's to do. */
function waitForTurn(ctx: AppContext, pulseId: number, entry: CountUpdates): void {
  const wait = Math.max(1, entry.last + COUNT_UPDATE_INTERVAL_MS - Date.now());
  const timer = setTimeout(() => {
    const rewrite = async () => {
      const turn = await claimCountUpdate(ctx.db, pulseId, COUNT_UPDATE_INTERVAL_MS);
      // Read after the claim: answers that came in while it was made count too.
      const since = entry.pending?.since ?? 0;
      if (!turn.claimed) {
        // Another instance claimed after the newest answer here was stored: it shows it.
        if (!Number.isFinite(turn.lastAt) || turn.lastAt >= since) {
          entry.pending = undefined;
          entry.last = Number.isFinite(turn.lastAt) ? turn.lastAt : Date.now();
          return;
        }
        entry.last = turn.lastAt;
        waitForTurn(ctx, pulseId, entry);
        return;
      }
      entry.pending = undefined;
      entry.last = turn.at;
      const current = await getPulse(ctx.db, pulseId);
      if (current === undefined || current.closedAt !== null) return;
      await refreshPulseMessages(ctx, current, ['channel']);
    };
    rewrite().catch((error: unknown) => {
      entry.pending = undefined;
      // The app closed its database meanwhile (it is stopping): nothing to update.
      if (error instanceof Error && error.message === 'driver has already been destroyed') return;
      ctx.logger.warn('could not update the answer count', {
        pulse: pulseId,
        error: String(error),
      });
    });
  }, wait);
  timer.unref();
}
