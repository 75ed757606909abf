import type { Question } from './catalogue.js';
import { DIMENSIONS, type Dimension, REQUIRED_DIMENSIONS } from './dimensions.js';

export const DEFAULT_QUESTIONS_PER_PULSE = 5;

/**
 * Chooses the questions of the next pulse from the survey's active questions and
 * the questions its earlier pulses asked (oldest pulse first). Deterministic:
 * the same history gives the same pulse.
 *
 * - A required dimension (okrs, roadmap, tech_debt) missing from the last pulse is
 *   asked now, so each comes at least every other pulse (when the pulse has room
 *   for three questions: with fewer, the most overdue go first).
 * - The remaining places go to the dimensions asked longest ago, so every
 *   dimension comes round within a few pulses.
 * - Within a dimension, the question asked longest ago (or never) is chosen, so
 *   the same question is not asked twice in a row when another exists.
 * - Asking for more questions than there are dimensions takes a second question
 *   from the dimensions, in the same order.
 */
export function chooseQuestions(
  questions: readonly Question[],
  history: readonly (readonly string[])[],
  count: number,
): Question[] {
  const dimensionOf = new Map(questions.map((q) => [q.id, q.dimension]));
  // How many pulses ago each question and each dimension was last asked (1 = the last pulse).
  const questionAgo = new Map<string, number>();
  const dimensionAgo = new Map<Dimension, number>();
  history.forEach((ids, index) => {
    const ago = history.length - index;
    for (const id of ids) {
      questionAgo.set(id, ago);
      const dimension = dimensionOf.get(id);
      if (dimension !== undefined) dimensionAgo.set(dimension, ago);
    }
  });
  const agoOf = (d: Dimension) => dimensionAgo.get(d) ?? Number.POSITIVE_INFINITY;
  const byStaleness = (a: Dimension, b: Dimension) =>
    agoOf(b) - agoOf(a) || DIMENSIONS.indexOf(a) - DIMENSIONS.indexOf(b);

  // Each dimension's questions, the one asked longest ago first.
  const pools = new Map<Dimension, Question[]>();
  for (const question of questions) {
    pools.set(question.dimension, [...(pools.get(question.dimension) ?? []), question]);
  }
  for (const [dimension, pool] of pools) {
    const ago = (q: Question) => questionAgo.get(q.id) ?? Number.POSITIVE_INFINITY;
    pools.set(
      dimension,
      [...pool].sort((a, b) => ago(b) - ago(a) || pool.indexOf(a) - pool.indexOf(b)),
    );
  }

  const available = DIMENSIONS.filter((d) => pools.has(d));
  const overdue = REQUIRED_DIMENSIONS.filter((d) => pools.has(d) && agoOf(d) > 1).sort(byStaleness);
  const others = available.filter((d) => !overdue.includes(d)).sort(byStaleness);
  const order = [...overdue, ...others];

  const chosen: Question[] = [];
  for (let round = 0; chosen.length < count; round++) {
    const before = chosen.length;
    for (const dimension of order) {
      const question = pools.get(dimension)?.[round];
      if (question !== undefined && chosen.length < count) chosen.push(question);
    }
    if (chosen.length === before) break;
  }
  // Shown in the catalogue's order of dimensions, which reads the same every week.
  return chosen.sort((a, b) => DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension));
}
