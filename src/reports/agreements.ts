import type { AppContext } from '../context.js';
import { type FollowUp, followUp } from '../domain/agreements.js';
import { scorePublished } from '../domain/publication.js';
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
  { tests }: { tests: boolean },
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
  // weeksAgo here only marks the side: 1 before the agreement, 0 after it.
  const marks = new Map([
    ...before.map((p): [string, number] => [p, 1]),
    ...after.map((p): [string, number] => [p, 0]),
  ]);
  const answers = tests
    ? callAnswers(ctx.db, survey.id, marks)
        .filter((a) => a.dimension === agreement.dimension)
        .map((a) => ({ ...a, after: a.weeksAgo === 0 }))
    : [];
  return followUp({
    since: agreement.recordedAt,
    weeksBefore: before.length,
    weeksAfter: after.length,
    answers,
    cells: {
      score: { from: then.score, to: now.score },
      gap: { from: then.gap, to: now.gap, hidden: gapHidden },
    },
  });
}

/**
 * Freezes, with the pulse just published, what it says of each open agreement
 * of its survey. Called inside the publishing transaction.
 */
export function freezeFollowUps(ctx: AppContext, survey: Survey, pulseId: number, at: Date): void {
  for (const agreement of openAgreements(ctx.db, survey.id)) {
    if (new Date(agreement.recordedAt) > at) continue;
    storeFollowUp(
      ctx.db,
      agreement.id,
      pulseId,
      workOutFollowUp(ctx, survey, agreement, at, { tests: true }),
    );
  }
}
