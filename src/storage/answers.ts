import type { Discipline } from '../domain/dimensions.js';
import { weekOf } from '../domain/weeks.js';
import { forgetInAgreements } from './agreements.js';
import type { Db } from './database.js';
import { currentDiscipline, disciplineForPulse, setFirstDiscipline } from './disciplines.js';

export interface Submission {
  teamId: string;
  pulseId: number;
  userId: string;
  /**
   * The discipline chosen on the form; used only when the person has none yet
   * (it becomes their first). Otherwise the discipline rule decides.
   */
  chosenDiscipline: Discipline | undefined;
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

/** What became of a submission. */
export type Saved =
  | { ok: true; discipline: Discipline }
  /** The person has no discipline for this pulse and chose none. */
  | { ok: false; reason: 'no_discipline' }
  /**
   * The person's discipline counts from the next pulse (this one went out
   * before they were on its list, or before they chose it); their choice, if
   * they made one now, is kept for then.
   */
  | { ok: false; reason: 'next_pulse'; discipline: Discipline | undefined }
  /** They answered another survey's pulse this week: a leader counts in one survey a week. */
  | { ok: false; reason: 'answered_elsewhere'; surveyId: number };

/**
 * Stores a person's answers to a pulse in one transaction: every value and the
 * comment, under the discipline they count under for this pulse (see
 * `disciplineForPulse`; a first-time person's chosen one becomes their first).
 * Answering again replaces the earlier answers (same rows, so a retry or a
 * double submission is stored once) and never changes their discipline.
 * Nothing of the pulse is stored when the person has no discipline for it, or
 * answered another survey's pulse of the same week (`otherSurveyThisWeek`).
 */
export function saveSubmission(db: Db, s: Submission): Saved {
  const at = s.at.toISOString();
  const answer = db.prepare(
    `INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pulse_id, question_id, user_id) DO UPDATE SET
       value = excluded.value, updated_at = excluded.updated_at`,
  );
  return db
    .transaction((): Saved => {
      const pulse = db
        .prepare('SELECT id, opened_at AS openedAt FROM pulses WHERE id = ?')
        .get(s.pulseId) as { id: number; openedAt: string } | undefined;
      if (pulse === undefined) return { ok: false, reason: 'no_discipline' };
      const elsewhere = otherSurveyThisWeek(db, s.userId, s.pulseId);
      if (elsewhere !== undefined)
        return { ok: false, reason: 'answered_elsewhere', surveyId: elsewhere };
      let discipline = disciplineForPulse(db, s.teamId, s.userId, pulse);
      if (discipline === undefined) {
        const chosen = s.chosenDiscipline;
        const first =
          chosen !== undefined &&
          setFirstDiscipline(db, {
            teamId: s.teamId,
            userId: s.userId,
            discipline: chosen,
            at: s.at,
          });
        if (chosen === undefined && currentDiscipline(db, s.teamId, s.userId) === undefined)
          return { ok: false, reason: 'no_discipline' };
        discipline = first ? disciplineForPulse(db, s.teamId, s.userId, pulse) : undefined;
        if (discipline === undefined)
          return {
            ok: false,
            reason: 'next_pulse',
            discipline: currentDiscipline(db, s.teamId, s.userId),
          };
      }
      for (const [questionId, value] of s.values)
        answer.run(s.pulseId, questionId, s.userId, discipline, value, at, at);
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
      return { ok: true, discipline };
    })
    .immediate();
}

/**
 * The other survey whose pulse of the same week (each pulse's ISO week in its
 * own survey's time zone) this person has answered, if any.
 *
 * A leader counts in one survey a week. Two surveys of nearly the same people
 * asking the same statements the same week would otherwise publish figures
 * whose difference is the few people who are in one and not the other (a
 * person answers the same statement alike twice). With one survey a person a
 * week, the people behind two surveys' figures of one week never overlap, so
 * every cross-survey difference is a difference of groups each judged on its
 * own. (Refusing overlapping setups cannot see channel members come and go;
 * suppressing one survey's week would hide it from everyone in it for one
 * shared person.)
 */
export function otherSurveyThisWeek(db: Db, userId: string, pulseId: number): number | undefined {
  const rows = db
    .prepare(
      `SELECT o.survey_id AS surveyId, o.due_at AS dueAt, os.timezone, p.due_at AS myDue, ps.timezone AS myZone
       FROM pulses p JOIN surveys ps ON ps.id = p.survey_id
       JOIN surveys os ON os.team_id = ps.team_id AND os.id <> ps.id
       JOIN pulses o ON o.survey_id = os.id
         AND o.due_at BETWEEN strftime('%Y-%m-%dT%H:%M:%fZ', p.due_at, '-8 days')
                          AND strftime('%Y-%m-%dT%H:%M:%fZ', p.due_at, '+8 days')
       WHERE p.id = ? AND EXISTS
         (SELECT 1 FROM answers a INDEXED BY answers_by_user WHERE a.user_id = ? AND a.pulse_id = o.id)`,
    )
    .all(pulseId, userId) as {
    surveyId: number;
    dueAt: string;
    timezone: string;
    myDue: string;
    myZone: string;
  }[];
  const found = rows.find(
    (r) =>
      weekOf(new Date(r.dueAt), r.timezone).period === weekOf(new Date(r.myDue), r.myZone).period,
  );
  return found?.surveyId;
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

/**
 * `/alignment forget-me`: removes everything that links a person to what they
 * gave, in one transaction: their answers (to closed pulses and outright to the
 * open one), comments, discipline and its history, the pulses' recipient lists
 * and the record of DMs sent to them, and their name on surveys, questions and
 * discipline changes they made, and their place on agreements (an owner
 * becomes "a former leader"). Published group scores are sums over at least
 * the threshold of people and stay as they are. Returns what was deleted, and
 * the open pulses whose answer count went down.
 */
export function forgetPerson(
  db: Db,
  teamId: string,
  userId: string,
  now: Date,
): { answers: number; comments: number; openPulses: number[] } {
  return db
    .transaction(() => {
      const inTeam =
        'pulse_id IN (SELECT p.id FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE s.team_id = ?)';
      const openPulses = (
        db
          .prepare(
            `SELECT DISTINCT a.pulse_id AS id FROM answers a JOIN pulses p ON p.id = a.pulse_id
             WHERE a.user_id = ? AND p.closed_at IS NULL AND p.closes_at > ? AND a.${inTeam}`,
          )
          .all(userId, now.toISOString(), teamId) as { id: number }[]
      ).map((r) => r.id);
      const answers = db
        .prepare(`DELETE FROM answers WHERE user_id = ? AND ${inTeam}`)
        .run(userId, teamId).changes;
      const comments = db
        .prepare(`DELETE FROM comments WHERE user_id = ? AND ${inTeam}`)
        .run(userId, teamId).changes;
      db.prepare(`DELETE FROM pulse_recipients WHERE user_id = ? AND ${inTeam}`).run(
        userId,
        teamId,
      );
      db.prepare(`DELETE FROM pulse_messages WHERE user_id = ? AND ${inTeam}`).run(userId, teamId);
      db.prepare('DELETE FROM discipline_changes WHERE team_id = ? AND user_id = ?').run(
        teamId,
        userId,
      );
      db.prepare(
        'UPDATE discipline_changes SET changed_by = NULL WHERE team_id = ? AND changed_by = ?',
      ).run(teamId, userId);
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
      // Agreements are the team's records: they stay, the person leaves them.
      forgetInAgreements(db, teamId, userId);
      return { answers, comments, openPulses };
    })
    .immediate();
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
