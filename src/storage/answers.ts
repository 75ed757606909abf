import { sql } from 'kysely';
import type { Discipline } from '../domain/dimensions.js';
import { weekOf } from '../domain/weeks.js';
import { forgetInAgreements } from './agreements.js';
import {
  currentDiscipline,
  disciplineForPulse,
  lockPerson,
  setFirstDiscipline,
} from './disciplines.js';
import { firstRow, prepared } from './prepared.js';
import { selectPulses } from './pulses.js';
import { changed, engineOf, indexedBy, inTransaction, type Store } from './store.js';

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
  | { ok: false; reason: 'answered_elsewhere'; surveyId: number }
  /** The pulse closed (at `closedAt`) before the answers could be stored. */
  | { ok: false; reason: 'closed'; closedAt: string };

/** What the one-survey-a-week rule needs to know of the pulse being answered. */
export interface PulseOfWeek {
  id: number;
  surveyId: number;
  teamId: string;
  dueAt: string;
  timezone: string;
}

/**
 * Stores a person's answers to a pulse in one transaction: every value and the
 * comment, under the discipline they count under for this pulse (see
 * `disciplineForPulse`; a first-time person's chosen one becomes their first).
 * Answering again replaces the earlier answers (same rows, so a retry or a
 * double submission is stored once) and never changes their discipline.
 * Nothing of the pulse is stored when the person has no discipline for it,
 * answered another survey's pulse of the same week (`otherSurveyThisWeek`), or
 * the pulse has closed meanwhile.
 *
 * The transaction holds the person (`lockPerson`), so two submissions of theirs
 * to two surveys, on two instances, cannot both pass the one-survey-a-week
 * check; and on Postgres it holds the pulse's row until it ends, so a close
 * either waits for the answers (and counts them) or has already closed it.
 */
