import type { Dimension, Discipline } from '../domain/dimensions.js';
import type { Counts, PeriodInput, Tally } from '../domain/scoring.js';
import type { Db } from './database.js';

export interface Window {
  period: string;
  start: Date;
  end: Date;
}

const toCounts = (c: readonly number[]): Counts => [
  c[0] ?? 0,
  c[1] ?? 0,
  c[2] ?? 0,
  c[3] ?? 0,
  c[4] ?? 0,
];

/**
 * What the scoring layer needs for each week, and nothing more: per dimension and
 * discipline, how many answers of 1–5 (reversed questions flipped) and how many
 * people; per week, how many answered and how many were asked. Individual
 * answers never leave this function.
 *
 * Fast at a million answers: the week's pulses come from their index, answers
 * are counted per pulse, question, discipline and value straight from the
 * answers table's primary key, and questions are mapped to dimensions here.
 * A group's people are counted as the most who answered any one of its
 * questions in the week: exact when each person answers every question of a
 * pulse (the form requires it), and never more than the real number otherwise,
 * so the anonymity threshold is never met by counting someone twice.
 */
export function weeklyTallies(
  db: Db,
  surveyId: number,
  windows: readonly Window[],
): Map<string, PeriodInput> {
  const periodOf = new Map<number, string>();
  const pulseIds: number[] = [];
  for (const window of windows) {
    const ids = db
      .prepare('SELECT id FROM pulses WHERE survey_id = ? AND due_at >= ? AND due_at < ?')
      .all(surveyId, window.start.toISOString(), window.end.toISOString()) as { id: number }[];
    for (const { id } of ids) {
      periodOf.set(id, window.period);
      pulseIds.push(id);
    }
  }
  const list = JSON.stringify(pulseIds);
  const questions = new Map(
    (
      db.prepare('SELECT id, dimension, reversed FROM questions').all() as {
        id: string;
        dimension: Dimension;
        reversed: number;
      }[]
    ).map((q) => [q.id, q]),
  );
  const counts = db
    .prepare(
      `SELECT pulse_id AS pulseId, question_id AS questionId, discipline, value, count(*) AS n FROM answers
       WHERE pulse_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3, 4`,
    )
    .all(list) as {
    pulseId: number;
    questionId: string;
    discipline: Discipline;
    value: number;
    n: number;
  }[];
  const answeredPer = new Map<string, number>();
  const invitedPer = new Map<string, number>();
  for (const period of new Set(periodOf.values())) {
    const ids = JSON.stringify(pulseIds.filter((id) => periodOf.get(id) === period));
    answeredPer.set(
      period,
      (
        db
          .prepare(
            'SELECT count(DISTINCT user_id) AS n FROM answers WHERE pulse_id IN (SELECT value FROM json_each(?))',
          )
          .get(ids) as { n: number }
      ).n,
    );
    invitedPer.set(
      period,
      (
        db
          .prepare(
            'SELECT count(DISTINCT user_id) AS n FROM pulse_recipients WHERE pulse_id IN (SELECT value FROM json_each(?))',
          )
          .get(ids) as { n: number }
      ).n,
    );
  }
  const totals = windows.map((window) => ({
    period: window.period,
    respondents: answeredPer.get(window.period) ?? 0,
    invited: invitedPer.get(window.period) ?? 0,
  }));

  // Gathered per week, dimension and discipline, then handed out as Tallies.
  const groups = new Map<
    string,
    Map<Dimension, Map<Discipline, { counts: number[]; respondents: number }>>
  >();
  const groupOf = (period: string, dimension: Dimension, discipline: Discipline) => {
    const byDimension = groups.get(period) ?? new Map();
    groups.set(period, byDimension);
    const byDiscipline = byDimension.get(dimension) ?? new Map();
    byDimension.set(dimension, byDiscipline);
    const group = byDiscipline.get(discipline) ?? { counts: [0, 0, 0, 0, 0], respondents: 0 };
    byDiscipline.set(discipline, group);
    return group;
  };
  // People per question, to take the most of them per dimension and discipline.
  const peoplePerQuestion = new Map<string, number>();
  for (const row of counts) {
    const period = periodOf.get(row.pulseId);
    const question = questions.get(row.questionId);
    if (period === undefined || question === undefined) continue;
    const value = question.reversed === 1 ? 6 - row.value : row.value;
    const group = groupOf(period, question.dimension, row.discipline);
    group.counts[value - 1] = (group.counts[value - 1] ?? 0) + row.n;
    const key = `${row.pulseId}|${row.questionId}|${row.discipline}`;
    const people = (peoplePerQuestion.get(key) ?? 0) + row.n;
    peoplePerQuestion.set(key, people);
    group.respondents = Math.max(group.respondents, people);
  }

  const result = new Map<string, PeriodInput>();
  for (const row of totals) {
    const tallies = new Map<Dimension, Map<Discipline, Tally>>();
    for (const [dimension, byDiscipline] of groups.get(row.period) ?? []) {
      tallies.set(
        dimension,
        new Map(
          [...byDiscipline].map(([discipline, g]) => [
            discipline,
            { counts: toCounts(g.counts), respondents: g.respondents },
          ]),
        ),
      );
    }
    result.set(row.period, { tallies, respondents: row.respondents, invited: row.invited });
  }
  return result;
}

/**
 * Up to `limit` anonymous comments from a week's pulses, newest first, only from
 * pulses at least `threshold` people answered. Bodies only: never their authors.
 */
export function weekComments(
  db: Db,
  surveyId: number,
  window: Window,
  threshold: number,
  limit = 3,
): string[] {
  return (
    db
      .prepare(
        `SELECT c.body FROM comments c JOIN pulses p ON p.id = c.pulse_id
         WHERE p.survey_id = ? AND p.due_at >= ? AND p.due_at < ?
           AND (SELECT count(DISTINCT a.user_id) FROM answers a WHERE a.pulse_id = p.id) >= ?
         ORDER BY c.updated_at DESC LIMIT ?`,
      )
      .all(surveyId, window.start.toISOString(), window.end.toISOString(), threshold, limit) as {
      body: string;
    }[]
  ).map((row) => row.body);
}

/** Claims the digest of a survey, week and channel; false when it was posted already. */
export function claimDigest(db: Db, surveyId: number, period: string, channelId: string): boolean {
  db.prepare(
    'INSERT INTO digests (survey_id, period, channel_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(surveyId, period, channelId);
  const row = db
    .prepare('SELECT ts FROM digests WHERE survey_id = ? AND period = ? AND channel_id = ?')
    .get(surveyId, period, channelId) as { ts: string | null };
  return row.ts === null;
}

export function recordDigest(
  db: Db,
  surveyId: number,
  period: string,
  channelId: string,
  ts: string,
): void {
  db.prepare('UPDATE digests SET ts = ? WHERE survey_id = ? AND period = ? AND channel_id = ?').run(
    ts,
    surveyId,
    period,
    channelId,
  );
}
