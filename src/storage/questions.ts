import type { Question } from '../domain/catalogue.js';
import type { Dimension } from '../domain/dimensions.js';
import type { Db } from './database.js';

interface QuestionRow {
  id: string;
  dimension: Dimension;
  text: string;
  reversed: number;
}

const toQuestion = (row: QuestionRow): Question => ({
  id: row.id,
  dimension: row.dimension,
  text: row.text,
  reversed: row.reversed === 1,
});

/**
 * Loads the built-in catalogue: new questions are added, changed wording is
 * updated in place (same id, same history), questions no longer in the code are
 * retired from rotation while their answers keep counting. Safe to run at every start.
 */
export function syncCatalogue(db: Db, catalogue: readonly Question[]): void {
  const upsert = db.prepare(
    `INSERT INTO questions (id, dimension, text, reversed) VALUES (@id, @dimension, @text, @reversed)
     ON CONFLICT (id) DO UPDATE SET text = excluded.text, reversed = excluded.reversed,
       dimension = excluded.dimension, retired_at = NULL
     WHERE text IS NOT excluded.text OR reversed IS NOT excluded.reversed
       OR dimension IS NOT excluded.dimension OR retired_at IS NOT NULL`,
  );
  const ids = JSON.stringify(catalogue.map((q) => q.id));
  db.transaction(() => {
    for (const q of catalogue) upsert.run({ ...q, reversed: q.reversed ? 1 : 0 });
    db.prepare(
      `UPDATE questions SET retired_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE survey_id IS NULL AND retired_at IS NULL AND id NOT IN (SELECT value FROM json_each(?))`,
    ).run(ids);
  })();
}

/** The questions a survey's pulses draw from: the active built-ins, then its own. */
export function activeQuestions(db: Db, surveyId: number): Question[] {
  return (
    db
      .prepare(
        `SELECT id, dimension, text, reversed FROM questions
         WHERE retired_at IS NULL AND (survey_id IS NULL OR survey_id = ?)
         ORDER BY survey_id IS NOT NULL, rowid`,
      )
      .all(surveyId) as QuestionRow[]
  ).map(toQuestion);
}

/** The questions a pulse asked, in the order it asked them. */
export function pulseQuestions(db: Db, pulseId: number): Question[] {
  return (
    db
      .prepare(
        `SELECT q.id, q.dimension, q.text, q.reversed FROM pulse_questions pq
         JOIN questions q ON q.id = pq.question_id
         WHERE pq.pulse_id = ? ORDER BY pq.position`,
      )
      .all(pulseId) as QuestionRow[]
  ).map(toQuestion);
}
