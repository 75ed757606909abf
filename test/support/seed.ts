import type { AppContext } from '../../src/context.js';
import type { Discipline } from '../../src/domain/dimensions.js';
import { closeAndPublishSync } from '../../src/jobs/publish-pulse.js';
import { saveSubmission } from '../../src/storage/answers.js';
import { createPulse, setRecipients } from '../../src/storage/pulses.js';

export type Person = [userId: string, discipline: Discipline];

/**
 * Stores a pulse of `surveyId` due at `due` (open 72 hours), sent to `invited`,
 * and each given person's answers (question id → 1–5) and comment, as the
 * answer form would: a person's first discipline is the one given here, and a
 * later one must come from an admin's change (the seed fails loudly otherwise).
 * `closed` closes and publishes it as the scheduler would, at its closing time.
 * Returns the pulse's id.
 */
export async function seedPulse(
  ctx: AppContext,
  input: {
    teamId: string;
    surveyId: number;
    due: string;
    invited: string[];
    answers: { person: Person; values: Record<string, number>; comment?: string }[];
    closed?: boolean;
  },
): Promise<number> {
  const due = new Date(input.due);
  const closesAt = new Date(due.getTime() + 72 * 3_600_000);
  const questionIds = Object.keys(input.answers[0]?.values ?? {});
  const { pulse } = await createPulse(ctx.db, {
    surveyId: input.surveyId,
    dueAt: due,
    openedAt: due,
    closesAt,
    questionIds,
  });
  await setRecipients(ctx.db, pulse.id, input.invited);
  for (const { person, values, comment } of input.answers) {
    const counted = await saveSubmission(ctx.db, {
      teamId: input.teamId,
      pulseId: pulse.id,
      userId: person[0],
      chosenDiscipline: person[1],
      values: new Map(Object.entries(values)),
      comment,
      at: new Date(due.getTime() + 3_600_000),
    });
    if (!counted.ok || counted.discipline !== person[1])
      throw new Error(
        `seed: ${person[0]} counts under ${JSON.stringify(counted)}, not ${person[1]}`,
      );
  }
  if (input.closed === true) await closeAndPublishSync(ctx, pulse.id, closesAt);
  return pulse.id;
}
