import type { AppContext } from '../../src/context.js';
import type { Discipline } from '../../src/domain/dimensions.js';
import { saveSubmission } from '../../src/storage/answers.js';
import { createPulse, setRecipients } from '../../src/storage/pulses.js';

export type Person = [userId: string, discipline: Discipline];

/**
 * Stores a pulse of `surveyId` due at `due` (open 72 hours), sent to `invited`,
 * and each given person's answers (question id → 1–5) and comment, as the
 * answer form would. Returns the pulse's id.
 */
export function seedPulse(
  ctx: AppContext,
  input: {
    teamId: string;
    surveyId: number;
    due: string;
    invited: string[];
    answers: { person: Person; values: Record<string, number>; comment?: string }[];
    closed?: boolean;
  },
): number {
  const due = new Date(input.due);
  const questionIds = Object.keys(input.answers[0]?.values ?? {});
  const { pulse } = createPulse(ctx.db, {
    surveyId: input.surveyId,
    dueAt: due,
    openedAt: due,
    closesAt: new Date(due.getTime() + 72 * 3_600_000),
    questionIds,
  });
  setRecipients(ctx.db, pulse.id, input.invited);
  for (const { person, values, comment } of input.answers) {
    saveSubmission(ctx.db, {
      teamId: input.teamId,
      pulseId: pulse.id,
      userId: person[0],
      discipline: person[1],
      values: new Map(Object.entries(values)),
      comment,
      at: new Date(due.getTime() + 3_600_000),
    });
  }
  if (input.closed === true) {
    ctx.db.prepare('UPDATE pulses SET closed_at = closes_at WHERE id = ?').run(pulse.id);
  }
  return pulse.id;
}
