import type { AppContext } from '../context.js';
import { type FollowUp, followUp } from '../domain/agreements.js';
import { scorePublished } from '../domain/publication.js';
import type { WeekShock } from '../domain/statistics.js';
import {
  type Agreement,
  frozenFollowUp,
  openAgreements,
  storeFollowUp,
} from '../storage/agreements.js';
import { callAnswers, publishedAround, publishedPulses } from '../storage/publication.js';
import type { Survey } from '../storage/surveys.js';

/** How many closed weeks before an agreement its "before" figures cover. */
export const WEEKS_BEFORE = 4;

/**
 * What an output says happened to an agreement's dimension and gap since it
 * was recorded, as of `asOf`: what the latest week closed by then froze for it.
 * Before any week has closed since, the published figures of the 4 closed
 * weeks up to it, and too early to tell.
 */
export function followUpOf(
  ctx: AppContext,
  survey: Survey,
  agreement: Agreement,
  asOf: Date = ctx.now(),
): FollowUp {
  return (
    frozenFollowUp(ctx.db, agreement, asOf) ??
    workOutFollowUp(ctx, survey, agreement, asOf, { tests: false })
  );
}

/**
 * Works out what happened to an agreement's dimension and gap since it was
 * recorded, as of `asOf`: published figures of the 4 closed weeks up to it and
 * of every closed week since, and the tests on the answers of groups large
 * enough to publish (domain/agreements.ts). The tests read individual answers,
 * so this runs only inside the transaction that publishes a week, which
 * freezes the result (`freezeFollowUps`); `tests: false` reads none.
 */
function workOutFollowUp(
  ctx: AppContext,
  survey: Survey,
  agreement: Agreement,
  asOf: Date,
  { tests, shock }: { tests: boolean; shock?: WeekShock | undefined },
): FollowUp {
  const { before, after } = publishedAround(
    ctx.db,
    survey.id,
    new Date(agreement.recordedAt),
    asOf,
    WEEKS_BEFORE,
  );
  const of = (periods: readonly string[]) => {
    const pulses = publishedPulses(ctx.db, survey.id, periods, asOf);
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
  const then = of(before);
  const now = of(after);
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
    ? callAnswers(ctx.db, survey.id, weeksAgo)
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
 * Freezes, with the pulse just published, what it says of each open agreement
 * of its survey. Called inside the publishing transaction, with the size of the
 * week-wide shocks its calls measured on the last 16 weeks (`weekShocks`).
 */
export function freezeFollowUps(
  ctx: AppContext,
  survey: Survey,
  pulseId: number,
  at: Date,
  shock?: WeekShock | undefined,
): void {
  for (const agreement of openAgreements(ctx.db, survey.id)) {
    if (new Date(agreement.recordedAt) > at) continue;
    storeFollowUp(
      ctx.db,
      agreement.id,
      pulseId,
      workOutFollowUp(ctx, survey, agreement, at, { tests: true, shock }),
    );
  }
}
