import { CATALOGUE, type Question } from '../domain/catalogue.js';
import type { Dimension } from '../domain/dimensions.js';
import { prepared } from './prepared.js';
import type { Store } from './store.js';

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

/** How many questions go in one multi-row insert. */
const CHUNK = 500;

/**
 * Loads the built-in catalogue: new questions are added, changed wording is
 * updated in place (same id, same history), questions no longer in the code are
 * retired from rotation while their answers keep counting. Safe to run at every
 * start, and by several instances starting at once: an unchanged question is
 * not written, and a question another instance just added is updated, not added twice.
 */
export async function syncCatalogue(db: Store, catalogue: readonly Question[]): Promise<void> {
  const rows = [...new Map(catalogue.map((q) => [q.id, q])).values()].map((q) => ({
    id: q.id,
    dimension: q.dimension,
    text: q.text,
    reversed: q.reversed ? 1 : 0,
  }));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto('questions')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              text: eb.ref('excluded.text'),
              reversed: eb.ref('excluded.reversed'),
              dimension: eb.ref('excluded.dimension'),
              retired_at: null,
            }))
            .where((eb) =>
              eb.or([
                eb('questions.text', '<>', eb.ref('excluded.text')),
                eb('questions.reversed', '<>', eb.ref('excluded.reversed')),
                eb('questions.dimension', '<>', eb.ref('excluded.dimension')),
                eb('questions.retired_at', 'is not', null),
              ]),
            ),
        )
        .execute();
    let retire = trx
      .updateTable('questions')
      // The wall clock, as for the column's default.
      .set({ retired_at: new Date().toISOString() })
      .where('survey_id', 'is', null)
      .where('retired_at', 'is', null);
    if (rows.length > 0)
      retire = retire.where(
        'id',
        'not in',
        rows.map((q) => q.id),
      );
    await retire.execute();
  });
}

/** Where each built-in question stands in the code's catalogue. */
const CATALOGUE_POSITION = new Map(CATALOGUE.map((q, position) => [q.id, position]));

/**
 * The questions a survey's pulses draw from: the active built-ins in the
 * catalogue's order (one the catalogue lacks after them, by id), then its own
 * in the order they were added (`custom.<survey>.<n>`: by n).
 */
export async function activeQuestions(db: Store, surveyId: number): Promise<Question[]> {
  const rows = await db
    .selectFrom('questions')
    .select(['id', 'dimension', 'text', 'reversed', 'survey_id as surveyId'])
    .where('retired_at', 'is', null)
    .where((eb) => eb.or([eb('survey_id', 'is', null), eb('survey_id', '=', surveyId)]))
    .execute();
  const rank = (row: (typeof rows)[number]) =>
    row.surveyId === null
      ? (CATALOGUE_POSITION.get(row.id) ?? CATALOGUE.length)
      : CATALOGUE.length + 1;
  const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .sort((a, b) => rank(a) - rank(b) || byId(a.id, b.id))
    .map((row) => toQuestion(row as QuestionRow));
}

/** The questions a pulse asked, in the order it asked them. */
export async function pulseQuestions(db: Store, pulseId: number): Promise<Question[]> {
  const { rows } = await questionsOfPulse(db, pulseId);
  return rows.map((row) => toQuestion(row as QuestionRow));
}

const questionsOfPulse = prepared((db, pulseId: number) =>
  db
    .selectFrom('pulse_questions as pq')
    .innerJoin('questions as q', 'q.id', 'pq.question_id')
    .select(['q.id', 'q.dimension', 'q.text', 'q.reversed'])
    .where('pq.pulse_id', '=', pulseId)
    .orderBy('pq.position'),
);
