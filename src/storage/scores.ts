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

const windowsJson = (windows: readonly Window[]) =>
  JSON.stringify(windows.map((w) => [w.period, w.start.toISOString(), w.end.toISOString()]));

const WEEKS = `WITH weeks (period, start, finish) AS (
  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)
)`;

/**
 * What the scoring layer needs for each week, and nothing more: per dimension and
 * discipline, how many answers of 1–5 (reversed questions flipped) and how many
 * people; per week, how many answered and how many were asked. Individual
 * answers never leave this function.
 */
export function weeklyTallies(
  db: Db,
  surveyId: number,
  windows: readonly Window[],
): Map<string, PeriodInput> {
  const weeks = windowsJson(windows);
  const counts = db
    .prepare(
      `${WEEKS}
       SELECT w.period, q.dimension, a.discipline,
              CASE WHEN q.reversed = 1 THEN 6 - a.value ELSE a.value END AS value, count(*) AS n
       FROM weeks w
       JOIN pulses p ON p.survey_id = ? AND p.due_at >= w.start AND p.due_at < w.finish
       JOIN answers a ON a.pulse_id = p.id
       JOIN questions q ON q.id = a.question_id
       GROUP BY w.period, q.dimension, a.discipline, 4`,
    )
    .all(weeks, surveyId) as {
    period: string;
    dimension: Dimension;
    discipline: Discipline;
    value: number;
    n: number;
  }[];
  const people = db
    .prepare(
      `${WEEKS}
       SELECT w.period, q.dimension, a.discipline, count(DISTINCT a.user_id) AS n
       FROM weeks w
       JOIN pulses p ON p.survey_id = ? AND p.due_at >= w.start AND p.due_at < w.finish
       JOIN answers a ON a.pulse_id = p.id
       JOIN questions q ON q.id = a.question_id
       GROUP BY w.period, q.dimension, a.discipline`,
    )
    .all(weeks, surveyId) as {
    period: string;
    dimension: Dimension;
    discipline: Discipline;
    n: number;
  }[];
  const totals = db
    .prepare(
      `${WEEKS}
       SELECT w.period,
         (SELECT count(DISTINCT a.user_id) FROM pulses p JOIN answers a ON a.pulse_id = p.id
          WHERE p.survey_id = ? AND p.due_at >= w.start AND p.due_at < w.finish) AS respondents,
         (SELECT count(DISTINCT r.user_id) FROM pulses p JOIN pulse_recipients r ON r.pulse_id = p.id
          WHERE p.survey_id = ? AND p.due_at >= w.start AND p.due_at < w.finish) AS invited
       FROM weeks w`,
    )
    .all(weeks, surveyId, surveyId) as { period: string; respondents: number; invited: number }[];

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
  for (const row of counts)
    groupOf(row.period, row.dimension, row.discipline).counts[row.value - 1] = row.n;
  for (const row of people) groupOf(row.period, row.dimension, row.discipline).respondents = row.n;

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
