import type { Discipline } from '../domain/dimensions.js';
import type { Db } from './database.js';

export interface Submission {
  teamId: string;
  pulseId: number;
  userId: string;
  discipline: Discipline;
  /** Question id → answer 1–5. */
  values: ReadonlyMap<string, number>;
  /** The anonymous comment; empty or undefined removes an earlier one. */
  comment: string | undefined;
  at: Date;
}

export interface StoredAnswers {
  values: Map<string, number>;
  comment: string | undefined;
}

/**
 * Stores a person's answers to a pulse in one transaction: every value, the
 * comment, and their discipline. Answering again replaces the earlier answers
 * (same rows, so a retry or a double submission is stored once).
 */
export function saveSubmission(db: Db, s: Submission): void {
  const at = s.at.toISOString();
  const answer = db.prepare(
    `INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pulse_id, question_id, user_id) DO UPDATE SET
       value = excluded.value, discipline = excluded.discipline, updated_at = excluded.updated_at`,
  );
  db.transaction(() => {
    db.prepare(
      `INSERT INTO respondents (team_id, user_id, discipline) VALUES (?, ?, ?)
       ON CONFLICT (team_id, user_id) DO UPDATE SET discipline = excluded.discipline,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    ).run(s.teamId, s.userId, s.discipline);
    for (const [questionId, value] of s.values)
      answer.run(s.pulseId, questionId, s.userId, s.discipline, value, at, at);
    const comment = s.comment?.trim() ?? '';
    if (comment === '') {
      db.prepare('DELETE FROM comments WHERE pulse_id = ? AND user_id = ?').run(
        s.pulseId,
        s.userId,
      );
    } else {
      db.prepare(
        `INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pulse_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      ).run(s.pulseId, s.userId, comment, at, at);
    }
  })();
}

/** What this person answered to this pulse, to pre-fill the form when they come back. */
export function storedAnswers(db: Db, pulseId: number, userId: string): StoredAnswers | undefined {
  const rows = db
    .prepare(
      // By person: the primary key would walk every answer to the pulse.
      `SELECT question_id AS questionId, value FROM answers INDEXED BY answers_by_user
       WHERE user_id = ? AND pulse_id = ?`,
    )
    .all(userId, pulseId) as { questionId: string; value: number }[];
  if (rows.length === 0) return undefined;
  const comment = db
    .prepare('SELECT body FROM comments WHERE pulse_id = ? AND user_id = ?')
    .get(pulseId, userId) as { body: string } | undefined;
  return { values: new Map(rows.map((r) => [r.questionId, r.value])), comment: comment?.body };
}

/** How many people have answered a pulse. */
export function respondentCount(db: Db, pulseId: number): number {
  return (
    db
      .prepare('SELECT count(DISTINCT user_id) AS n FROM answers WHERE pulse_id = ?')
      .get(pulseId) as { n: number }
  ).n;
}

export function getDiscipline(db: Db, teamId: string, userId: string): Discipline | undefined {
  const row = db
    .prepare('SELECT discipline FROM respondents WHERE team_id = ? AND user_id = ?')
    .get(teamId, userId) as { discipline: Discipline | null } | undefined;
  return row?.discipline ?? undefined;
}

/** A person's own choice of discipline (`/alignment role`); answers already given keep theirs. */
export function setDiscipline(
  db: Db,
  teamId: string,
  userId: string,
  discipline: Discipline,
): void {
  db.prepare(
    `INSERT INTO respondents (team_id, user_id, discipline) VALUES (?, ?, ?)
     ON CONFLICT (team_id, user_id) DO UPDATE SET discipline = excluded.discipline,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ).run(teamId, userId, discipline);
}

/**
 * `/alignment forget-me`: removes a person from every table that names them —
 * answers, comments, their discipline, the pulses' recipient lists and the
 * record of DMs sent to them — in one transaction. Returns what was deleted.
 */
export function forgetPerson(
  db: Db,
  teamId: string,
  userId: string,
): { answers: number; comments: number } {
  return db.transaction(() => {
    const inTeam =
      'pulse_id IN (SELECT p.id FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE s.team_id = ?)';
    const answers = db
      .prepare(`DELETE FROM answers WHERE user_id = ? AND ${inTeam}`)
      .run(userId, teamId).changes;
    const comments = db
      .prepare(`DELETE FROM comments WHERE user_id = ? AND ${inTeam}`)
      .run(userId, teamId).changes;
    db.prepare(`DELETE FROM pulse_recipients WHERE user_id = ? AND ${inTeam}`).run(userId, teamId);
    db.prepare(`DELETE FROM pulse_messages WHERE user_id = ? AND ${inTeam}`).run(userId, teamId);
    db.prepare('DELETE FROM respondents WHERE team_id = ? AND user_id = ?').run(teamId, userId);
    // A DM that failed names the person as its channel.
    db.prepare('DELETE FROM delivery_failures WHERE team_id = ? AND channel_id = ?').run(
      teamId,
      userId,
    );
    // Who set a survey up or wrote a custom question is kept no longer either.
    db.prepare('UPDATE surveys SET created_by = NULL WHERE team_id = ? AND created_by = ?').run(
      teamId,
      userId,
    );
    db.prepare(
      `UPDATE questions SET created_by = NULL WHERE created_by = ?
       AND survey_id IN (SELECT id FROM surveys WHERE team_id = ?)`,
    ).run(userId, teamId);
    return { answers, comments };
  })();
}

/** How many answers and comments a person has stored in a workspace. */
export function countOwn(
  db: Db,
  teamId: string,
  userId: string,
): { answers: number; comments: number } {
  const inTeam =
    'pulse_id IN (SELECT p.id FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE s.team_id = ?)';
  const count = (table: string) =>
    (
      db
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ? AND ${inTeam}`)
        .get(userId, teamId) as { n: number }
    ).n;
  return { answers: count('answers'), comments: count('comments') };
}
