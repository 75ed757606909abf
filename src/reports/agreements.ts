import type { AppContext } from '../context.js';
import { type FollowUp, followUp } from '../domain/agreements.js';
import { scorePublished } from '../domain/publication.js';
import type { WeekShock } from '../domain/statistics.js';
import { type Agreement, frozenFollowUp, openAgreements } from '../storage/agreements.js';
import {
  callAnswers,
  type PendingPulse,
  publishedAround,
  publishedPulses,
} from '../storage/publication.js';
import type { Store } from '../storage/store.js';
import type { Survey } from '../storage/surveys.js';

/** How many closed weeks before an agreement its "before" figures cover. */
export const WEEKS_BEFORE = 4;

/**
 * What an output says happened to an agreement's dimension and gap since it
 * was recorded, as of `asOf`: what the latest week closed by then froze for it.
 * Before any week has closed since, the published figures of the 4 closed
 * weeks up to it, and too early to tell.
 */
export async function followUpOf(
  ctx: AppContext,
  survey: Survey,
  agreement: Agreement,
  asOf: Date = ctx.now(),
): Promise<FollowUp> {
  return (
    (await frozenFollowUp(ctx.db, agreement, asOf)) ??
    (await workOutFollowUp(ctx.db, survey, agreement, asOf, { tests: false }))
  );
}

/**
 * Works out what happened to an agreement's dimension and gap since it was
 * recorded, as of `asOf`: published figures of the 4 closed weeks up to it and
 * of every closed week since, and the tests on the answers of groups large
 * enough to publish (domain/agreements.ts). The tests read individual answers,
 * so this runs only while a week's publication is worked out, with the pulse
 * being published (`pending`) among the published ones, and the result is
 * frozen with it (`followUpsOf`); `tests: false` reads none.
 */
async function workOutFollowUp(
  db: Store,
  survey: Survey,
  agreement: Agreement,
  asOf: Date,
  {
    tests,
    shock,
    pending,
  }: { tests: boolean; shock?: WeekShock | undefined; pending?: PendingPulse },
): Promise<FollowUp> {
  const { before, after } = await publishedAround(
    db,
    survey.id,
    new Date(agreement.recordedAt),
    asOf,
    WEEKS_BEFORE,
    pending,
  );
  const of = async (periods: readonly string[]) => {
    const pulses = await publishedPulses(db, survey.id, periods, asOf, pending);
    const scored = scorePublished(pulses).dimensions.find(
      (d) => d.dimension === agreement.dimension,
    );
    const hidden =
      scored === undefined
        ? 'it was not asked'
        : scored.gap.visible
          ? undefined
          : scored.gap.reason;
    return {
      score: scored?.overall.visible === true ? scored.overall.score : undefined,
      gap: scored?.gap.visible === true ? scored.gap.points : undefined,
      hidden: periods.length === 0 ? undefined : hidden,
    };
  };
  const then = await of(before);
  const now = await of(after);
  // The rule that hid a window's gap, and which window: said in place of the numbers.
  const gapHidden =
    then.hidden !== undefined
      ? `${then.hidden} in the weeks before it`
      : now.hidden !== undefined
        ? `${now.hidden} in the weeks since`
        : undefined;
  // Each week by its place from the latest (0): the weeks after the agreement
  // come first. The week lets the score test allow for shocks that moved everyone.
  const periods = [...before, ...after];
  const weeksAgo = new Map(periods.map((p, i): [string, number] => [p, periods.length - 1 - i]));
  const answers = tests
    ? (await callAnswers(db, survey.id, weeksAgo, pending))
        .filter((a) => a.dimension === agreement.dimension)
        .map((a) => ({ ...a, week: a.weeksAgo, after: a.weeksAgo < after.length }))
    : [];
  return followUp({
    since: agreement.recordedAt,
    weeksBefore: before.length,
    weeksAfter: after.length,
    answers,
    shock,
    cells: {
      score: { from: then.score, to: now.score },
      gap: { from: then.gap, to: now.gap, hidden: gapHidden },
    },
  });
}

/**
 * What the pulse being published (`pending`) says of each open agreement of
 * its survey recorded by `at`, to be frozen with it. Worked out with the size
 * of the week-wide shocks its calls measured on the last 16 weeks (`weekShocks`).
 */
export async function followUpsOf(
  db: Store,
  survey: Survey,
  pending: PendingPulse,
  at: Date,
  shock?: WeekShock | undefined,
): Promise<{ agreementId: number; followUp: FollowUp }[]> {
  const followUps: { agreementId: number; followUp: FollowUp }[] = [];
  for (const agreement of await agreementsToFollow(db, survey.id, at))
    followUps.push({
      agreementId: agreement.id,
      followUp: await workOutFollowUp(db, survey, agreement, at, { tests: true, shock, pending }),
    });
  return followUps;
}

/** The open agreements of a survey that a week published at `at` follows up: those recorded by then. */
export const agreementsToFollow = async (
  db: Store,
  surveyId: number,
  at: Date,
): Promise<Agreement[]> =>
  (await openAgreements(db, surveyId)).filter((a) => new Date(a.recordedAt) <= at);