export async function saveSubmission(db: Store, s: Submission): Promise<Saved> {
  const at = s.at.toISOString();
  return inTransaction(db, async (trx): Promise<Saved> => {
    await lockPerson(trx, s.teamId, s.userId);
    const pulse = await firstRow(pulseToAnswer(trx, s.pulseId));
    if (pulse === undefined) return { ok: false, reason: 'no_discipline' };
    if (pulse.closedAt !== null) return { ok: false, reason: 'closed', closedAt: pulse.closedAt };
    const elsewhere = await answeredElsewhere(trx, s.userId, pulse);
    if (elsewhere !== undefined)
      return { ok: false, reason: 'answered_elsewhere', surveyId: elsewhere };
    let discipline = await disciplineForPulse(trx, s.teamId, s.userId, pulse);
    if (discipline === undefined) {
      const chosen = s.chosenDiscipline;
      const first =
        chosen !== undefined &&
        (await setFirstDiscipline(trx, {
          teamId: s.teamId,
          userId: s.userId,
          discipline: chosen,
          at: s.at,
        }));
      if (chosen === undefined && (await currentDiscipline(trx, s.teamId, s.userId)) === undefined)
        return { ok: false, reason: 'no_discipline' };
      discipline = first ? await disciplineForPulse(trx, s.teamId, s.userId, pulse) : undefined;
      if (discipline === undefined)
        return {
          ok: false,
          reason: 'next_pulse',
          discipline: await currentDiscipline(trx, s.teamId, s.userId),
        };
    }
    const counted = discipline;
    if (s.values.size > 0)
      await trx
        .insertInto('answers')
        .values(
          [...s.values].map(([questionId, value]) => ({
            pulse_id: s.pulseId,
            question_id: questionId,
            user_id: s.userId,
            discipline: counted,
            value,
            answered_at: at,
            updated_at: at,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['pulse_id', 'question_id', 'user_id']).doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    const comment = s.comment?.trim() ?? '';
    if (comment === '') await deleteComment(trx, s.pulseId, s.userId);
    else await upsertComment(trx, s.pulseId, s.userId, comment, at);
    return { ok: true, discipline: counted };
  });
}

/** The pulse being answered, held on Postgres until the transaction ends (see above). */
const pulseToAnswer = prepared((db, pulseId: number) =>
  selectPulses(db)
    .select('s.timezone')
    .where('p.id', '=', pulseId)
    .$if(engineOf(db) === 'postgres', (q) => q.forShare('p')),
);

const deleteComment = prepared((db, pulseId: number, userId: string) =>
  db.deleteFrom('comments').where('pulse_id', '=', pulseId).where('user_id', '=', userId),
);

const upsertComment = prepared((db, pulseId: number, userId: string, body: string, at: string) =>
  db
    .insertInto('comments')
    .values({ pulse_id: pulseId, user_id: userId, body, created_at: at, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['pulse_id', 'user_id']).doUpdateSet((eb) => ({
        body: eb.ref('excluded.body'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    ),
);

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
export async function otherSurveyThisWeek(
  db: Store,
  userId: string,
  pulse: PulseOfWeek,
): Promise<number | undefined> {
  return answeredElsewhere(db, userId, pulse);
}

const DAY_MS = 86_400_000;

/** `otherSurveyThisWeek` for a pulse already read. */
async function answeredElsewhere(
  db: Store,
  userId: string,
  mine: PulseOfWeek,
): Promise<number | undefined> {
  const due = new Date(mine.dueAt);
  if (Number.isNaN(due.getTime())) return undefined;
  // Another survey's pulse of the same week is due within a week of this one,
  // whatever the two time zones: eight days either side takes in every one.
  const from = new Date(due.getTime() - 8 * DAY_MS).toISOString();
  const to = new Date(due.getTime() + 8 * DAY_MS).toISOString();
  const { rows } = await answersNearby(db, mine.teamId, mine.surveyId, from, to, userId);
  if (rows.length === 0) return undefined;
  const myWeek = weekOf(due, mine.timezone).period;
  return rows.find((r) => weekOf(new Date(r.dueAt), r.timezone).period === myWeek)?.surveyId;
}

/** The pulses of the workspace's other surveys due between `from` and `to` that this person answered. */
const answersNearby = prepared(
  (db, teamId: string, surveyId: number, from: string, to: string, userId: string) =>
    sql<{ surveyId: number; dueAt: string; timezone: string }>`
    SELECT o.survey_id AS "surveyId", o.due_at AS "dueAt", os.timezone
    FROM surveys os JOIN pulses o ON o.survey_id = os.id
    WHERE os.team_id = ${teamId} AND os.id <> ${surveyId}
      AND o.due_at BETWEEN ${from} AND ${to}
      AND EXISTS (SELECT 1 FROM answers a ${indexedBy(db, 'answers_by_user')}
                  WHERE a.user_id = ${userId} AND a.pulse_id = o.id)`,
);

/** What this person answered to this pulse, to pre-fill the form when they come back. */
export async function storedAnswers(
  db: Store,
  pulseId: number,
  userId: string,
): Promise<StoredAnswers | undefined> {
  const { rows } = await answersOf(db, userId, pulseId);
  if (rows.length === 0) return undefined;
  const comment = await firstRow(commentOf(db, pulseId, userId));
  return { values: new Map(rows.map((r) => [r.questionId, r.value])), comment: comment?.body };
}

// By person: the primary key would walk every answer to the pulse.
const answersOf = prepared(
  (db, userId: string, pulseId: number) =>
    sql<{ questionId: string; value: number }>`
    SELECT question_id AS "questionId", value FROM answers ${indexedBy(db, 'answers_by_user')}
    WHERE user_id = ${userId} AND pulse_id = ${pulseId}`,
);

const commentOf = prepared((db, pulseId: number, userId: string) =>
  db
    .selectFrom('comments')
    .select('body')
    .where('pulse_id', '=', pulseId)
    .where('user_id', '=', userId),
);

/** How many people have answered a pulse. */
export async function respondentCount(db: Store, pulseId: number): Promise<number> {
  const row = await db
    .selectFrom('answers')
    .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
    .where('pulse_id', '=', pulseId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The ids of a workspace's pulses, as a subquery. */
function pulsesOfTeam(db: Store, teamId: string) {
  return db
    .selectFrom('pulses as p')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select('p.id')
    .where('s.team_id', '=', teamId);
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
export async function forgetPerson(
  db: Store,
  teamId: string,
  userId: string,
  now: Date,
): Promise<{ answers: number; comments: number; openPulses: number[] }> {
  return inTransaction(db, async (trx) => {
    // An answer of theirs being stored meanwhile is stored first, then deleted.
    await lockPerson(trx, teamId, userId);
    const openPulses = (
      await trx
        .selectFrom('answers as a')
        .innerJoin('pulses as p', 'p.id', 'a.pulse_id')
        .select('a.pulse_id')
        .distinct()
        .where('a.user_id', '=', userId)
        .where('p.closed_at', 'is', null)
        .where('p.closes_at', '>', now.toISOString())
        .where('a.pulse_id', 'in', pulsesOfTeam(trx, teamId))
        .orderBy('a.pulse_id')
        .execute()
    ).map((r) => r.pulse_id);
    const answers = changed(
      await trx
        .deleteFrom('answers')
        .where('user_id', '=', userId)
        .where('pulse_id', 'in', pulsesOfTeam(trx, teamId))
        .executeTakeFirst(),
    );
    const comments = changed(
      await trx
        .deleteFrom('comments')
        .where('user_id', '=', userId)
        .where('pulse_id', 'in', pulsesOfTeam(trx, teamId))
        .executeTakeFirst(),
    );
    await trx
      .deleteFrom('pulse_recipients')
      .where('user_id', '=', userId)
      .where('pulse_id', 'in', pulsesOfTeam(trx, teamId))
      .execute();
    await trx
      .deleteFrom('pulse_messages')
      .where('user_id', '=', userId)
      .where('pulse_id', 'in', pulsesOfTeam(trx, teamId))
      .execute();
    await trx
      .deleteFrom('discipline_changes')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .execute();
    await trx
      .updateTable('discipline_changes')
      .set({ changed_by: null })
      .where('team_id', '=', teamId)
      .where('changed_by', '=', userId)
      .execute();
    // A DM that failed names the person as its channel.
    await trx
      .deleteFrom('delivery_failures')
      .where('team_id', '=', teamId)
      .where('channel_id', '=', userId)
      .execute();
    // Who set a survey up or wrote a custom question is kept no longer either.
    await trx
      .updateTable('surveys')
      .set({ created_by: null })
      .where('team_id', '=', teamId)
      .where('created_by', '=', userId)
      .execute();
    await trx
      .updateTable('questions')
      .set({ created_by: null })
      .where('created_by', '=', userId)
      .where('survey_id', 'in', (eb) =>
        eb.selectFrom('surveys as sv').select('sv.id').where('sv.team_id', '=', teamId),
      )
      .execute();
    // Agreements are the team's records: they stay, the person leaves them.
    await forgetInAgreements(trx, teamId, userId);
    return { answers, comments, openPulses };
  });
}

/** How many answers and comments a person has stored in a workspace. */
export async function countOwn(
  db: Store,
  teamId: string,
  userId: string,
): Promise<{ answers: number; comments: number }> {
  const { rows } = await sql<{ answers: number; comments: number }>`
    SELECT
      (SELECT count(*) FROM answers WHERE user_id = ${userId} AND pulse_id IN
        (SELECT p.id FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE s.team_id = ${teamId}))
        AS answers,
      (SELECT count(*) FROM comments WHERE user_id = ${userId} AND pulse_id IN
        (SELECT p.id FROM pulses p JOIN surveys s ON s.id = p.survey_id WHERE s.team_id = ${teamId}))
        AS comments`.execute(db);
  return { answers: Number(rows[0]?.answers ?? 0), comments: Number(rows[0]?.comments ?? 0) };
}
